import {
  API_MAPPING_KEY,
  AUTHORIZER_FUNCTION_ARN,
  CERTIFICATE_ARN,
  DOMAIN_NAME,
  HOSTED_ZONE_ID,
  IDENTITY_SOURCE,
} from "../../constructs/websocket-edge-rules";
import { EDGE_RULE_SAMPLES } from "../support/edge-rule-samples";

describe("edge rules", () => {
  test.each(EDGE_RULE_SAMPLES.map((s) => [s.name, s]))("%s accepts and rejects its samples", (_name, s) => {
    for (const good of s.good) expect([good, s.rule.test(good)]).toEqual([good, true]);
    for (const bad of s.bad) expect([bad, s.rule.test(bad)]).toEqual([bad, false]);
  });

  test("throw the house error naming the setting, and skip unset values", () => {
    expect(() => API_MAPPING_KEY.check("chat.domain.mappingKey", "a/b")).toThrow(/^chat\.domain\.mappingKey must be 1 to 300 letters.*, got "a\/b": use one path segment/);
    expect(() => DOMAIN_NAME.check("domain_name", undefined)).not.toThrow();
  });

  test("write a Terraform validation block, nullable for optional variables", () => {
    expect(HOSTED_ZONE_ID.hcl("domain_hosted_zone_id", { nullable: true })).toEqual({
      condition: '${var.domain_hosted_zone_id == null || can(regex("^[A-Z0-9]{1,32}$", var.domain_hosted_zone_id))}',
      errorMessage: `domain_hosted_zone_id must be ${HOSTED_ZONE_ID.rule}: ${HOSTED_ZONE_ID.fix}.`,
    });
    expect(IDENTITY_SOURCE.hcl("x").condition).toBe(`\${${IDENTITY_SOURCE.condition("var.x")}}`);
  });

  test("keep the patterns free of what RE2 cannot read (lookaround, backreferences)", () => {
    for (const rule of [API_MAPPING_KEY, AUTHORIZER_FUNCTION_ARN, CERTIFICATE_ARN, DOMAIN_NAME, HOSTED_ZONE_ID, IDENTITY_SOURCE]) {
      expect(rule.source).not.toMatch(/\(\?[=!<]|\\[1-9]/);
    }
  });
});
