import * as fs from "fs";
import * as path from "path";
import { parseAddressList } from "../../scripts/lib/address-list";
import { CHANGE_TYPES, isBreaking, names, parseChangelog, semver, unreleased } from "../../scripts/lib/changelog";
import {
  acceptsAllOf,
  interfaceOf,
  parseInterfaceRecord,
  parseType,
  refreshInterface,
  renderInterfaceRecord,
  unreleasedEntries,
} from "../../scripts/lib/interface-record";
import { addressListPath, interfaceRecordPath, MODULE_NAMES } from "../../scripts/lib/module-catalog";
import { CONTRACT_STACKS } from "../../scripts/lib/synthesized-stacks";
import { PROJECT_DIR } from "../helpers";

const read = (rel: string) => fs.readFileSync(path.join(PROJECT_DIR, rel), "utf8");
const changelog = () => parseChangelog(read("CHANGELOG.md"));
const version = () => JSON.parse(read("package.json")).version as string;

/** Checks that `[Unreleased]` names each change (in backticks), the breaking ones in a BREAKING entry; returns what is missing. */
function missingEntries(changes: { name: string; breaking: boolean; what: string }[]): string[] {
  const entries = unreleased(changelog()).entries;
  return changes
    .filter((c) => !entries.some((e) => names(e.text, c.name) && (!c.breaking || isBreaking(e.text))))
    .map((c) => `${c.what}: name \`${c.name}\` under [Unreleased] in CHANGELOG.md${c.breaking ? ", in an entry marked BREAKING" : ""}`);
}

