import { inRegion, UNPRIVILEGED_PORT } from "../constructs/rules";
import type { Fail, Ok } from "./cross-checks";
import { FIELD_BY_KEY, Settings } from "./settings";

/**
 * The rules between settings that AWS would enforce at apply in the deploying
 * account and region (crossChecks calls them): the image's Dockerfile and the
 * port a non-root backend can bind, resources that must be in the stack's
 * region, and the account setting's options.
 */
export function accountRegionChecks(s: Settings, fail: Fail, ok: Ok): void {
  imageRecipeChecks(s, fail, ok);
  regionChecks(s, fail, ok);
  accountChecks(s, fail, ok);
}

/**
 * The project's Dockerfile (image.dockerfile null) runs the backend as a
 * non-root user, which cannot listen below 1024; goVersion is that
 * Dockerfile's only.
 */
function imageRecipeChecks(s: Settings, fail: Fail, ok: Ok): void {
  if (!ok("chat.backend.image.uri", "chat.backend.image.dockerfile")) return;
  const image = s.chat.backend.image;
  const ours = image.uri === null && image.dockerfile === null;
  if (ours && ok("chat.backend.port")) {
    const failure = UNPRIVILEGED_PORT.explain(s.chat.backend.port, true);
    if (failure)
      fail(
        "chat.backend.port",
        `${failure.rule} when chat.backend.image.dockerfile is null (the project's image runs as a non-root user, which cannot listen below 1024)`,
        s.chat.backend.port,
        'use 8080 (the default), or set chat.backend.image.dockerfile to "Dockerfile" to build the repository\'s own image, which runs as root',
      );
  }
  const goDefault = FIELD_BY_KEY.get("chat.backend.image.goVersion")!.default;
  if (!ours && ok("chat.backend.image.goVersion") && image.goVersion !== goDefault) {
    fail(
      "chat.backend.image.goVersion",
      `${JSON.stringify(goDefault)} (its default) when ${image.uri !== null ? "chat.backend.image.uri is set (nothing is built)" : "chat.backend.image.dockerfile names the repository's Dockerfile (which picks its own Go)"}`,
      image.goVersion,
      "remove it, or set chat.backend.image.dockerfile to null to build with the project's Dockerfile",
    );
  }
}

/**
 * Resources that must be in the region of what uses them: the table's KMS
 * key, the state bucket's KMS key (the bucket's region), the custom domain's
 * certificate (a regional API Gateway domain) and the alarms' SNS topic.
 * AWS refuses the others when the resource is created.
 */
function regionChecks(s: Settings, fail: Fail, ok: Ok): void {
  const uses: Array<[string, string | null | undefined, string, string]> = [
    ["chat.table.kmsKeyArn", s.chat?.table?.kmsKeyArn, "region", "a KMS key"],
    ["chat.domain.certificateArn", s.chat?.domain?.certificateArn, "region", "an ACM certificate"],
    ["chat.alarms.snsTopicArn", s.chat?.alarms?.snsTopicArn, "region", "an SNS topic"],
  ];
  for (const [key, arn, regionKey, what] of uses) {
    if (arn === null || arn === undefined || !ok(key, regionKey)) continue;
    const failure = inRegion(s.region, what).explain(arn, true);
    if (failure) fail(key, `${failure.rule} (the stack's region)`, arn, failure.fix);
  }
  const state = s.state?.s3;
  if (state?.kmsKeyArn && ok("state.s3.kmsKeyArn", "state.s3.region", "region")) {
    const bucketRegion = state.region ?? s.region;
    const failure = inRegion(bucketRegion, "a KMS key").explain(state.kmsKeyArn, true);
    if (failure) fail("state.s3.kmsKeyArn", `${failure.rule} (the state bucket's region)`, state.kmsKeyArn, failure.fix);
  }
}

/** replaceExisting and roleName say how the stack manages the account setting: without manage, they would be ignored. */
function accountChecks(s: Settings, fail: Fail, ok: Ok): void {
  const keys = ["chat.apiGatewayAccount.manage", "chat.apiGatewayAccount.replaceExisting", "chat.apiGatewayAccount.roleName"];
  if (!ok(...keys)) return;
  const a = s.chat.apiGatewayAccount;
  if (a.manage) return;
  if (a.replaceExisting)
    fail(
      keys[1],
      "false (its default) when chat.apiGatewayAccount.manage is false (the stack leaves the setting alone)",
      true,
      "remove it, or set manage to true",
    );
  if (a.roleName !== null)
    fail(keys[2], "null (its default) when chat.apiGatewayAccount.manage is false (the stack creates no role)", a.roleName, "remove it, or set manage to true");
}
