import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../helpers";

/**
 * The registry of documented commands: every command of this project that
 * README.md, docs/*.md, the module READMEs or `help` name, mapped to the
 * test (or CI step) that runs it. `__tests__/scripts/commands.test.ts`
 * extracts the commands from those documents and fails for any without an
 * entry here, and checks that each entry's runner really runs its command.
 *
 * A command is known by its key: the words before its arguments
 * (`npm run local -- websocket-nlb --once` is `npm run local`).
 */

/** Where a command is run, and what in that file shows it. */
export interface Runner {
  /** A file relative to the project folder: a jest test file, `.ci/run`, or `package.json`. */
  readonly file: string;
  /** Every one of these must match the file's text. */
  readonly evidence: readonly RegExp[];
}

export interface CommandEntry {
  /** The command's key, as the documents write it. */
  readonly command: string;
  /** How it is run, in a few words (for docs/testing.md and failure messages). */
  readonly how: string;
  /** The tests or CI steps that run it; at least one. */
  readonly runBy: readonly Runner[];
  /**
   * The runner is on another engineer's branch, not merged yet. The check
   * tolerates this entry ONLY while its test file does not exist and
   * `mergedWhen` (a path that branch adds) does not exist either; once merged,
   * it is checked like every other entry.
   * @default - not pending: checked now
   */
  readonly pending?: { readonly branch: string; readonly mergedWhen: string };
}

const NPM_COMMANDS = "test|ci|install|i|version|start|exec|publish|pack|link|update";
const CDKTF_COMMANDS = "synth|deploy|diff|destroy|get|init|plan|watch|output|list|convert|provider";
/** A command starts at the start of a line, after a space, `(`, a backtick, `=` (env assignment) or `;`/`&`/`|`. */
const START = "(?<![\\w./:-])";
const PATTERNS: ReadonlyArray<[RegExp, (m: RegExpExecArray) => string]> = [
  [new RegExp(`${START}npm run(?:-script)? ([a-z][\\w:.-]*[\\w])`, "g"), (m) => `npm run ${m[1]}`],
  [new RegExp(`${START}npm (${NPM_COMMANDS})\\b(?![\\w-])`, "g"), (m) => `npm ${m[1]}`],
  [
    new RegExp(`${START}node (scripts/[\\w.-]+\\.js)(?: ((?:scripts/)?[\\w./-]+\\.ts))?`, "g"),
    (m) => (m[1] === "scripts/run.js" && m[2] ? `node ${m[1]} ${m[2]}` : `node ${m[1]}`),
  ],
  [new RegExp(`${START}(?:npx )?cdktf (${CDKTF_COMMANDS})\\b(?![\\w-])`, "g"), (m) => `cdktf ${m[1]}`],
  [new RegExp(`${START}(?:\\./)?\\.ci/run\\b`, "g"), () => ".ci/run"],
];

/** The command keys a text names, each once, in order of first appearance. */
export function commandsIn(text: string): string[] {
  const found: Array<[number, string]> = [];
  for (const [pattern, key] of PATTERNS) for (const m of text.matchAll(pattern)) found.push([m.index!, key(m as RegExpExecArray)]);
  return [...new Set(found.sort((a, b) => a[0] - b[0]).map(([, k]) => k))];
}

const FRESH_CLONE = "__tests__/clone/fresh-clone.test.ts";
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Run by the fresh-clone test, through its `ok("<command line>")` or `run("<command line>")`. */
function freshClone(command: string, how: string, line = command): CommandEntry {
  if (commandsIn(line)[0] !== command) throw new Error(`the fresh-clone command line must be a ${command} command, got ${line}`);
  return { command, how, runBy: [{ file: FRESH_CLONE, evidence: [new RegExp(`\\b(?:ok|run)\\(\\s*"${escape(line)}[ "]`)] }] };
}

/** Run by `npm test` (package.json's `test` script: scripts/test.ts runs each suite's npm script), which `.ci/run` runs on a clean clone. */
function viaNpmTest(script: string, how: string): CommandEntry {
  return {
    command: `npm run ${script}`,
    how: `${how}; run by \`npm test\``,
    runBy: [
      { file: "package.json", evidence: [/"test": "node scripts\/run\.js scripts\/test\.ts"/] },
      { file: "scripts/test.ts", evidence: [new RegExp(`\\{ name: "[\\w-]+", script: "${escape(script)}", jest: (true|false), nice: \\d+ \\}`)] },
    ],
  };
}