describe("CHANGELOG.md", () => {
  test("follows Keep a Changelog 1.1.0: [Unreleased] first, then releases newest first, each dated, with its change types", () => {
    const text = read("CHANGELOG.md");
    expect(text).toMatch(/^# Changelog\n/);
    expect(text).toContain("[Keep a Changelog](https://keepachangelog.com/en/1.1.0/)");
    expect(text).toContain("[Semantic Versioning](https://semver.org/spec/v2.0.0.html)");
    const [first, ...releases] = changelog();
    expect(first.heading).toBe("## [Unreleased]");
    expect(releases.length).toBeGreaterThan(0);
    for (const r of releases) {
      expect(r.heading).toMatch(/^## \[\d+\.\d+\.\d+\] - \d{4}-\d{2}-\d{2}$/);
      for (const t of r.types) expect(CHANGE_TYPES).toContain(t);
      expect(r.entries.length).toBeGreaterThan(0);
    }
    for (const t of first.types) expect(CHANGE_TYPES).toContain(t);
    for (let i = 1; i < releases.length; i++) {
      const [newer, older] = [semver(releases[i - 1].name)!, semver(releases[i].name)!];
      expect(newer.join(".") !== older.join(".") && (newer[0] - older[0] || newer[1] - older[1] || newer[2] - older[2]) > 0).toBe(true);
      expect(releases[i - 1].date! >= releases[i].date!).toBe(true);
    }
  });

  test("the newest release is package.json's version, the modules' version", () => {
    expect(changelog()[1].name).toBe(version());
  });

  test("a release with BREAKING entries is a new major version", () => {
    const releases = changelog().slice(1);
    for (let i = 0; i + 1 < releases.length; i++) {
      if (releases[i].entries.some((e) => isBreaking(e.text)) && semver(releases[i + 1].name)![0] >= 1) {
        expect([releases[i].name, semver(releases[i].name)![0]]).toEqual([releases[i].name, semver(releases[i + 1].name)![0] + 1]);
      }
    }
  });

  test("names every module variable and output change since the last release under [Unreleased]", () => {
    const missing = MODULE_NAMES.flatMap((m) =>
      missingEntries(
        unreleasedEntries(parseInterfaceRecord(read(interfaceRecordPath(m)))).map((c) => ({
          name: c.name,
          breaking: !!c.entry.breaking,
          what: `${m}: ${c.kind.replace(/s$/, "")} ${c.entry.unreleased}`,
        })),
      ),
    );
    if (missing.length) throw new Error(missing.join("\n"));
  });

  test("names every resource address removed on purpose since the last release in a BREAKING entry", () => {
    const missing = CONTRACT_STACKS.flatMap((s) =>
      missingEntries([...parseAddressList(read(addressListPath(s))).removed.keys()].map((a) => ({ name: a, breaking: true, what: `${s}: resource replaced` }))),
    );
    if (missing.length) throw new Error(missing.join("\n"));
  });
});

describe("parseChangelog", () => {
  test("reads sections, change types and multi-line entries", () => {
    const sections = parseChangelog(
      "# Changelog\n\n## [Unreleased]\n\n### Added\n\n- `foo`: new\n  variable.\n\n## [1.0.0] - 2026-01-01\n\n### Fixed\n\n- x\n",
    );
    expect(sections.map((s) => [s.name, s.date])).toEqual([
      ["Unreleased", undefined],
      ["1.0.0", "2026-01-01"],
    ]);
    expect(sections[0].entries).toEqual([{ type: "Added", text: "`foo`: new variable." }]);
  });
});

describe("interface record", () => {
  const module = (variables: Record<string, any>, outputs: Record<string, any> = { url: { value: "x" } }) => ({ variable: variables, output: outputs });
  const base = interfaceOf(module({ api_name: { type: "string", nullable: false }, port: { type: "number", default: 3000, nullable: false } }));
  const record = refreshInterface(undefined, base, undefined, "1.0.0");

  test("a new module's interface is its baseline: nothing marked", () => {
    expect(unreleasedEntries(record)).toEqual([]);
    expect(record.variables.api_name).toEqual({ type: "string", required: true, nullable: false });
    expect(record.variables.port).toEqual({ type: "number", default: 3000, nullable: false });
  });

  test("marks an added optional variable and output, not breaking", () => {
    const next = refreshInterface(
      record,
      interfaceOf(
        module(
          {
            api_name: { type: "string", nullable: false },
            port: { type: "number", default: 3000, nullable: false },
            tags: { type: "map(string)", default: {} },
          },
          { url: { value: "x" }, arn: { value: "y" } },
        ),
      ),
    );
    expect(unreleasedEntries(next).map((e) => [e.kind, e.name, e.entry.unreleased, !!e.entry.breaking])).toEqual([
      ["variables", "tags", "added", false],
      ["outputs", "arn", "added", false],
    ]);
  });

  test("marks a new required variable, a removed output and a changed type as breaking", () => {
    const next = refreshInterface(
      record,
      interfaceOf(
        module(
          { api_name: { type: "list(string)", nullable: false }, port: { type: "number", default: 3000, nullable: false }, vpc_id: { type: "string" } },
          {},
        ),
      ),
    );
    expect(unreleasedEntries(next).map((e) => [e.name, e.entry.unreleased, !!e.entry.breaking])).toEqual([
      ["api_name", "changed", true],
      ["vpc_id", "added", true],
      ["url", "removed", true],
    ]);
    expect(next.variables.api_name.was).toEqual({ type: "string", required: true, nullable: false });
  });

  test("marks an object type that only gained optional attributes as a change that breaks nothing", () => {
    const routes = (type: string) =>
      module({
        api_name: { type: "string", nullable: false },
        port: { type: "number", default: 3000, nullable: false },
        routes: { type, default: {}, nullable: false },
      });
    const before = refreshInterface(undefined, interfaceOf(routes("map(object({ path = optional(string) }))")));
    const widened = refreshInterface(before, interfaceOf(routes("map(object({ path = optional(string), limit = optional(number) }))")));
    expect(unreleasedEntries(widened).map((e) => [e.name, e.entry.unreleased, !!e.entry.breaking])).toEqual([["routes", "changed", false]]);
    const required = refreshInterface(before, interfaceOf(routes("map(object({ path = optional(string), limit = number }))")));
    expect(unreleasedEntries(required).map((e) => [e.name, !!e.entry.breaking])).toEqual([["routes", true]]);
  });

  test("marks a changed default as a change that breaks nothing, compared with the release however often it changes", () => {
    const once = refreshInterface(
      record,
      interfaceOf(module({ api_name: { type: "string", nullable: false }, port: { type: "number", default: 8080, nullable: false } })),
    );
    const twice = refreshInterface(
      once,
      interfaceOf(module({ api_name: { type: "string", nullable: false }, port: { type: "number", default: 9090, nullable: false } })),
    );
    expect(twice.variables.port).toEqual({
      type: "number",
      default: 9090,
      nullable: false,
      unreleased: "changed",
      was: { type: "number", default: 3000, nullable: false },
    });
    const back = refreshInterface(twice, base);
    expect(unreleasedEntries(back)).toEqual([]);
  });

  test("clears the markers a release names, and keeps the others", () => {
    const changed = refreshInterface(
      record,
      interfaceOf(module({ port: { type: "number", default: 3000, nullable: false }, tags: { type: "map(string)", default: {} } })),
    );
    const released = refreshInterface(
      changed,
      interfaceOf(module({ port: { type: "number", default: 3000, nullable: false }, tags: { type: "map(string)", default: {} } })),
      (n) => n === "tags" || n === "api_name",
      "1.1.0",
    );
    expect(released.version).toBe("1.1.0");
    expect(released.variables).toEqual({ port: { type: "number", default: 3000, nullable: false }, tags: { type: "map(string)", default: {} } });
  });

  test("round-trips through its file, one line per name", () => {
    const text = renderInterfaceRecord("m", record);
    expect(text).toContain('\n    "api_name": {"type":"string","required":true,"nullable":false},\n');
    expect(parseInterfaceRecord(text)).toEqual(record);
  });
});

describe("acceptsAllOf (Terraform type constraints)", () => {
  test.each([
    ["string", "string"],
    [
      "map(object({ a = optional(string), b = optional(string) }))",
      "map(object({ a = optional(string), b = optional(string), c = optional(number), d = optional(number) }))",
    ],
    ["object({ a = string })", "object({ a = optional(string) })"],
    ["list(object({ x = object({ y = number }) }))", "list(object({ x = object({ y = number, z = optional(bool, true) }) }))"],
    ["tuple([string, number])", "tuple([string, number])"],
  ])("accepts every value of %s in %s", (was, now) => {
    expect(acceptsAllOf(was, now)).toBe(true);
  });

  test.each([
    ["string", "number"],
    ["list(string)", "set(string)"],
    ["object({ a = optional(string) })", "object({ a = string })"],
    ["object({ a = string })", "object({ a = string, b = number })"],
    ["object({ a = string, b = number })", "object({ a = string })"],
    ["map(string)", "map(string"],
  ])("fails when %s becomes %s (callers must change, or the type cannot be read)", (was, now) => {
    expect(acceptsAllOf(was, now)).toBe(false);
  });

  test("reads optional attributes with defaults holding commas and brackets", () => {
    expect(parseType('object({ a = optional(list(string), ["x,y", "z)"]), b = any })')).toEqual({
      kind: "object",
      attributes: {
        a: { type: { kind: "collection", name: "list", element: { kind: "primitive", name: "string" } }, optional: true, default: '["x,y", "z)"]' },
        b: { type: { kind: "primitive", name: "any" }, optional: false },
      },
    });
  });
});
