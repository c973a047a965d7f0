import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/** Runs git in `cwd` and returns its standard output without the last newline; throws with its error output when it fails. */
export function git(cwd: string, args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync("git", args, { cwd, env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")} failed in ${cwd}: ${r.stderr}`);
  return r.stdout.replace(/\n$/, "");
}

/**
 * A commit of the working tree of the repository at `repo`, as `git add -A`
 * would stage it (tracked files as they are now, untracked ones that are not
 * ignored), without touching its index, HEAD or any ref: HEAD itself when
 * nothing differs. The commit is an object of the repository's own (a
 * dangling one, which `git gc` prunes), so a local clone has it.
 *
 * The fresh-clone tests check out this commit rather than HEAD, so they run
 * what the developer has (before, they tested the last commit, and a change
 * had to be committed first), and `npm test` type-checks and lints that tree
 * once, there, through `npm run test:quick` (scripts/test.ts).
 */
export function workingTreeCommit(repo: string): string {
  const head = git(repo, ["rev-parse", "HEAD"]);
  fs.mkdirSync(path.join(repo, ".tmp"), { recursive: true });
  const scratch = fs.mkdtempSync(path.join(repo, ".tmp", "working-tree-"));
  try {
    const index = path.join(scratch, "index");
    const gitIndex = git(repo, ["rev-parse", "--git-path", "index"]);
    // Starting from the real index (its file stats) spares git re-hashing every unchanged file.
    if (fs.existsSync(path.resolve(repo, gitIndex))) fs.copyFileSync(path.resolve(repo, gitIndex), index);
    const env = { ...process.env, GIT_INDEX_FILE: index };
    git(repo, ["add", "-A"], env);
    // node_modules is linked, not installed, in worktrees and clones: .gitignore's `node_modules/` matches a folder only.
    git(repo, ["rm", "-r", "-q", "--cached", "--ignore-unmatch", "node_modules"], env);
    const tree = git(repo, ["write-tree"], env);
    if (tree === git(repo, ["rev-parse", "HEAD^{tree}"])) return head;
    const who = {
      GIT_AUTHOR_NAME: "npm test",
      GIT_AUTHOR_EMAIL: "npm-test@localhost",
      GIT_COMMITTER_NAME: "npm test",
      GIT_COMMITTER_EMAIL: "npm-test@localhost",
    };
    return git(repo, ["commit-tree", tree, "-p", head, "-m", "npm test: the working tree"], { ...process.env, ...who });
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Clones the repository at `repo` into `clone` as a newcomer's fresh clone
 * of the working tree ({@link workingTreeCommit}): no dist/, cdktf.out/,
 * .tmp/, .local/ or .terraform-cli/, only the installed packages, linked
 * (`npm ci` needs the registry and takes a minute; .ci/run does it on its
 * clean clone). Returns the commit checked out.
 */
export function freshClone(repo: string, clone: string): string {
  const commit = workingTreeCommit(repo);
  git(path.dirname(clone), ["clone", "--quiet", "--no-checkout", repo, clone]);
  git(clone, ["checkout", "--quiet", commit]);
  fs.symlinkSync(path.join(repo, "node_modules"), path.join(clone, "node_modules"), "dir");
  // .gitignore's `node_modules/` matches a folder, not this link.
  fs.appendFileSync(path.join(clone, ".git", "info", "exclude"), "/node_modules\n");
  return commit;
}
