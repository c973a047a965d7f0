import { spawnSync } from "child_process";
import { EDGE_RULE_SAMPLES } from "../support/edge-rule-samples";
import { describeWith, removeWorkdir, workdir } from "../support/terraform";

/**
 * The edge rules' Terraform conditions (module variable validations) accept
 * and reject exactly what their JavaScript checks do: each rule's samples
 * through `terraform console` (RE2, HCL string escapes).
 */
describeWith(["terraform"])("edge rules in Terraform", () => {
  test("every condition agrees with its JavaScript check on every sample", () => {
    const dir = workdir("edge-rules");
    try {
      // One expression: a piped `terraform console` prints the last result only.
      const lists = EDGE_RULE_SAMPLES.map((s) => `[for v in jsondecode(${JSON.stringify(JSON.stringify([...s.good, ...s.bad]))}) : ${s.rule.condition("v")}]`);
      const r = spawnSync("terraform", ["console"], { cwd: dir, input: `jsonencode([${lists.join(", ")}])\n`, encoding: "utf8", env: { ...process.env, TF_IN_AUTOMATION: "1" } });
      expect(r.stderr).toBe("");
      const results = JSON.parse(JSON.parse(r.stdout.trim())) as boolean[][];
      EDGE_RULE_SAMPLES.forEach((s, i) => {
        const expected = [...s.good.map(() => true), ...s.bad.map(() => false)];
        expect({ rule: s.name, results: results[i] }).toEqual({ rule: s.name, results: expected });
      });
    } finally {
      removeWorkdir(dir);
    }
  });
});
