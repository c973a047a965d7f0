/**
 * The release job of .github/workflows/ci.yml (on main, after the tests):
 * when package.json names a version that origin has no tag for, and
 * CHANGELOG.md has that version's section, tag the commit `v<version>`, push
 * the tag, and create a GitHub release of it with the registry archives of
 * `npm run package` attached and the CHANGELOG section as its notes. The
 * README's `?ref=v<version>` sources then resolve on any host.
 *
 *   node scripts/run.js scripts/release.ts
 *
 * - already tagged on origin (and released): says so and does nothing;
 *   tagged but without a release (a run that stopped after the push):
 *   creates the release of that tag;
 * - no `## [<version>] - <date>` section in CHANGELOG.md: fails, saying
 *   what to write (docs/modules.md, "Publishing a release").
 *
 * Needs `git` with `origin` (the checkout; its credentials push the tag) and
 * the GitHub CLI `gh` (GH_TOKEN; `gh release create`, REST API "Create a
 * release"). The tagger is git's committer identity (GIT_COMMITTER_NAME and
 * GIT_COMMITTER_EMAIL in the workflow). The test runs this against a scratch
 * repository with a bare one as origin and a stand-in `gh` on PATH.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { MODULE_NAMES } from "./lib/module-catalog";
import { parseChangelog } from "./lib/changelog";

/** Why the release cannot be made; printed without a stack trace. */
class ReleaseError extends Error {}

interface Ran {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: string[], cwd: string): Ran {
  const r = spawnSync(command, args, { cwd, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.error) throw new ReleaseError(`${command} could not be run (${r.error.message}): ${command === "gh" ? "install the GitHub CLI" : "is it installed?"}`);
  return { status: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

function must(command: string, args: string[], cwd: string): string {
  const r = run(command, args, cwd);
  if (r.status !== 0) throw new ReleaseError(`${command} ${args.join(" ")} failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** The release notes: the version's CHANGELOG.md section, without its heading; undefined when there is none. */
export function changelogSection(changelog: string, version: string): string | undefined {
  const section = parseChangelog(changelog).find((s) => s.name === version);
  if (!section) return undefined;
  const lines = changelog.split("\n");
  const start = lines.indexOf(section.heading);
  const end = lines.findIndex((l, i) => i > start && /^## \[/.test(l));
  return lines
    .slice(start + 1, end < 0 ? undefined : end)
    .join("\n")
    .trim();
}

/** What the release did, for the log and the tests. */
export type Outcome = "released" | "already released" | "released existing tag";

export function release(dir: string, log: (line: string) => void = console.log): Outcome {
  const { version } = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { version?: string };
  if (!version || !/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(version)) throw new ReleaseError(`package.json's version must be x.y.z, got ${JSON.stringify(version)}`);
  const tag = `v${version}`;
  const head = must("git", ["rev-parse", "HEAD"], dir).trim();

  const remote = must("git", ["ls-remote", "--tags", "origin", `refs/tags/${tag}`], dir).trim();
  if (remote) {
    if (run("gh", ["release", "view", tag, "--json", "tagName"], dir).status === 0) {
      log(`${tag} is already tagged on origin and released: nothing to do`);
      return "already released";
    }
    log(`${tag} is tagged on origin but has no release (a run stopped after pushing the tag): creating the release`);
  }

  const notes = changelogSection(fs.readFileSync(path.join(dir, "CHANGELOG.md"), "utf8"), version);
  if (notes === undefined)
    throw new ReleaseError(
      `CHANGELOG.md has no section for ${version}, the version package.json names: rename [Unreleased] to "## [${version}] - <YYYY-MM-DD>" (docs/modules.md, "Publishing a release") before releasing ${tag}`,
    );

  log(`${tag}: writing the registry archives (npm run package)`);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "release-"));
  try {
    must("npm", ["run", "--silent", "package", "--", "--out", out], dir);
    const archives = MODULE_NAMES.map((m) => path.join(out, `${m}-${version}.tar.gz`));
    for (const a of archives) if (!fs.existsSync(a)) throw new ReleaseError(`npm run package did not write ${path.basename(a)}`);

    if (!remote) {
      must("git", ["tag", "--annotate", tag, "--message", `${tag}\n\n${notes}`, head], dir);
      must("git", ["push", "origin", `refs/tags/${tag}`], dir);
      log(`${tag}: tagged ${head} and pushed the tag to origin`);
    }
    const notesFile = path.join(out, "notes.md");
    fs.writeFileSync(notesFile, `${notes}\n`);
    must("gh", ["release", "create", tag, ...archives, "--title", tag, "--notes-file", notesFile, "--verify-tag"], dir);
    log(`${tag}: released with ${archives.map((a) => path.basename(a)).join(" and ")}`);
    return remote ? "released existing tag" : "released";
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

// Run as an entry point (node scripts/run.js sets argv[1] to the compiled file), not when imported.
if (path.resolve(process.argv[1] ?? "") === __filename) {
  try {
    release(process.cwd());
  } catch (e) {
    console.error(`release: ${e instanceof Error ? e.message : String(e)}`);
    if (!(e instanceof ReleaseError) && e instanceof Error) console.error(e.stack);
    process.exit(1);
  }
}
