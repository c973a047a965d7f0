import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../helpers";
import { copyExample, describeWith, OFFLINE_PROVIDER, removeWorkdir, terraform, workdir, writeJson } from "../support/terraform";

describeWith(["terraform"])("HCL examples consume the committed modules", () => {
  test.each(["websocket-nlb", "websocket-alb", "websocket-nlb-for-each", "websocket-nlb-custom-domain"])(
    "examples/%s passes terraform init and validate",
    (example) => {
      const dir = workdir(`example-${example}`);
      try {
        copyExample(example, dir);
        terraform(dir, ["init", "-input=false", "-backend=false"]);
        expect(terraform(dir, ["validate"])).toMatch(/The configuration is valid/);
      } finally {
        removeWorkdir(dir);
      }
    },
  );

  test("the module is used unchanged: its folder is the committed modules/websocket-alb", () => {
    const dir = workdir("example-source");
    try {
      copyExample("websocket-alb", dir);
      terraform(dir, ["init", "-input=false", "-backend=false"]);
      const modules = JSON.parse(fs.readFileSync(path.join(dir, ".terraform", "modules", "modules.json"), "utf8"));
      const ws = modules.Modules.find((m: any) => m.Key === "websocket_api");
      expect(path.resolve(dir, ws.Dir)).toBe(path.join(PROJECT_DIR, "modules", "websocket-alb"));
    } finally {
      removeWorkdir(dir);
    }
  });

  // A fresh account's region has no API Gateway CloudWatch role: as written
  // (the seed READMEs' usage), the examples must apply there in one step, so
  // their stages ask for no logs, and nothing sets the account's role.
  test.each(["websocket-nlb", "websocket-alb"])(
    "examples/%s plans for a fresh account: no stage logging, no account setting (and the NLB example's tasks can pull their image)",
    (example) => {
      const dir = workdir(`example-plan-${example}`);
      try {
        copyExample(example, dir);
        writeJson(path.join(dir, "offline_override.tf.json"), { provider: { aws: OFFLINE_PROVIDER } });
        terraform(dir, ["init", "-input=false", "-backend=false"]);
        const output = terraform(dir, ["plan", "-input=false", "-lock=false", "-out=plan.bin"]);
        const plan = JSON.parse(terraform(dir, ["show", "-json", "plan.bin"]));
        const resources = (plan.resource_changes ?? []).filter((r: any) => r.mode === "managed");
        const stage = resources.find((r: any) => r.type === "aws_apigatewayv2_stage").change.after;
        expect(stage.access_log_settings).toEqual([]);
        expect(stage.default_route_settings[0].logging_level).toBe("OFF");
        expect(resources.filter((r: any) => r.type === "aws_api_gateway_account")).toEqual([]);
        if (example === "websocket-alb") {
          expect(output).not.toContain("Check block assertion failed");
          return;
        }
        // the NLB example sets logging_level as the seed does: the plan says what to set for logs
        expect(output.replace(/\s+/g, " ")).toContain('Set api_gateway_account_role = "existing" if the region has one');
        // and its private tasks have a way out for the image pull (NAT gateway, routes, HTTPS egress) and a backend that answers
        const byAddress = Object.fromEntries(resources.map((r: any) => [r.address, r.change.after]));
        expect(byAddress["aws_nat_gateway.main"]).toBeDefined();
        expect(byAddress["aws_route_table.private"].route).toEqual([expect.objectContaining({ cidr_block: "0.0.0.0/0" })]);
        expect(byAddress["aws_route_table_association.private[1]"]).toBeDefined();
        expect(byAddress["aws_security_group_rule.tasks_https_out"]).toMatchObject({
          type: "egress",
          from_port: 443,
          to_port: 443,
          protocol: "tcp",
          cidr_blocks: ["0.0.0.0/0"],
        });
        const [backend] = JSON.parse(byAddress["aws_ecs_task_definition.backend"].container_definitions);
        expect(backend).toMatchObject({
          image: "public.ecr.aws/docker/library/node:22-alpine",
          command: ["node", "-e", expect.stringContaining(".listen(3000)")],
        });
      } finally {
        removeWorkdir(dir);
      }
    },
  );
});
