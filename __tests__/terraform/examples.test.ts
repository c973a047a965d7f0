import * as path from "path";
import { PROJECT_DIR } from "../helpers";
import { copyExample, describeWith, removeWorkdir, terraform, workdir } from "../support/terraform";

describeWith(["terraform"])("HCL examples consume the committed modules", () => {
  test.each(["websocket-nlb", "websocket-alb", "websocket-nlb-for-each", "websocket-nlb-custom-domain"])("examples/%s passes terraform init and validate", (example) => {
    const dir = workdir(`example-${example}`);
    try {
      copyExample(example, dir);
      terraform(dir, ["init", "-input=false", "-backend=false"]);
      expect(terraform(dir, ["validate"])).toMatch(/The configuration is valid/);
    } finally {
      removeWorkdir(dir);
    }
  });

  test("the module is used unchanged: its folder is the committed modules/websocket-alb", () => {
    const dir = workdir("example-source");
    try {
      copyExample("websocket-alb", dir);
      terraform(dir, ["init", "-input=false", "-backend=false"]);
      const modules = require(path.join(dir, ".terraform", "modules", "modules.json"));
      const ws = modules.Modules.find((m: any) => m.Key === "websocket_api");
      expect(path.resolve(dir, ws.Dir)).toBe(path.join(PROJECT_DIR, "modules", "websocket-alb"));
    } finally {
      removeWorkdir(dir);
    }
  });
});
