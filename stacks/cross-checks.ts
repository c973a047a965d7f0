import { atLeastMinCapacity, distinct, fargateMemory, PULL_THROUGH_CACHE_SECRET_ARN, Rule, withinCapacity } from "../constructs/rules";
import { TRACING_PORT } from "../constructs/tracing-sidecar";
import { accountRegionChecks } from "./deploy-cross-checks";
import { FIELD_BY_KEY, Settings } from "./settings";

/**
 * The rules between settings (Fargate CPU and memory, the scaling range,
 * the tracing port and sampling path, state backends, network, alarms, the image build's
 * Docker Hub access, the frontend's source). `fail` reports a
 * problem in the house format; `ok` says whether settings are sound enough
 * to judge (set and valid on their own), so every rule that can be judged
 * is, whatever else is wrong.
 */
export function crossChecks(s: Settings, fail: (key: string, rule: string, value: unknown, fix: string) => void, ok: (...keys: string[]) => boolean): void {
  /** Reports a failed rule of the rules module; returns whether it failed. */
  const judge = <T>(key: string, rule: Rule<T>, value: T): boolean => {
    const failure = rule.explain(value, true);
    if (failure) fail(key, failure.rule, value, failure.fix);
    return failure !== undefined;
  };
  const b = s.chat?.backend;
  if (ok("chat.backend.cpu", "chat.backend.memory")) judge("chat.backend.memory", fargateMemory(b.cpu), b.memory);
  const scaling = ["chat.backend.autoScaling.enabled", "chat.backend.autoScaling.minCapacity", "chat.backend.autoScaling.maxCapacity"];
  if (ok(...scaling) && b.autoScaling.enabled) {
    const a = b.autoScaling;
    if (!judge("chat.backend.autoScaling.maxCapacity", atLeastMinCapacity(a.minCapacity), a.maxCapacity) && ok("chat.backend.desiredCount")) {
      judge("chat.backend.desiredCount", withinCapacity(a.minCapacity, a.maxCapacity, "autoScaling."), b.desiredCount);
    }
  }
  // The tracing collector listens on UDP and TCP 2000 in the task's shared network namespace.
  if (ok("chat.backend.port", "chat.backend.tracing") && b.tracing !== "off" && b.port === TRACING_PORT) {
    fail(
      "chat.backend.port",
      `other than ${TRACING_PORT} while chat.backend.tracing is "${b.tracing}" (the collector listens on ${TRACING_PORT})`,
      b.port,
      `pick another port, or set chat.backend.tracing to "off"`,
    );
  }
  // The health check path is also the URL path of the sampling rule that keeps health checks out of the traces.
  if (ok("chat.backend.healthCheckPath", "chat.backend.tracing") && b.tracing !== "off" && b.healthCheckPath.length > 128) {
    fail(
      "chat.backend.healthCheckPath",
      `at most 128 characters while chat.backend.tracing is "${b.tracing}" (it is the URL path of the X-Ray sampling rule that keeps health checks out of the traces, and X-Ray allows 128)`,
      b.healthCheckPath,
      'shorten the path, or set chat.backend.tracing to "off"',
    );
  }
  if (ok("environment", "chat.deletionProtection") && s.environment === "production" && s.chat.deletionProtection === false) {
    fail(
      "chat.deletionProtection",
      'true or null when environment is "production" (guardrail WSG-LB-002)',
      false,
      "leave it null (on for production), or deploy under another environment name",
    );
  }
  if (ok("target.kind", "target.lambdaStandInEndpoint") && s.target.kind !== "emulator" && s.target.lambdaStandInEndpoint !== null) {
    fail(
      "target.lambdaStandInEndpoint",
      'null when target.kind is not "emulator" (the stand-in runs in front of the emulator, in tests)',
      s.target.lambdaStandInEndpoint,
      'remove it, or set target.kind to "emulator"',
    );
  }
  if (ok("target.kind", "state.backend") && s.target.kind === "emulator" && s.state.backend !== "local") {
    fail(
      "state.backend",
      '"local" when target.kind is "emulator" (nothing but the emulator on 127.0.0.1 is contacted)',
      s.state.backend,
      'use state.backend "local" for the emulator, or target.kind "aws" for a remote backend',
    );
  }
  const n = s.chat?.network;
  if (ok("chat.network.vpcId", "chat.network.privateSubnetIds")) {
    if (n.vpcId !== null && n.privateSubnetIds.length < 2) {
      fail(
        "chat.network.privateSubnetIds",
        "at least two subnets (in different Availability Zones) when vpcId is set",
        n.privateSubnetIds,
        "list the private subnets of the VPC",
      );
    }
    if (n.vpcId === null && n.privateSubnetIds.length > 0) {
      fail("chat.network.vpcId", "set when privateSubnetIds are given", n.vpcId, "give the VPC of those subnets, or remove privateSubnetIds to create a VPC");
    }
    judge("chat.network.privateSubnetIds", distinct("subnets"), n.privateSubnetIds);
  }
  if (ok("chat.network.availabilityZones") && n.availabilityZones.length > 0) {
    if (n.availabilityZones.length < 2)
      fail("chat.network.availabilityZones", "at least two zones (or empty to look them up)", n.availabilityZones, "list two or more zones");
    else judge("chat.network.availabilityZones", distinct("zones"), n.availabilityZones);
    const foreign = ok("region") ? n.availabilityZones.filter((z) => !z.startsWith(s.region)) : [];
    if (foreign.length) fail("chat.network.availabilityZones", `zones of region ${s.region}`, foreign, "list zones of the stack's region");
  }
  if (ok("state.backend", "state.s3.bucket") && s.state.backend === "s3" && !s.state.s3.bucket) {
    fail("state.s3.bucket", 'set when state.backend is "s3"', s.state.s3.bucket, "name the bucket that holds the state");
  }
  if (ok("state.backend", "state.cloud.organization", "state.cloud.workspace", "state.cloud.workspaceTags") && s.state.backend === "cloud") {
    if (!s.state.cloud.organization)
      fail("state.cloud.organization", 'set when state.backend is "cloud"', s.state.cloud.organization, "give your HCP Terraform organization");
    const named = s.state.cloud.workspace !== null;
    const tagged = s.state.cloud.workspaceTags.length > 0;
    if (named === tagged) {
      fail(
        "state.cloud.workspace",
        "set, or else state.cloud.workspaceTags, but not both",
        { workspace: s.state.cloud.workspace, workspaceTags: s.state.cloud.workspaceTags },
        "name one workspace, or select workspaces by tags",
      );
    }
  }
  if (ok("chat.alarms.email", "chat.alarms.snsTopicArn") && s.chat.alarms.email !== null && s.chat.alarms.snsTopicArn !== null) {
    fail(
      "chat.alarms.email",
      "unset when snsTopicArn is given (subscriptions are made on the new topic only)",
      s.chat.alarms.email,
      "subscribe the address to your topic yourself, or remove snsTopicArn",
    );
  }
  edgeChecks(s, fail, ok);
  if (ok("chat.backend.image.uri", "chat.backend.image.githubTokenSecretArn") && b.image.uri !== null && b.image.githubTokenSecretArn !== null) {
    fail("chat.backend.image.githubTokenSecretArn", "unset when image.uri is given (nothing is built)", b.image.githubTokenSecretArn, "remove one of the two");
  }
  dockerHubChecks(s, fail, ok);
  frontendChecks(s, fail, ok);
  accountRegionChecks(s, fail, ok);
}

