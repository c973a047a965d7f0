// The release job of .github/workflows/ci.yml (scripts/release.ts), run as the
// job runs it, in a scratch repository: a clone of HEAD whose origin is a
// local bare repository, with a stand-in `gh` on PATH that records the
// release it is asked to create (and keeps the archives it was given). The
// workflow itself is checked by __tests__/scripts/ci-workflow.test.ts.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../helpers";
import { git } from "../support/fresh-clone";
import { readTarGz } from "../support/tar-reader";

const MINUTES = 60_000;
let dir: string;
let repo: string;
let origin: string;
let ghLog: string;
let releases: string;

/** Runs the job's command in the scratch repository, as the workflow step does. */
function releaseJob(): { status: number; output: string } {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(npm_|JEST_|WSGW_|TF_|CDKTF_|GIT_)/.test(k)) env[k] = v;
  const r = spawnSync("sh", ["-c", "node scripts/run.js scripts/release.ts 2>&1"], {
    cwd: repo,
    encoding: "utf8",
    timeout: 5 * MINUTES,
    env: {
      ...env,
      PATH: `${path.join(dir, "bin")}:${process.env.PATH}`,
      GH_LOG: ghLog,
      GH_RELEASES: releases,
      GIT_COMMITTER_NAME: "github-actions[bot]",
      GIT_COMMITTER_EMAIL: "41898282+github-actions[bot]@users.noreply.github.com",
      TMPDIR: path.join(dir, "tmp"),
    },
  });
  return { status: r.status ?? -1, output: r.stdout ?? "" };
}

/** What the stand-in gh was asked: one array of arguments per call. */
const ghCalls = (): string[][] =>
  fs.existsSync(ghLog)
    ? fs
        .readFileSync(ghLog, "utf8")
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];

