import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../helpers";

/** Folders git ignores (made by the commands), never part of the layout. */
const IGNORED = new Set([".git", "node_modules", "dist", "cdktf.out", ".tmp", ".local", ".terraform-cli", ".terraform", ".gen", "coverage"]);
/** The folders whose every file docs/layout.md must describe, each in its own `## <folder>/` section. */
const DESCRIBED_FOLDERS = [
  "stacks",
  "stacks/module",
  "constructs",
  "constructs/rules",
  "constructs/guardrails",
  "scripts",
  "scripts/lib",
  "scripts/lib/verify",
];

/** The folders whose files stay under about MAX_LINES lines unless docs/layout.md says why not. */
const SIZE_CHECKED_FOLDERS = ["stacks", "constructs"];
const MAX_LINES = 300;

const read = (file: string) => fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");
/** Lines of a file as Prettier writes it (ending in a newline). */
const lineCount = (file: string) => read(file).replace(/\n$/, "").split("\n").length;
/** The TypeScript and JavaScript files under a folder, relative to the project folder. */
const sourceFiles = (folder: string): string[] =>
  fs
    .readdirSync(path.join(PROJECT_DIR, folder), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? sourceFiles(`${folder}/${e.name}`) : /\.[jt]s$/.test(e.name) ? [`${folder}/${e.name}`] : []));
const topLevelFolders = () =>
  fs
    .readdirSync(PROJECT_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !IGNORED.has(e.name) && !e.name.startsWith(".cdktf.out.partial-"))
    .map((e) => e.name)
    .sort();
/** The text of a `## <title>` section of docs/layout.md, up to the next `## `. */
const layoutSection = (title: string) => {
  const text = read("docs/layout.md");
  const start = text.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`docs/layout.md must have a section "## ${title}": add it with a table of its files`);
  const end = text.indexOf("\n## ", start + 1);
  return text.slice(start, end < 0 ? undefined : end);
};
/** The names in the first column of a section's table: `name` or `name/`. */
const listed = (section: string) => [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]);

describe("layout (docs/layout.md and the README's Layout section)", () => {
  test("the README's Layout names every top-level folder", () => {
    const layout = read("README.md").split("\n## Layout\n")[1] ?? "";
    const missing = topLevelFolders().filter((f) => !new RegExp(`^${f.replace(/\./g, "\\.")}/`, "m").test(layout));
    if (missing.length)
      throw new Error(`README.md's "## Layout" does not name ${missing.map((f) => `${f}/`).join(", ")}: add a line for each, starting with the folder`);
  });

  test("docs/layout.md's top-level table names every top-level folder, and nothing that is gone", () => {
    const names = listed(layoutSection("Top level"));
    const missing = topLevelFolders().filter((f) => !names.includes(`${f}/`));
    const gone = names.filter((n) => !fs.existsSync(path.join(PROJECT_DIR, n)));
    if (missing.length || gone.length)
      throw new Error(
        `docs/layout.md "## Top level": ${[...missing.map((f) => `add a row for ${f}/`), ...gone.map((n) => `remove ${n} (it does not exist)`)].join("; ")}`,
      );
  });

  test.each(DESCRIBED_FOLDERS)("docs/layout.md describes every file and folder directly under %s/, and nothing that is gone", (folder) => {
    const names = listed(layoutSection(`${folder}/`));
    const entries = fs.readdirSync(path.join(PROJECT_DIR, folder), { withFileTypes: true }).map((e) => (e.isDirectory() ? `${e.name}/` : e.name));
    const missing = entries.filter((e) => !names.includes(e));
    const gone = names.filter((n) => !entries.includes(n));
    if (missing.length || gone.length) {
      throw new Error(
        `docs/layout.md "## ${folder}/": ${[...missing.map((e) => `add a row for ${e}`), ...gone.map((n) => `remove ${n} (not in ${folder}/)`)].join("; ")}`,
      );
    }
  });

  test(`docs/layout.md lists every file of ${SIZE_CHECKED_FOLDERS.join("/ and ")}/ over ${MAX_LINES} lines, with a reason, and only those`, () => {
    const long = SIZE_CHECKED_FOLDERS.flatMap(sourceFiles)
      .filter((f) => lineCount(f) > MAX_LINES)
      .sort();
    const names = listed(layoutSection(`Files over ${MAX_LINES} lines`));
    const missing = long.filter((f) => !names.includes(f));
    const shorter = names.filter((n) => !long.includes(n));
    if (missing.length || shorter.length) {
      throw new Error(
        `docs/layout.md "## Files over ${MAX_LINES} lines": ${[
          ...missing.map((f) => `${f} has ${lineCount(f)} lines: split it along its concepts (keeping construct ids), or add a row saying why it is one`),
          ...shorter.map((n) => `remove ${n} (${fs.existsSync(path.join(PROJECT_DIR, n)) ? `${lineCount(n)} lines` : "gone"})`),
        ].join("; ")}`,
      );
    }
  });
});
