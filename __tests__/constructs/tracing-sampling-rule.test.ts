import { XraySamplingRule } from "@cdktf/provider-aws/lib/xray-sampling-rule";
import { TerraformVariable, Testing } from "cdktf";
import { TracingSamplingRule, TracingSamplingRuleProps } from "../../constructs/tracing-sampling-rule";
import { newStack } from "../helpers";

const rule = (props: Partial<TracingSamplingRuleProps> = {}, stack = newStack()) => ({
  stack,
  rule: new TracingSamplingRule(stack, "healthz", { ruleName: "chat-dev-health", urlPath: "/healthz", ...props }),
});

describe("TracingSamplingRule", () => {
  test("traces none of the matching GET requests, ahead of the account's Default rule", () => {
    // GIVEN / WHEN
    const { stack } = rule({ serviceName: "MyApp" });
    // THEN: fixed rate and reservoir 0, a priority below the Default rule's 10000, every other field a wildcard
    expect(Testing.synth(stack)).toHaveResourceWithProperties(XraySamplingRule, {
      rule_name: "chat-dev-health",
      url_path: "/healthz",
      http_method: "GET",
      service_name: "MyApp",
      fixed_rate: 0,
      reservoir_size: 0,
      priority: 100,
      service_type: "*",
      host: "*",
      resource_arn: "*",
      version: 1,
    });
  });

  test("matches every service when no service name is given, with the rate and priority given", () => {
    const { stack } = rule({ fixedRate: 0.05, reservoirSize: 1, priority: 9000, httpMethod: "*", tags: { team: "chat" } });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(XraySamplingRule, {
      service_name: "*",
      http_method: "*",
      fixed_rate: 0.05,
      reservoir_size: 1,
      priority: 9000,
      tags: { team: "chat" },
    });
  });

  test("fails when the rule name is longer than X-Ray allows", () => {
    expect(() => rule({ ruleName: "a".repeat(33) })).toThrow(
      `TracingSamplingRule.ruleName must be 1 to 32 letters, digits, hyphens or underscores, got "${"a".repeat(33)}": shorten the name`,
    );
  });

  test("fails when the priority is not one X-Ray accepts", () => {
    expect(() => rule({ priority: 10000 })).toThrow(
      "TracingSamplingRule.priority must be a whole number from 1 to 9999, got 10000: X-Ray evaluates rules from 1 upwards; the Default rule is 10000",
    );
  });

  test("fails when the fixed rate is not a fraction", () => {
    expect(() => rule({ fixedRate: 5 })).toThrow(
      "TracingSamplingRule.fixedRate must be a number from 0 to 1, got 5: give a fraction: 0 traces none, 0.05 traces 5 %",
    );
  });

  test("fails when the path is longer than X-Ray allows", () => {
    expect(() => rule({ urlPath: `/${"p".repeat(128)}` })).toThrow(
      /^TracingSamplingRule.urlPath must be 1 to 128 characters, got .*: give a path such as \/healthz$/,
    );
  });

  test("fails when the method is not an HTTP method", () => {
    expect(() => rule({ httpMethod: "get it" })).toThrow(
      'TracingSamplingRule.httpMethod must be an HTTP method of at most 10 capitals (or * for any), got "get it": use for example "GET"',
    );
  });

  test("does not check a path only Terraform knows", () => {
    const stack = newStack();
    const path = new TerraformVariable(stack, "path", { type: "string" }).stringValue;
    rule({ urlPath: path }, stack);
    expect(Testing.synth(stack)).toHaveResourceWithProperties(XraySamplingRule, { url_path: "${var.path}" });
  });
});
