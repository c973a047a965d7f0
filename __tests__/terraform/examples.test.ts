import * as path from "path";
import { copyExample, describeWith, removeWorkdir, synthInto, terraform, workdir } from "../support/terraform";

describeWith(["terraform"])("HCL examples consume the synthesized modules", () => {
  let outdir: string;
  beforeAll(() => {
    outdir = workdir("examples-out");
    synthInto(outdir);
  });
  afterAll(() => removeWorkdir(outdir));

  test.each(["websocket-nlb", "websocket-alb", "websocket-nlb-for-each"])("examples/%s passes terraform init and validate", (example) => {
    const dir = workdir(`example-${example}`);
    try {
      copyExample(example, dir, outdir);
      terraform(dir, ["init", "-input=false", "-backend=false"]);
      expect(terraform(dir, ["validate"])).toMatch(/The configuration is valid/);
    } finally {
      removeWorkdir(dir);
    }
  });

  test("the module is used unchanged: its folder is the synthesized stack", () => {
    const dir = workdir("example-source");
    try {
      copyExample("websocket-alb", dir, outdir);
      terraform(dir, ["init", "-input=false", "-backend=false"]);
      const modules = require(path.join(dir, ".terraform", "modules", "modules.json"));
      const ws = modules.Modules.find((m: any) => m.Key === "websocket_api");
      expect(path.resolve(dir, ws.Dir)).toBe(path.join(outdir, "stacks", "websocket-alb"));
    } finally {
      removeWorkdir(dir);
    }
  });
});
