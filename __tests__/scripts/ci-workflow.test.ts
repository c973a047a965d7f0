import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../helpers";

// js-yaml 3 (a direct devDependency, the version ts-jest already brings) has no bundled types, so no typed import.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml: { safeLoad(text: string): unknown } = require("js-yaml");

const WORKFLOW = path.join(PROJECT_DIR, ".github", "workflows", "ci.yml");
const workflow = () => yaml.safeLoad(fs.readFileSync(WORKFLOW, "utf8")) as any;
const pkg = () => JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8"));

/** The `run` commands of a job, in order. */
const runs = (job: any): string[] => job.steps.filter((s: any) => s.run).map((s: any) => String(s.run).trim());
/** Index of the first step whose command is exactly `command`; -1 when none. */
const stepIndex = (job: any, command: string) => runs(job).indexOf(command);

describe("the CI workflow (.github/workflows/ci.yml)", () => {
  test("runs the README's two commands after npm ci: npm run synth, then npm test", () => {
    const job = workflow().jobs.test;
    const ci = stepIndex(job, "npm ci");
    const synth = stepIndex(job, "npm run synth");
    const test = stepIndex(job, "npm test");
    expect([ci, synth, test].every((i) => i >= 0)).toBe(true);
    expect(ci).toBeLessThan(synth);
    expect(synth).toBeLessThan(test);
    const readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
    expect(readme).toMatch(/npm ci && npm run synth/);
    expect(readme).toMatch(/^npm test\b/m);
  });

  test("installs the tools the test suites need, with Terraform recent enough for the chat stack", () => {
    const steps = workflow().jobs.test.steps;
    const terraform = steps.find((s: any) => String(s.uses ?? "").startsWith("hashicorp/setup-terraform@"));
    const [major, minor] = String(terraform.with.terraform_version).split(".").map(Number);
    expect(major > 1 || (major === 1 && minor >= 11)).toBe(true);
    expect(terraform.with.terraform_wrapper).toBe(false);
    expect(runs(workflow().jobs.test).some((r) => /pip install "moto\[server\]==5\.\d+\.\d+"/.test(r))).toBe(true);
    expect(steps.find((s: any) => String(s.uses ?? "").startsWith("actions/setup-node@")).with["node-version"]).toBeGreaterThanOrEqual(20);
  });

  test("checks that modules/ and the contract records match a fresh synth, with a command package.json has", () => {
    const job = workflow().jobs.modules;
    expect(stepIndex(job, "npm ci")).toBeGreaterThanOrEqual(0);
    expect(runs(job)).toContain("npm run modules -- --check");
    expect(stepIndex(job, "npm ci")).toBeLessThan(stepIndex(job, "npm run modules -- --check"));
    expect(pkg().scripts.modules).toBe("node scripts/run.js scripts/modules.ts");
  });

  test("synthesizes, then uploads cdktf.out/stacks/chat to the HCP Terraform workspace, only from main and after both checks", () => {
    const job = workflow().jobs["hcp-terraform"];
    expect(job.needs).toEqual(["test", "modules"]);
    expect(job.if).toMatch(/github\.event_name == 'push'/);
    expect(job.if).toMatch(/github\.ref == 'refs\/heads\/main'/);
    const synth = stepIndex(job, "npm run synth");
    const upload = runs(job).findIndex((r) => r.startsWith("node scripts/run.js scripts/hcp-upload.ts"));
    expect(stepIndex(job, "npm ci")).toBeLessThan(synth);
    expect(synth).toBeGreaterThanOrEqual(0);
    expect(upload).toBeGreaterThan(synth);
    expect(runs(job)[upload]).toMatch(/ cdktf\.out\/stacks\/chat$/);
    expect(fs.existsSync(path.join(PROJECT_DIR, "scripts", "hcp-upload.ts"))).toBe(true);
    // Organization and workspace through the variables the script and Terraform's cloud block read.
    expect(Object.keys(job.env)).toEqual(expect.arrayContaining(["TF_CLOUD_ORGANIZATION", "TF_WORKSPACE", "TF_CLOUD_HOSTNAME"]));
  });

  test("releases from main after both checks: scripts/release.ts with the job's token, the only job that may write", () => {
    const wf = workflow();
    const job = wf.jobs.release;
    expect(job.needs).toEqual(["test", "modules"]);
    expect(job.if).toMatch(/github\.event_name == 'push'/);
    expect(job.if).toMatch(/github\.ref == 'refs\/heads\/main'/);
    // It pushes a tag and creates a release: contents write, for this job only; one at a time, never cancelled.
    expect(job.permissions).toEqual({ contents: "write" });
    for (const [name, other] of Object.entries<any>(wf.jobs)) if (name !== "release") expect([name, other.permissions]).toEqual([name, undefined]);
    expect(job.concurrency).toMatchObject({ "cancel-in-progress": false });
    const release = stepIndex(job, "node scripts/run.js scripts/release.ts");
    expect(stepIndex(job, "npm ci")).toBeGreaterThanOrEqual(0);
    expect(stepIndex(job, "npm ci")).toBeLessThan(release);
    const step = job.steps.find((s: any) => s.run === "node scripts/run.js scripts/release.ts");
    // gh reads GH_TOKEN: the workflow's own token, not a stored secret; git tags as the committer.
    expect(step.env).toEqual({
      GH_TOKEN: "${{ github.token }}",
      GIT_COMMITTER_NAME: expect.any(String),
      GIT_COMMITTER_EMAIL: expect.stringMatching(/@/),
    });
    expect(fs.existsSync(path.join(PROJECT_DIR, "scripts", "release.ts"))).toBe(true);
    // The job's logic is tested on a scratch repository.
    expect(fs.readFileSync(path.join(PROJECT_DIR, "__tests__", "clone", "release.test.ts"), "utf8")).toMatch(/node scripts\/run\.js scripts\/release\.ts/);
  });

  test("gives the API token only to the upload step, from a secret, never on a command line", () => {
    const wf = workflow();
    const text = fs.readFileSync(WORKFLOW, "utf8");
    const uploadStep = wf.jobs["hcp-terraform"].steps.find((s: any) => String(s.run ?? "").includes("hcp-upload.ts"));
    expect(uploadStep.env.TF_API_TOKEN).toBe("${{ secrets.TF_API_TOKEN }}");
    expect(text.match(/secrets\.TF_API_TOKEN/g)).toHaveLength(1);
    for (const job of Object.values<any>(wf.jobs)) for (const r of runs(job)) expect(r).not.toMatch(/TOKEN|secrets\./);
    expect(wf.permissions).toEqual({ contents: "read" });
  });

  test("pins every action to a version", () => {
    for (const job of Object.values<any>(workflow().jobs)) {
      for (const step of job.steps.filter((s: any) => s.uses)) expect(step.uses).toMatch(/^[\w.-]+\/[\w.-]+@(v\d+(\.\d+)*|[0-9a-f]{40})$/);
    }
  });

  test("runs on pushes to main and on pull requests", () => {
    const on = workflow().on;
    expect(on.push.branches).toEqual(["main"]);
    expect(on).toHaveProperty("pull_request");
  });
});
