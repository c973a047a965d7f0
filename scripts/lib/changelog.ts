/**
 * CHANGELOG.md in the Keep a Changelog 1.1.0 format
 * (https://keepachangelog.com/en/1.1.0/): `## [Unreleased]` first, then
 * `## [x.y.z] - YYYY-MM-DD` per release, newest first, each with
 * `### Added` / `Changed` / `Deprecated` / `Removed` / `Fixed` / `Security`.
 */

/** The change types Keep a Changelog 1.1.0 defines. */
export const CHANGE_TYPES = ["Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"] as const;

export interface ChangelogSection {
  /** "Unreleased" or a version. */
  readonly name: string;
  /** Release date (YYYY-MM-DD) of a version section. */
  readonly date?: string;
  /** The heading line as written. */
  readonly heading: string;
  /** The entries (list items, continuation lines joined), by change type. */
  readonly entries: { readonly type: string; readonly text: string }[];
  /** `###` headings found in the section. */
  readonly types: string[];
}

/** The `## [...]` sections of a changelog, in file order. */
export function parseChangelog(text: string): ChangelogSection[] {
  const sections: { name: string; date?: string; heading: string; entries: { type: string; text: string }[]; types: string[] }[] = [];
  let type = "";
  for (const line of text.split("\n")) {
    const heading = /^## \[([^\]]+)\](?: - (\S+))?\s*$/.exec(line);
    if (heading) {
      sections.push({ name: heading[1], date: heading[2], heading: line, entries: [], types: [] });
      type = "";
      continue;
    }
    const current = sections[sections.length - 1];
    if (!current) continue;
    const sub = /^### (.+?)\s*$/.exec(line);
    if (sub) {
      type = sub[1];
      current.types.push(type);
    } else if (/^\s*[-*] /.test(line)) current.entries.push({ type, text: line.replace(/^\s*[-*] /, "").trim() });
    else if (/^\s+\S/.test(line) && current.entries.length) {
      const last = current.entries[current.entries.length - 1];
      last.text = `${last.text} ${line.trim()}`;
    }
  }
  return sections;
}

/** The `[Unreleased]` section; an empty one when the changelog has none. */
export function unreleased(sections: readonly ChangelogSection[]): ChangelogSection {
  return sections.find((s) => s.name === "Unreleased") ?? { name: "Unreleased", heading: "", entries: [], types: [] };
}

/** Whether an entry names `name` in backticks (`` `api_name` ``), so that prose mentioning the same word does not count. */
export function names(entryText: string, name: string): boolean {
  return entryText.includes(`\`${name}\``);
}

/** Whether an entry is marked as breaking callers. */
export function isBreaking(entryText: string): boolean {
  return /\bBREAKING\b/.test(entryText);
}

/** Semantic version parts; undefined when not x.y.z. */
export function semver(version: string): [number, number, number] | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}
