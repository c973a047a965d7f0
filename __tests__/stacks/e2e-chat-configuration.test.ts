// The chat configuration the e2e suite deploys (__tests__/support/deployments.ts,
// CHAT): one deployment with every edge on replaced two (the default chat stack,
// and the chat stack with its edges). Nothing the default one applied may be
// missing from it: every resource type of the default chat stack on the
// emulator target is declared, at least as many times, by the deployed configuration.
import { chatSettings } from "../support/deployments";
import { chatJson } from "./support";

const EMULATOR = "http://127.0.0.1:4566";
/** What the deployment's edge fixture outputs (a zone id, a function ARN), as it would. */
const env = {
  endpoint: EMULATOR,
  outputsOf: (root: string) => {
    if (root !== "edge") throw new Error(`unexpected root ${root}`);
    return { zone_id: "Z0123456789ABCDEFGHIJ", function_arn: "arn:aws:lambda:us-east-1:123456789012:function:chat-authorizer" };
  },
} as any;

/** Resource type -> number of resources of that type. */
const typeCounts = (json: any) => Object.fromEntries(Object.entries<Record<string, unknown>>(json.resource ?? {}).map(([t, r]) => [t, Object.keys(r).length]));

describe("the chat configuration of the e2e suite", () => {
  test("declares every resource of the default chat stack on the emulator target, and the edges' on top", () => {
    // GIVEN what the default chat stack applied on the emulator (the former chat.test.ts and cdktf-cli.test.ts)
    const plain = typeCounts(chatJson({ target: { kind: "emulator", emulatorEndpoint: EMULATOR } }));
    // WHEN the configuration deployed instead
    const deployed = typeCounts(chatJson(chatSettings(env)));
    // THEN nothing is missing or fewer, and the edges add the domain, the authorizer and the records
    for (const [type, count] of Object.entries(plain)) expect([type, count, (deployed[type] ?? 0) >= count]).toEqual([type, count, true]);
    expect(
      Object.keys(deployed)
        .filter((t) => !(t in plain))
        .sort(),
    ).toEqual(
      expect.arrayContaining([
        "aws_acm_certificate",
        "aws_acm_certificate_validation",
        "aws_apigatewayv2_api_mapping",
        "aws_apigatewayv2_authorizer",
        "aws_apigatewayv2_domain_name",
        "aws_lambda_permission",
        "aws_route53_record",
      ]),
    );
  });
});