export type Fail = Parameters<typeof crossChecks>[1];
export type Ok = Parameters<typeof crossChecks>[2];

/** The Docker Hub access of the image build: each kind with exactly the settings it reads. */
function dockerHubChecks(s: Settings, fail: Fail, ok: Ok): void {
  const keys = ["kind", "credentialsSecretArn", "repositoryPrefix", "createRule"].map((k) => `chat.backend.image.dockerHub.${k}`);
  if (!ok(...keys)) return;
  const hub = s.chat.backend.image.dockerHub;
  const kind = JSON.stringify(hub.kind);
  const withSecret = hub.kind === "login" || hub.kind === "pull-through-cache";
  if (withSecret && hub.credentialsSecretArn === null) {
    fail(
      keys[1],
      `set when dockerHub.kind is ${kind} (a Docker Hub user's {"username", "accessToken"})`,
      null,
      'store a Docker Hub access token in Secrets Manager and give the secret\'s full ARN, or use kind "ecr-public" (no account)',
    );
  }
  if (!withSecret && hub.credentialsSecretArn !== null) {
    fail(
      keys[1],
      `unset when dockerHub.kind is ${kind} (no Docker Hub account is used)`,
      hub.credentialsSecretArn,
      'remove it, or set kind "login" or "pull-through-cache"',
    );
  }
  if (hub.kind === "pull-through-cache" && hub.credentialsSecretArn !== null) {
    const failure = PULL_THROUGH_CACHE_SECRET_ARN.explain(hub.credentialsSecretArn, true);
    if (failure) fail(keys[1], `${failure.rule} when dockerHub.kind is "pull-through-cache"`, hub.credentialsSecretArn, failure.fix);
  }
  if (hub.kind !== "pull-through-cache") {
    if (hub.repositoryPrefix !== null)
      fail(
        keys[2],
        `unset when dockerHub.kind is ${kind} (it names the pull through cache)`,
        hub.repositoryPrefix,
        'remove it, or set kind "pull-through-cache"',
      );
    if (!hub.createRule)
      fail(
        keys[3],
        `true (its default) when dockerHub.kind is ${kind} (it applies to the pull through cache)`,
        hub.createRule,
        'remove it, or set kind "pull-through-cache"',
      );
  } else if (!hub.createRule && hub.repositoryPrefix === null) {
    fail(
      keys[2],
      "set when dockerHub.createRule is false (the prefix of the existing rule to pull through)",
      null,
      "give the repository prefix of your pull through cache rule for Docker Hub",
    );
  } else if (hub.repositoryPrefix === null && ok("chat.name", "environment")) {
    // The image construct's default prefix: <name>-<environment>-backend-docker-hub.
    const prefix = `${s.chat.name}-${s.environment}-backend-docker-hub`;
    if (prefix.length > 30)
      fail(keys[2], `set when the default prefix "${prefix}" is longer than ECR's 30 characters`, null, 'give a shorter prefix, e.g. "docker-hub"');
  }
  if (ok("chat.backend.image.uri") && s.chat.backend.image.uri !== null && hub.credentialsSecretArn !== null) {
    fail(keys[1], "unset when image.uri is given (nothing is built)", hub.credentialsSecretArn, "remove one of the two");
  }
}

