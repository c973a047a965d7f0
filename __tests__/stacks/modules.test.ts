import * as fs from "fs";
import * as path from "path";
import { drift, generate } from "../../scripts/lib/generate";
import { MODULE_NAMES, moduleDir } from "../../scripts/lib/module-catalog";
import { MODULE_REQUIRED_TERRAFORM, moduleJson, moduleTerraformFiles } from "../../scripts/lib/module-files";
import { examplesUsing, renderTemplate, versionConstraint } from "../../scripts/lib/module-readme";
import { backendCalls, backendContractTable } from "../../scripts/lib/module-tables";
import { synthesizeDefaults } from "../../scripts/lib/synthesized-stacks";
import { PROJECT_DIR } from "../helpers";

const read = (...parts: string[]) => fs.readFileSync(path.join(PROJECT_DIR, ...parts), "utf8");
/** The committed module's Terraform, all files merged. */
const committedModule = (name: string) => {
  const dir = path.join(PROJECT_DIR, moduleDir(name));
  const merged: any = {};
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".tf.json"))) Object.assign(merged, JSON.parse(read(moduleDir(name), f)));
  delete merged["//"];
  return merged;
};

let synthesized: ReturnType<typeof synthesizeDefaults>;
beforeAll(() => {
  synthesized = synthesizeDefaults();
}, 60_000);

describe("modules/ (npm run modules)", () => {
  test("the committed modules, their READMEs and the contract records are what a fresh synth generates (run `npm run modules` when this fails)", () => {
    const generation = generate({ synthesized });
    const { changed, stale } = drift(generation);
    const problems = [...generation.problems, ...changed.map((f) => `differs from a fresh synth: ${f}`), ...stale.map((f) => `not generated any more: ${f}`)];
    if (problems.length)
      throw new Error(`${problems.join("\n")}\nRun \`npm run modules\` and commit the result (see CHANGELOG.md for the entries a changed interface needs).`);
  });

  test.each(MODULE_NAMES)("%s is a module for HCL: no backend, no provider configuration, the Terraform and provider versions it needs", (name) => {
    const module = committedModule(name);
    expect(module.terraform.backend).toBeUndefined();
    expect(module.provider).toBeUndefined();
    expect(module.terraform).toEqual({
      required_version: MODULE_REQUIRED_TERRAFORM,
      required_providers: { aws: { source: "aws", version: ">= 5.100.0, < 6.0.0" } },
    });
    expect(fs.readdirSync(path.join(PROJECT_DIR, moduleDir(name))).sort()).toEqual([
      "README.md",
      // the "managed" account function's code, which main.tf.json names as ${path.module}/assets/...
      "assets",
      "main.tf.json",
      "outputs.tf.json",
      "variables.tf.json",
      "versions.tf.json",
    ]);
    expect(JSON.parse(read(moduleDir(name), "variables.tf.json"))).toEqual({ "//": expect.stringContaining("npm run modules"), variable: module.variable });
  });

  test.each(MODULE_NAMES)("%s is the synthesized stack without cdktf's metadata", (name) => {
    const withoutComments = (v: any): any =>
      Array.isArray(v)
        ? v.map(withoutComments)
        : v && typeof v === "object"
          ? Object.fromEntries(
              Object.entries(v)
                .filter(([k]) => k !== "//")
                .map(([k, x]) => [k, withoutComments(x)]),
            )
          : v;
    const { required_version: version, ...terraform } = committedModule(name).terraform;
    expect(version).toBe(MODULE_REQUIRED_TERRAFORM);
    expect(withoutComments(synthesized[name])).toEqual({ ...committedModule(name), terraform });
  });

  test.each(MODULE_NAMES)("%s's README has a row for every variable and output, with its default", (name) => {
    const readme = read(moduleDir(name), "README.md");
    const module = committedModule(name);
    for (const [v, block] of Object.entries<any>(module.variable)) {
      const row = readme.split("\n").find((l) => l.includes(`<a name="input_${v}"></a>`));
      expect([v, row]).toEqual([
        v,
        expect.stringContaining("default" in block ? `\`${JSON.stringify(block.default).replace(/\|/g, "\\|")}\` | no |` : "n/a | yes |"),
      ]);
    }
    for (const o of Object.keys(module.output)) expect(readme).toContain(`<a name="output_${o}"></a>`);
    expect(readme).toContain(`${name}?ref=v${JSON.parse(read("package.json")).version}`);
  });

  test.each(MODULE_NAMES)("%s's README says what API Gateway sends the backend, read from the module's routes", (name) => {
    const readme = read(moduleDir(name), "README.md");
    expect(readme).toContain("## What API Gateway sends your backend");
    for (const row of [
      "| a client connects | `$connect` | `POST` `/connect` |",
      "| a client disconnects (or the connection is closed) | `$disconnect` | `POST` `/disconnect` |",
      "| a frame that matches no other route | `$default` | `POST` `/default` |",
    ]) {
      expect(readme).toContain(row);
    }
    const calls = backendCalls(committedModule(name));
    expect(calls.map((c) => c.routeKey).sort()).toEqual(["$connect", "$default", "$disconnect", "each `custom_routes` key"]);
    for (const c of calls)
      expect(c.headers).toEqual([
        "`connectionId` ($context.connectionId)",
        "`routeKey` ($context.routeKey)",
        "one per `authorizer_context_headers` entry ($context.authorizer.<key>)",
      ]);
    expect(calls.find((c) => c.routeKey === "$default")!.twoWay).toBe(true);
    expect(calls.find((c) => c.routeKey === "$connect")!.twoWay).toBe(false);
  });

  test('the README\'s "The modules from HCL" shows the git:: and registry sources of the current version', () => {
    const section = read("README.md").split("\n## The modules from HCL\n")[1]?.split("\n## ")[0] ?? "";
    const version = JSON.parse(read("package.json")).version;
    expect(section).toContain(`//modules/websocket-nlb?ref=v${version}`);
    expect(section).toContain("app.terraform.io/<organization>/websocket-nlb/aws");
    expect(section).toContain(`version = "${versionConstraint(version)}"`);
    expect(section).toContain("npm run package");
    for (const name of MODULE_NAMES) expect(section).toContain(`(modules/${name}/README.md)`);
  });

  test("the examples use the committed modules by the relative path that stands for their git:: source", () => {
    expect(examplesUsing("websocket-nlb").map((e) => e.folder)).toEqual(["websocket-nlb", "websocket-nlb-custom-domain", "websocket-nlb-for-each"]);
    expect(examplesUsing("websocket-alb").map((e) => e.folder)).toEqual(["websocket-alb"]);
    for (const folder of fs.readdirSync(path.join(PROJECT_DIR, "examples"))) expect(read("examples", folder, "main.tf")).not.toMatch(/cdktf\.out/);
  });
});