/** Run by `npm run test:quick` (scripts/test.ts, QUICK_SUITES), which `npm test`'s clone suite runs in its fresh clone of the working tree. */
function viaTestQuick(script: string, how: string): CommandEntry {
  return {
    command: `npm run ${script}`,
    how: `${how}; run by \`npm run test:quick\`, which \`npm test\` runs in the clone suite's fresh clone of the working tree`,
    runBy: [
      { file: "scripts/test.ts", evidence: [new RegExp(`\\{ name: "[\\w-]+", script: "${escape(script)}", jest: false, nice: \\d+ \\}`)] },
      { file: FRESH_CLONE, evidence: [/\b(?:ok|run)\(\s*"npm run test:quick /] },
    ],
  };
}

export const COMMANDS: readonly CommandEntry[] = [
  // What CI runs on a clean clone.
  {
    command: ".ci/run",
    how: "the CI entry point: the CI runner executes it on a clean clone; it runs `npm ci`, `npm run synth` and `npm test`",
    runBy: [{ file: ".ci/run", evidence: [/^npm ci\b/m, /^npm run synth$/m, /^npm test$/m] }],
  },
  { command: "npm ci", how: "by `.ci/run` on a clean clone", runBy: [{ file: ".ci/run", evidence: [/^npm ci\b/m] }] },
  { command: "npm test", how: "by `.ci/run` on a clean clone", runBy: [{ file: ".ci/run", evidence: [/^npm test$/m] }] },
  viaTestQuick("typecheck", "the type check"),
  viaTestQuick("lint", "Prettier (`--check`) and ESLint (`--max-warnings 0`)"),
  viaNpmTest("test:unit", "the unit suite"),
  viaNpmTest("test:terraform", "the terraform suite"),
  viaNpmTest("test:e2e", "the e2e suite"),
  viaNpmTest("test:gateway", "the local WebSocket gateway suite"),
  viaNpmTest("test:clone", "the fresh-clone suite"),

  // Run from a fresh clone of the working tree (no dist/, cdktf.out/, .tmp/, .terraform-cli/).
  freshClone(
    "npm run test:quick",
    "from a fresh clone, on one unit test file (type check, lint and that file); the same script as `npm test`, in its --quick mode",
    "npm run test:quick -- __tests__/stacks/layout.test.ts",
  ),
  freshClone("npm run synth", "from a fresh clone"),
  freshClone("cdktf synth", "from a fresh clone, as `npx cdktf synth` (the CLI runs cdktf.json's app)", "npx cdktf synth"),
  {
    command: "node scripts/run.js main.ts",
    how: "what `npm run synth` runs (package.json), from a fresh clone",
    runBy: [
      { file: "package.json", evidence: [/"synth": "node scripts\/run\.js main\.ts"/] },
      { file: FRESH_CLONE, evidence: [/\b(?:ok|run)\(\s*"npm run synth"/] },
    ],
  },
  freshClone("npm run docs", "from a fresh clone; the tree stays unchanged"),
  freshClone("npm run modules", "from a fresh clone: `--check`, and after `npm version` as a release does", "npm run modules -- --check"),
  freshClone(
    "npm version",
    "from a fresh clone, as a release does: `npm version 99.0.0 --no-git-tag-version`, then `npm run modules`",
    "npm version 99.0.0 --no-git-tag-version",
  ),
  freshClone("npm run package", "from a fresh clone"),
  freshClone(
    "npm run capacity",
    "from a fresh clone: the chat at 50,000 connections and 2,000 messages a second, and a module idle",
    "npm run capacity -- chat --connections 50000 --messages-per-second 2000",
  ),
  freshClone(
    "npm run guardrails",
    "from a fresh clone, on the committed modules/websocket-nlb folder, writing SARIF",
    "npm run guardrails -- modules/websocket-nlb --sarif",
  ),
  freshClone("npm run bench", "from a fresh clone, in quick mode (every measurement once)", "npm run bench -- --quick"),
  freshClone(
    "node scripts/terraform-env.js",
    "from a fresh clone (`terraform version` in the project's Terraform environment)",
    "node scripts/terraform-env.js terraform version",
  ),
  {
    command: "node scripts/run.js scripts/hcp-upload.ts",
    how: "an upload to a stub of the HCP Terraform API on loopback; from a fresh clone, without a token",
    runBy: [
      {
        file: "__tests__/scripts/hcp-upload.test.ts",
        evidence: [/spawn\(process\.execPath, \[path\.join\(PROJECT_DIR, "scripts", "run\.js"\), "scripts\/hcp-upload\.ts"/],
      },
      { file: FRESH_CLONE, evidence: [/\b(?:ok|run)\(\s*"node scripts\/run\.js scripts\/hcp-upload\.ts /] },
    ],
  },

  {
    command: "npm run verify",
    how: "from a fresh clone: `--help`, and recorded outputs of a module that fail cleanly (no AWS reachable); the `Verify:` line of `npm run local -- chat` against the emulator and its local gateway (gateway suite)",
    runBy: [
      { file: FRESH_CLONE, evidence: [/\b(?:ok|run)\(\s*"npm run verify -- --help"/, /\b(?:ok|run)\(\s*"npm run verify -- --outputs /] },
      { file: "__tests__/local-gateway/checks/verify.ts", evidence: [/Verify: npm run verify -- --local/, /spawn\("sh", \["-c", `\$\{command\}/] },
    ],
  },
  {
    command: "node scripts/run.js scripts/release.ts",
    how: "the CI release job's command, run in a scratch repository (a clone of HEAD with a bare origin and a stand-in gh)",
    runBy: [
      { file: "__tests__/clone/release.test.ts", evidence: [/"node scripts\/run\.js scripts\/release\.ts 2>&1"/] },
      { file: ".github/workflows/ci.yml", evidence: [/run: node scripts\/run\.js scripts\/release\.ts$/m] },
    ],
  },

  // Run by other engineers' tests (pending merge: see `pending`).
  {
    command: "npm run local",
    how: "`npm run local -- websocket-nlb-custom-domain --once --authorizer <file>` from a fresh clone, and `npm run local -- chat` with a CUSTOM authorizer and a custom domain, against the emulator (the local gateway's tests)",
    runBy: [{ file: "__tests__/local-gateway/local-command.test.ts", evidence: [/npm run local/, /"--once"/, /npm: true/] }],
    pending: { branch: "gateway (issue 12, the local WebSocket gateway)", mergedWhen: "local-gateway" },
  },
  ...(["deploy", "diff", "destroy"] as const).map((verb): CommandEntry => ({
    command: `npm run ${verb}`,
    how: `\`npm run ${verb} -- chat\` through the cdktf CLI against the emulator: the chat configuration's ${verb === "deploy" ? "deployment" : verb === "diff" ? "second plan" : "destroy"} (e2e)`,
    runBy: [
      { file: "__tests__/support/deployments.ts", evidence: [/npmRun\(script, \["chat", \.\.\.args\], env\)/, new RegExp(`cli\\("${verb}", \\[`)] },
      { file: "__tests__/e2e/chat.test.ts", evidence: [/describeDeployment\(/, /\bCHAT\b/] },
    ],
  })),
  {
    command: "cdktf deploy",
    how: "what `npm run deploy` runs (package.json), through the cdktf CLI against the emulator (e2e)",
    runBy: [
      { file: "package.json", evidence: [/"deploy": "node scripts\/terraform-env\.js cdktf deploy"/] },
      { file: "__tests__/support/deployments.ts", evidence: [/npmRun\(script, \["chat", \.\.\.args\], env\)/, /cli\("deploy", \[/] },
      { file: "__tests__/e2e/chat.test.ts", evidence: [/describeDeployment\(/, /\bCHAT\b/] },
    ],
  },
];

/**
 * Commands the documents name that are not this project's: they belong to
 * another program the docs describe, and no test here runs them.
 */
export const FOREIGN_COMMANDS: Readonly<Record<string, string>> = {
  "npm install": "the chat frontend's build, run by CodeBuild (or Amplify) in a checkout of its own repository (docs/chat.md)",
  "npm run build": "the chat frontend's build script, run by CodeBuild (or Amplify) in a checkout of its own repository (docs/chat.md)",
};

/** The documents whose commands must be registered: README.md, docs/*.md, the module READMEs and `help`. */
export function documents(projectDir = PROJECT_DIR): string[] {
  const inDir = (dir: string, keep: (name: string) => boolean) =>
    fs.existsSync(path.join(projectDir, dir))
      ? fs
          .readdirSync(path.join(projectDir, dir))
          .filter(keep)
          .sort()
          .map((f) => `${dir}/${f}`)
      : [];
  const modules = inDir("modules", () => true)
    .map((m) => `${m}/README.md`)
    .filter((f) => fs.existsSync(path.join(projectDir, f)));
  return ["README.md", "help", ...inDir("docs", (f) => f.endsWith(".md")), ...modules];
}

/** Every documented command, with the documents that name it. */
export function documentedCommands(projectDir = PROJECT_DIR): Map<string, string[]> {
  const all = new Map<string, string[]>();
  for (const doc of documents(projectDir)) {
    for (const c of commandsIn(fs.readFileSync(path.join(projectDir, doc), "utf8"))) all.set(c, [...(all.get(c) ?? []), doc]);
  }
  return all;
}

/** Whether an entry is pending and may not be checked yet (see {@link CommandEntry.pending}). */
export function isPendingMerge(entry: CommandEntry, projectDir = PROJECT_DIR): boolean {
  return (
    !!entry.pending && !fs.existsSync(path.join(projectDir, entry.pending.mergedWhen)) && entry.runBy.some((r) => !fs.existsSync(path.join(projectDir, r.file)))
  );
}
