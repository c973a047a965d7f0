import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { runGuardrails } from "../../scripts/lib/guardrails-cli";
import { PROJECT_DIR } from "../helpers";

/**
 * `npm run guardrails` as a command (scripts/guardrails.ts): its exit codes
 * and messages on inputs that need no Terraform. The examples' plans are
 * checked in __tests__/terraform/examples.test.ts.
 */

let dir: string;
beforeAll(() => {
  fs.mkdirSync(path.join(PROJECT_DIR, ".tmp"), { recursive: true });
  dir = fs.mkdtempSync(path.join(PROJECT_DIR, ".tmp", "guardrails-cli-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs the command in this process, from `cwd`. */
function guardrails(args: string[], cwd = dir): { status: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const status = runGuardrails(args, cwd, { log: (l) => out.push(l), error: (l) => err.push(l) });
  return { status, out: out.map((l) => `${l}\n`).join(""), err: err.map((l) => `${l}\n`).join("") };
}

/** Runs the command as npm does: scripts/run.js from the project folder, INIT_CWD where npm was started. */
function guardrailsCommand(args: string[], cwd = dir): { status: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [path.join(PROJECT_DIR, "scripts", "run.js"), "scripts/guardrails.ts", ...args], {
    cwd: PROJECT_DIR,
    env: { ...process.env, INIT_CWD: cwd },
    encoding: "utf8",
  });
  return { status: r.status ?? -1, out: r.stdout, err: r.stderr };
}

const write = (name: string, content: unknown) => {
  fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
  fs.writeFileSync(path.join(dir, name), typeof content === "string" ? content : JSON.stringify(content));
};

describe("npm run guardrails", () => {
  test("passes the committed module folder (exit 0) and prints what it read, run as npm runs it", () => {
    const r = guardrailsCommand(["modules/websocket-nlb"], PROJECT_DIR);
    expect(r.out).toMatch(/^guardrails: \d+ rules on modules\/websocket-nlb \(Terraform JSON, 4 files, \d+ blocks\)$/m);
    expect(r.out).toMatch(/^0 errors, 0 warnings, 0 suppressions, \d+ informational findings \(--report-info prints them\): passes$/m);
    expect(r.status).toBe(0);
  });

  test("fails a folder whose findings are errors (exit 1), printing each as the synth does, and the suppression file beside it accepts them", () => {
    write("public/main.tf.json", { resource: { aws_lb: { nlb: { load_balancer_type: "network", internal: false, enable_cross_zone_load_balancing: true } } } });
    const failing = guardrails(["public"]);
    expect(failing.out).toContain(
      '  root: error: WSG-LB-001 error at aws_lb.nlb [aws_lb.nlb]: internal must be true, got false: set internal = true (PrivateLink.internal); a load balancer meant for the internet must say so: Guardrails.suppress(lb, "WSG-LB-001", "<why it is public>"). To accept it, add {"rule": "WSG-LB-001", "address": "aws_lb.nlb", "reason": "<why>"} to guardrails-suppressions.json (docs/guardrails.md).',
    );
    expect(failing.out).toMatch(/^1 error, 0 warnings, 0 suppressions: fails \(exit 1\), as the synth would$/m);
    expect(failing.status).toBe(1);
    write("public/guardrails-suppressions.json", {
      suppressions: [{ rule: "WSG-LB-001", address: "aws_lb.nlb", reason: "the demo's NLB is public on purpose" }],
    });
    const accepted = guardrails(["public"]);
    expect(accepted.out).toContain('WSG-LB-001 suppressed at aws_lb.nlb: "the demo\'s NLB is public on purpose" (silences aws_lb.nlb)');
    expect(accepted.status).toBe(0);
  });

  test.each([
    [[], /^guardrails: give one plan JSON file or folder, got none \(npm run guardrails -- /],
    [["a", "b"], /^guardrails: give one plan JSON file or folder, got "a" and "b"/],
    [["x", "--strict"], /^guardrails: unknown flag "--strict": the flags are --sarif, --suppressions/],
    [["missing.json"], /^guardrails: the input must be a plan JSON file or a folder of \.tf\.json files, got "missing\.json", which does not exist/],
    [["state.json"], /^guardrails: the input must be a plan as `terraform show -json <planfile>` writes it .*got state/],
    [["text.json"], /^guardrails: text\.json must be JSON, got text that does not parse .*: give the output of terraform show -json, not of terraform show/],
    [["hcl"], /^guardrails: the folder "hcl" must hold \.tf\.json files, got 1 HCL \.tf file\(s\): for HCL, plan it and give the plan/],
    [
      ["public", "--suppressions", "bad.json"],
      /^guardrails: bad\.json has 1 problem:\n {2}- bad\.json suppressions\[0\]\.reason must be a non-empty explanation/,
    ],
  ])("fails with exit 2 and says why when the command line or input is wrong: %j", (args, message) => {
    write("state.json", { format_version: "1.0", values: { root_module: {} } });
    write("text.json", "Terraform will perform the following actions:");
    write("hcl/main.tf", 'resource "aws_lb" "x" {}');
    write("public/main.tf.json", { resource: { aws_lb: { nlb: { internal: true, load_balancer_type: "network", enable_cross_zone_load_balancing: true } } } });
    write("bad.json", { suppressions: [{ rule: "WSG-LB-001", address: "aws_lb.nlb", reason: "" }] });
    const r = guardrails(args as string[]);
    expect(r.err).toMatch(message);
    expect(r.status).toBe(2);
  });
});
