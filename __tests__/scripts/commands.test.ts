import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../helpers";
import { FULL_SUITES } from "../../scripts/test";
import { COMMANDS, commandsIn, documentedCommands, documents, FOREIGN_COMMANDS, isPendingMerge } from "../support/commands";

const read = (file: string) => fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");
const pkg = () => JSON.parse(read("package.json"));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const jestConfig = () => require(path.join(PROJECT_DIR, "jest.config.js")) as { projects: Array<{ displayName: string; testMatch: string[] }> };

/** A testMatch glob of jest.config.js as a regular expression over paths relative to the project. */
function globToRegExp(glob: string): RegExp {
  let re = "";
  const g = glob.replace("<rootDir>/", "");
  for (let i = 0; i < g.length; i++) {
    const c = g[i];
    if (g.startsWith("**/", i)) {
      re += "(?:.*/)?";
      i += 2;
    } else if (c === "*") re += "[^/]*";
    else if (c === "{") {
      const end = g.indexOf("}", i);
      re += `(?:${g
        .slice(i + 1, end)
        .split(",")
        .map((p) => p.replace(/[.+^$()|[\]\\]/g, "\\$&"))
        .join("|")})`;
      i = end;
    } else re += c.replace(/[.+?^$()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/** The npm scripts `npm test` runs: each suite's (scripts/test.ts, FULL_SUITES), and the scripts those run. */
function scriptsRunByNpmTest(): Set<string> {
  const scripts = pkg().scripts as Record<string, string>;
  expect(scripts.test).toBe("node scripts/run.js scripts/test.ts");
  const seen = new Set<string>(["test", ...FULL_SUITES.map((s) => s.script)]);
  const queue = [...seen];
  while (queue.length) {
    for (const m of (scripts[queue.shift()!] ?? "").matchAll(/npm run ([\w:.-]+)/g)) {
      if (!seen.has(m[1])) {
        seen.add(m[1]);
        queue.push(m[1]);
      }
    }
  }
  return seen;
}

/** The jest projects `npm test` runs (`--selectProjects <name>` in a script it runs). */
function projectsRunByNpmTest(): Set<string> {
  const scripts = pkg().scripts as Record<string, string>;
  const names = new Set<string>();
  for (const s of scriptsRunByNpmTest()) for (const m of (scripts[s] ?? "").matchAll(/--selectProjects ([\w-]+)/g)) names.add(m[1]);
  return names;
}

describe("the command registry (__tests__/support/commands.ts)", () => {
  const documented = documentedCommands();

  test("reads README.md, help, every page of docs/ and the module READMEs", () => {
    expect(documents()).toEqual(expect.arrayContaining(["README.md", "help", "docs/testing.md", "docs/chat.md", "modules/websocket-nlb/README.md"]));
  });

  test("every command the documents name has an entry: a test that runs it", () => {
    const registered = new Set(COMMANDS.map((c) => c.command));
    const missing = [...documented]
      .filter(([c]) => !registered.has(c) && !(c in FOREIGN_COMMANDS))
      .map(([c, docs]) => `${docs.join(", ")} ${docs.length === 1 ? "names" : "name"} \`${c}\``);
    if (missing.length) {
      throw new Error(
        `${missing.join("\n")}\nbut the command registry has no entry for it: add one to COMMANDS in __tests__/support/commands.ts naming the test that runs it (from a fresh clone where it can: __tests__/clone/fresh-clone.test.ts), or stop naming it`,
      );
    }
  });

  test("every entry is a command the documents name (no stale entries)", () => {
    const stale = COMMANDS.filter((c) => !documented.has(c.command)).map((c) => c.command);
    expect(stale).toEqual([]);
    expect(Object.keys(FOREIGN_COMMANDS).filter((c) => !documented.has(c))).toEqual([]);
  });

  test("every entry's runner really runs its command", () => {
    const problems: string[] = [];
    for (const entry of COMMANDS) {
      if (isPendingMerge(entry)) continue;
      for (const runner of entry.runBy) {
        if (!fs.existsSync(path.join(PROJECT_DIR, runner.file))) {
          problems.push(
            `\`${entry.command}\`: ${runner.file} does not exist${entry.pending ? ` (the ${entry.pending.branch} branch is merged: ${entry.pending.mergedWhen} exists)` : ""}`,
          );
          continue;
        }
        const text = read(runner.file);
        for (const e of runner.evidence) if (!e.test(text)) problems.push(`\`${entry.command}\`: ${runner.file} does not match ${e} (${entry.how})`);
      }
    }
    expect(problems).toEqual([]);
  });

  test("a pending entry is tolerated only while its test file and its branch's marker are both missing", () => {
    for (const c of COMMANDS.filter((c) => isPendingMerge(c))) {
      console.warn(`PENDING: \`${c.command}\` is run by ${c.runBy.map((r) => r.file).join(", ")}, on the ${c.pending!.branch} branch, not merged yet`);
    }
    const dir = fs.mkdtempSync(path.join(PROJECT_DIR, ".tmp", "pending-"));
    try {
      const entry = {
        command: "npm run x",
        how: "x",
        runBy: [{ file: "__tests__/x/x.test.ts", evidence: [/x/] }],
        pending: { branch: "x", mergedWhen: "x-folder" },
      };
      expect(isPendingMerge(entry, dir)).toBe(true);
      fs.mkdirSync(path.join(dir, "x-folder"));
      expect(isPendingMerge(entry, dir)).toBe(false); // merged, but the file is missing: checked (and fails)
      fs.rmdirSync(path.join(dir, "x-folder"));
      fs.mkdirSync(path.join(dir, "__tests__", "x"), { recursive: true });
      fs.writeFileSync(path.join(dir, "__tests__", "x", "x.test.ts"), "");
      expect(isPendingMerge(entry, dir)).toBe(false); // the file exists: checked
      expect(isPendingMerge({ ...entry, pending: undefined }, path.join(dir, "nothing"))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("every test file that runs a command belongs to a jest project that npm test runs", () => {
    const projects = jestConfig().projects;
    const run = projectsRunByNpmTest();
    const problems: string[] = [];
    for (const entry of COMMANDS.filter((c) => !isPendingMerge(c))) {
      for (const file of entry.runBy.map((r) => r.file).filter((f) => f.endsWith(".test.ts"))) {
        const project = projects.find((p) => p.testMatch.some((g) => globToRegExp(g).test(file)));
        if (!project) problems.push(`${file} (\`${entry.command}\`) matches no jest project's testMatch`);
        else if (!run.has(project.displayName))
          problems.push(`${file} (\`${entry.command}\`) is in the jest project ${project.displayName}, which no script of npm test selects`);
      }
    }
    expect(problems).toEqual([]);
  });

  test("every npm run command of the registry is a script of package.json", () => {
    const scripts = pkg().scripts;
    const missing = COMMANDS.filter((c) => c.command.startsWith("npm run ") && !isPendingMerge(c))
      .map((c) => c.command.slice("npm run ".length))
      .filter((s) => !(s in scripts));
    expect(missing).toEqual([]);
  });

  test("the foreign commands are not this project's", () => {
    for (const c of Object.keys(FOREIGN_COMMANDS)) if (c.startsWith("npm run ")) expect(pkg().scripts).not.toHaveProperty(c.slice("npm run ".length));
  });
});

describe("help", () => {
  test("is plain text in lines of at most 124 characters", () => {
    const help = read("help");
    // Tab and newline are the only control characters allowed: naming them is the point.
    // eslint-disable-next-line no-control-regex
    expect(help).not.toMatch(/[^\x09\x0a\x20-\x7e]/);
    for (const line of help.split("\n")) expect([line, line.length <= 124]).toEqual([line, true]);
  });

  test("names every npm script", () => {
    const help = read("help");
    for (const script of Object.keys(pkg().scripts))
      expect([script, help.includes(script === "test" ? "npm test" : `npm run ${script}`)]).toEqual([script, true]);
  });
});

describe("commandsIn", () => {
  test("finds npm scripts with their arguments and environment, npm's own commands, scripts, the cdktf CLI and .ci/run", () => {
    const text = [
      "```sh",
      "npm ci && npm run synth   # writes cdktf.out",
      "WSGW_ACCEPT_ADDRESS_CHANGES=1 npm run modules",
      "TF_VAR_github_access_token=ghp_... npm run deploy -- chat",
      "```",
      "Run `npm run local -- websocket-nlb --once`, then `npm test`; `npm run deploy/diff/destroy` are `cdktf deploy/diff/destroy`.",
      "    node scripts/run.js scripts/hcp-upload.ts --organization <org> cdktf.out/stacks/chat",
      "    node scripts/terraform-env.js <cmd...>   and .ci/run, `npx cdktf synth`, npm version 1.2.3",
    ].join("\n");
    expect(commandsIn(text)).toEqual([
      "npm ci",
      "npm run synth",
      "npm run modules",
      "npm run deploy",
      "npm run local",
      "npm test",
      "cdktf deploy",
      "node scripts/run.js scripts/hcp-upload.ts",
      "node scripts/terraform-env.js",
      ".ci/run",
      "cdktf synth",
      "npm version",
    ]);
  });

  test("does not take prose for a command", () => {
    expect(commandsIn("the npm registry, npm packages, cdktf.out/, the cdktf CLI, `cdktf.json`, run by cdktf; .ci/runner; my-npm run x")).toEqual([]);
  });
});
