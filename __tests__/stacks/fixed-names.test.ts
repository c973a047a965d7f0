import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { Testing } from "cdktf";
import { Construct } from "constructs";
import { local, output, variable } from "../../stacks/fixed-names";

/** Synthesizes what `fn` declares inside a construct nested below the stack. */
const nested = (fn: (scope: Construct) => void) => JSON.parse(Testing.synthScope((stack) => fn(new Construct(new Construct(stack, "a"), "b"))));

describe("variable", () => {
  test("keeps its name below the stack, and is not nullable unless optional", () => {
    const json = nested((scope) => variable(scope, "api_name", { type: "string", description: "Name." }));
    expect(json.variable).toEqual({ api_name: { type: "string", description: "Name.", nullable: false } });
  });

  test("with a null default, is optional and nullable with that null default", () => {
    const json = nested((scope) => variable(scope, "vpc_id", { type: "string", default: null }));
    expect(json.variable).toEqual({ vpc_id: { type: "string", default: null, nullable: true } });
  });
});

describe("output", () => {
  test("keeps its name below the stack and writes depends_on as plain references", () => {
    // GIVEN / WHEN
    let group: CloudwatchLogGroup | undefined;
    const json = nested((scope) => {
      group = new CloudwatchLogGroup(scope, "logs", { name: "x" });
      output(scope, "log_group_name", { value: group.name, description: "Name.", dependsOn: [group] });
    });
    // THEN
    expect(json.output).toEqual({
      log_group_name: {
        value: `\${aws_cloudwatch_log_group.${group!.friendlyUniqueId}.name}`,
        description: "Name.",
        depends_on: [`aws_cloudwatch_log_group.${group!.friendlyUniqueId}`],
      },
    });
  });
});

describe("local", () => {
  test("keeps its name below the stack", () => {
    const json = nested((scope) => local(scope, "alb_arn", "${var.x}"));
    expect(json.locals).toEqual({ alb_arn: "${var.x}" });
  });
});