/**
 * The frontend's two sources each read their own settings: one left at
 * another value than its default for the other source would be silently
 * ignored, so it is refused.
 */
function frontendChecks(s: Settings, fail: Fail, ok: Ok): void {
  if (!ok("chat.frontend.source")) return;
  const f = s.chat.frontend;
  const only: Array<[string, "build" | "repository", unknown, string]> = [
    ["chat.frontend.gitRef", "build", f.gitRef, "Amplify builds chat.frontend.branch"],
    ["chat.frontend.build.outputDirectory", "build", f.build?.outputDirectory, "Amplify builds with the repository's own build settings"],
    ["chat.frontend.build.nodeVersion", "build", f.build?.nodeVersion, "Amplify builds with the repository's own build settings"],
    ["chat.frontend.startBuild", "repository", f.startBuild, "the build runs on every apply that changes it"],
  ];
  for (const [key, source, value, why] of only) {
    // The schema's default: the value that leaves the setting unused.
    const fallback = FIELD_BY_KEY.get(key)!.default;
    if (f.source === source || !ok(key) || value === fallback) continue;
    fail(
      key,
      `${JSON.stringify(fallback)} (its default) when chat.frontend.source is ${JSON.stringify(f.source)}: it applies to source ${JSON.stringify(source)} only (${why})`,
      value,
      `remove it, or set chat.frontend.source to "${source}"`,
    );
  }
}

/** The custom domain and $connect authorization (issue 14): settings that only make sense together. */
function edgeChecks(s: Settings, fail: (key: string, rule: string, value: unknown, fix: string) => void, ok: (...keys: string[]) => boolean): void {
  const d = s.chat?.domain;
  const domainKeys = ["chat.domain.name", "chat.domain.certificateArn", "chat.domain.hostedZoneId", "chat.domain.mappingKey"];
  if (ok(...domainKeys)) {
    if (d.name === null) {
      for (const [key, value] of [
        ["certificateArn", d.certificateArn],
        ["hostedZoneId", d.hostedZoneId],
        ["mappingKey", d.mappingKey],
      ] as const) {
        if (value !== null)
          fail(
            `chat.domain.${key}`,
            "null when chat.domain.name is null (there is no custom domain)",
            value,
            "set chat.domain.name to the domain clients connect to, or remove this setting",
          );
      }
    } else if (d.certificateArn === null && d.hostedZoneId === null) {
      fail(
        "chat.domain.certificateArn",
        "set, or else chat.domain.hostedZoneId, when chat.domain.name is set",
        null,
        `give the ARN of an issued ACM certificate for ${d.name} in the stack's region, or the Route 53 zone of the domain (a certificate is then requested and validated there)`,
      );
    }
  }
  const a = s.chat?.api?.authorization;
  if (ok("chat.api.authorization.type", "chat.api.authorization.functionArn")) {
    if (a.type === "CUSTOM" && a.functionArn === null) {
      fail(
        "chat.api.authorization.functionArn",
        'set when chat.api.authorization.type is "CUSTOM"',
        null,
        "give the ARN of the Lambda function that authorizes $connect",
      );
    }
    if (a.type !== "CUSTOM" && a.functionArn !== null) {
      fail(
        "chat.api.authorization.functionArn",
        'null unless chat.api.authorization.type is "CUSTOM"',
        a.functionArn,
        'set chat.api.authorization.type to "CUSTOM" to use the function, or remove it',
      );
    }
  }
  if (ok("chat.api.authorization.type", "chat.api.authorization.credentialsRoleArn") && a.type !== "CUSTOM" && a.credentialsRoleArn !== null) {
    fail(
      "chat.api.authorization.credentialsRoleArn",
      'null unless chat.api.authorization.type is "CUSTOM"',
      a.credentialsRoleArn,
      "it is the role API Gateway assumes to call the authorizer function; remove it",
    );
  }
}