beforeAll(() => {
  const base = path.join(PROJECT_DIR, ".tmp", "clone");
  fs.mkdirSync(base, { recursive: true });
  dir = fs.mkdtempSync(path.join(base, "release-"));
  for (const d of ["bin", "tmp", "releases"]) fs.mkdirSync(path.join(dir, d));
  ghLog = path.join(dir, "gh.log");
  releases = path.join(dir, "releases");
  // The scratch repository: a clone of HEAD, its origin a bare repository without tags.
  origin = path.join(dir, "origin.git");
  repo = path.join(dir, "repo");
  const head = git(PROJECT_DIR, ["rev-parse", "HEAD"]);
  git(dir, ["clone", "--quiet", "--bare", "--no-tags", PROJECT_DIR, origin]);
  for (const t of git(origin, ["tag", "--list"]).split("\n").filter(Boolean)) git(origin, ["tag", "--delete", t]);
  git(dir, ["clone", "--quiet", "--no-checkout", origin, repo]);
  git(repo, ["checkout", "--quiet", head]);
  fs.symlinkSync(path.join(PROJECT_DIR, "node_modules"), path.join(repo, "node_modules"), "dir");
  fs.appendFileSync(path.join(repo, ".git", "info", "exclude"), "/node_modules\n");
  // The stand-in GitHub CLI: `release view <tag>` succeeds once `release create <tag>` ran;
  // `release create` keeps the files it was given under $GH_RELEASES/<tag>/.
  fs.writeFileSync(
    path.join(dir, "bin", "gh"),
    `#!/usr/bin/env node
const fs = require("fs"), path = require("path");
const args = process.argv.slice(2);
fs.appendFileSync(process.env.GH_LOG, JSON.stringify(args) + "\\n");
const [group, verb, tag] = args;
const dir = path.join(process.env.GH_RELEASES, tag || "none");
if (group === "release" && verb === "view") process.exit(fs.existsSync(dir) ? 0 : 1);
if (group === "release" && verb === "create") {
  fs.mkdirSync(dir);
  for (const a of args.slice(3)) if (!a.startsWith("--") && fs.existsSync(a) && a.endsWith(".tar.gz")) fs.copyFileSync(a, path.join(dir, path.basename(a)));
  const notes = args[args.indexOf("--notes-file") + 1];
  fs.copyFileSync(notes, path.join(dir, "notes.md"));
  process.exit(0);
}
process.exit(2);
`,
    { mode: 0o755 },
  );
}, 2 * MINUTES);

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("the release job (scripts/release.ts) in a scratch repository", () => {
  const version = () => JSON.parse(fs.readFileSync(path.join(repo, "package.json"), "utf8")).version as string;

  test(
    "tags the commit v<version> on origin and creates a release with both registry archives and the CHANGELOG section as notes",
    () => {
      // GIVEN package.json's version, with its CHANGELOG section, and no tag on origin
      const tag = `v${version()}`;
      expect(git(origin, ["tag", "--list"])).toBe("");
      // WHEN
      const r = releaseJob();
      // THEN
      expect(r).toMatchObject({ status: 0 });
      expect(r.output).toContain(`${tag}: tagged ${git(repo, ["rev-parse", "HEAD"])} and pushed the tag to origin`);
      expect(git(origin, ["rev-parse", `${tag}^{commit}`])).toBe(git(repo, ["rev-parse", "HEAD"]));
      expect(git(origin, ["cat-file", "-t", tag])).toBe("tag");
      const create = ghCalls().find((c) => c[0] === "release" && c[1] === "create")!;
      expect(create.slice(0, 3)).toEqual(["release", "create", tag]);
      expect(create).toEqual(expect.arrayContaining(["--title", tag, "--verify-tag"]));
      const attached = fs.readdirSync(path.join(releases, tag)).filter((f) => f.endsWith(".tar.gz"));
      expect(attached.sort()).toEqual([`websocket-alb-${version()}.tar.gz`, `websocket-nlb-${version()}.tar.gz`]);
      for (const a of attached) {
        const members = readTarGz(fs.readFileSync(path.join(releases, tag, a))).map((m) => m.path);
        expect(members).toEqual(expect.arrayContaining(["README.md", "CHANGELOG.md"]));
      }
      const notes = fs.readFileSync(path.join(releases, tag, "notes.md"), "utf8");
      expect(notes).toMatch(/^### /);
      expect(fs.readFileSync(path.join(repo, "CHANGELOG.md"), "utf8")).toContain(notes.trim());
      // and the working tree is as it was
      expect(git(repo, ["status", "--porcelain", "--untracked-files=all"])).toBe("");
    },
    5 * MINUTES,
  );

  test("run again, the version being tagged and released: nothing to do", () => {
    const calls = ghCalls().length;
    const r = releaseJob();
    expect(r).toMatchObject({ status: 0 });
    expect(r.output.trim()).toBe(`v${version()} is already tagged on origin and released: nothing to do`);
    expect(
      ghCalls()
        .slice(calls)
        .map((c) => c.slice(0, 2)),
    ).toEqual([["release", "view"]]);
  });

  test(
    "a tag pushed by a run that stopped before the release: the release of that tag is created",
    () => {
      fs.rmSync(path.join(releases, `v${version()}`), { recursive: true });
      const r = releaseJob();
      expect(r).toMatchObject({ status: 0 });
      expect(r.output).toContain("is tagged on origin but has no release");
      expect(fs.readdirSync(path.join(releases, `v${version()}`)).filter((f) => f.endsWith(".tar.gz"))).toHaveLength(2);
    },
    5 * MINUTES,
  );

  test("fails when CHANGELOG.md has no section for the version package.json names, and tags nothing", () => {
    // GIVEN a version bumped without its CHANGELOG section
    const pkg = JSON.parse(fs.readFileSync(path.join(repo, "package.json"), "utf8"));
    fs.writeFileSync(path.join(repo, "package.json"), JSON.stringify({ ...pkg, version: "99.1.0" }, null, 2) + "\n");
    git(repo, ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--quiet", "-am", "version 99.1.0 without a changelog section"]);
    const calls = ghCalls().length;
    // WHEN
    const r = releaseJob();
    // THEN
    expect(r.status).toBe(1);
    expect(r.output.trim()).toBe(
      'release: CHANGELOG.md has no section for 99.1.0, the version package.json names: rename [Unreleased] to "## [99.1.0] - <YYYY-MM-DD>" (docs/modules.md, "Publishing a release") before releasing v99.1.0',
    );
    expect(git(origin, ["tag", "--list", "v99.1.0"])).toBe("");
    expect(ghCalls().slice(calls)).toEqual([]);
  });
});