describe("moduleJson", () => {
  const stack = () => ({
    terraform: { required_providers: { aws: { source: "aws" } } },
    resource: { aws_lb: { nlb: { "//": { metadata: { path: "x/nlb" } }, internal: true } } },
  });

  test("drops cdktf's metadata and adds the Terraform version the modules need", () => {
    expect(moduleJson("m", { "//": { metadata: { backend: "local" } }, ...stack() })).toEqual({
      terraform: { required_version: MODULE_REQUIRED_TERRAFORM, required_providers: { aws: { source: "aws" } } },
      resource: { aws_lb: { nlb: { internal: true } } },
    });
  });

  test("fails when the stack has a backend", () => {
    expect(() => moduleJson("m", { ...stack(), terraform: { backend: { local: {} } } })).toThrow(
      "stack m must have no backend to be a module, got backend local",
    );
  });

  test("fails when the stack has a provider configuration", () => {
    expect(() => moduleJson("m", { ...stack(), provider: { aws: [{ region: "us-east-1" }] } })).toThrow(
      "stack m must declare providers in required_providers only to be a module, got provider blocks for aws",
    );
  });

  test("fails when cdktf metadata appears where it is not expected", () => {
    expect(() => moduleJson("m", { ...stack(), locals: { "//": "x" } })).toThrow(
      "stack m has cdktf metadata where module-files.ts does not expect it (locals.//)",
    );
  });

  test("splits the module into versions, variables, main and outputs files", () => {
    const files = moduleTerraformFiles("m", {
      terraform: { required_version: ">= 1.5.0" },
      variable: { a: { type: "string" } },
      resource: { aws_lb: { x: {} } },
      output: { o: { value: "1" } },
      moved: [{ from: "aws_lb.y", to: "aws_lb.x" }],
    });
    expect(Object.keys(files)).toEqual(["versions.tf.json", "variables.tf.json", "main.tf.json", "outputs.tf.json"]);
    expect(JSON.parse(files["main.tf.json"])).toEqual({
      "//": expect.any(String),
      resource: { aws_lb: { x: {} } },
      moved: [{ from: "aws_lb.y", to: "aws_lb.x" }],
    });
  });
});

describe("module README generation", () => {
  test("fails when a template names an unknown placeholder", () => {
    expect(() => renderTemplate("{{nope}}", { version: "1.0.0" }, () => "")).toThrow("README template placeholder {{nope}} is unknown: use one of version");
  });

  test("fails when an integration's URI has a shape the backend table does not know", () => {
    const json = {
      resource: {
        aws_apigatewayv2_route: { r: { route_key: "$connect", target: "integrations/${aws_apigatewayv2_integration.i.id}" } },
        aws_apigatewayv2_integration: { i: { integration_method: "POST", integration_uri: "http://${aws_lb.x.dns_name}:80/${var.path}" } },
      },
    };
    expect(() => backendContractTable(json)).toThrow("integration path must be a literal or the custom_routes coalesce, got /${var.path}");
  });

  test("the registry version constraint accepts compatible releases only", () => {
    expect(versionConstraint("1.0.0")).toBe("~> 1.0");
    expect(versionConstraint("2.3.1")).toBe("~> 2.3");
    expect(versionConstraint("0.4.2")).toBe("~> 0.4.0");
  });
});
