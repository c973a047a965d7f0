import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../../stacks/paths";
import { parseAddressList, refreshAddressList, renderAddressList, unmovedMessage } from "./address-list";
import { isBreaking, names, parseChangelog, unreleased } from "./changelog";
import { interfaceOf, parseInterfaceRecord, refreshInterface, renderInterfaceRecord, unreleasedEntries } from "./interface-record";
import { moduleAssets, moduleJson, moduleTerraformFiles } from "./module-files";
import { addressListPath, interfaceRecordPath, MODULE_NAMES, moduleDir } from "./module-catalog";
import { moduleReadme, moduleSources } from "./module-readme";
import { CONTRACT_STACKS, synthesizeDefaults } from "./synthesized-stacks";

/** What `npm run modules` writes, computed without writing anything. */
export interface Generation {
  /** Every generated file, by path relative to the project folder (a module's archive as bytes). */
  readonly files: Map<string, string | Buffer>;
  /** Folders whose other (non-hidden) files are stale and go. */
  readonly ownedDirs: string[];
  /** Address changes without moved blocks: nothing is written for those lists. */
  readonly problems: string[];
  /** Names the [Unreleased] section must still mention. */
  readonly changelogTodo: string[];
}

const read = (rel: string) => {
  const file = path.join(PROJECT_DIR, rel);
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
};
const same = (rel: string, content: string | Buffer) => {
  const file = path.join(PROJECT_DIR, rel);
  if (!fs.existsSync(file)) return false;
  return typeof content === "string" ? fs.readFileSync(file, "utf8") === content : fs.readFileSync(file).equals(content);
};

/**
 * Everything `npm run modules` generates from a fresh synth of the committed
 * defaults: modules/<name>/ (Terraform files and README), the interface
 * record of each module and the address list of every stack.
 * `acceptAddressChanges` records addresses that are gone without a moved
 * block as BREAKING removals instead of reporting them.
 */
export function generate(options: { acceptAddressChanges?: boolean; synthesized?: ReturnType<typeof synthesizeDefaults> } = {}): Generation {
  const synthesized = options.synthesized ?? synthesizeDefaults();
  const sources = moduleSources();
  const changelog = parseChangelog(read("CHANGELOG.md") ?? "");
  const pending = unreleased(changelog);
  const thisRelease = changelog.find((s) => s.name === sources.version);
  // A record refreshed at an older version, now that package.json has a new one: its marked
  // names are released when the new version's section names them and [Unreleased] no longer does.
  const releasedSince = (recordVersion: string | undefined) => (name: string) =>
    recordVersion !== sources.version && !!thisRelease?.entries.some((e) => names(e.text, name)) && !pending.entries.some((e) => names(e.text, name));

  const files = new Map<string, string | Buffer>();
  const problems: string[] = [];
  const changelogTodo: string[] = [];
  const mention = (name: string, breaking: boolean) => {
    const ok = pending.entries.some((e) => names(e.text, name) && (!breaking || isBreaking(e.text)));
    if (!ok) changelogTodo.push(breaking ? `BREAKING \`${name}\`` : `\`${name}\``);
  };

  for (const name of MODULE_NAMES) {
    const module = moduleJson(name, synthesized[name]);
    for (const [file, content] of Object.entries(moduleTerraformFiles(name, module))) files.set(path.join(moduleDir(name), file), content);
    for (const [file, content] of moduleAssets(name, module)) files.set(path.join(moduleDir(name), file), content);
    files.set(path.join(moduleDir(name), "README.md"), moduleReadme(name, module, sources));

    const committed = read(interfaceRecordPath(name));
    const before = committed ? parseInterfaceRecord(committed) : undefined;
    const record = refreshInterface(before, interfaceOf(module), releasedSince(before?.version), sources.version);
    files.set(interfaceRecordPath(name), renderInterfaceRecord(name, record));
    for (const { name: n, entry } of unreleasedEntries(record)) mention(n, !!entry.breaking);
  }

  for (const stack of CONTRACT_STACKS) {
    const committed = read(addressListPath(stack));
    const recorded = committed ? parseAddressList(committed) : undefined;
    const refresh = refreshAddressList(recorded, synthesized[stack], {
      accept: options.acceptAddressChanges,
      released: releasedSince(recorded?.version),
      version: sources.version,
    });
    if (refresh.unmoved.length) {
      const added = [...refresh.list.addresses.keys()].filter((a) => !recorded?.addresses.has(a));
      problems.push(unmovedMessage(stack, refresh.unmoved, added));
      continue;
    }
    files.set(addressListPath(stack), renderAddressList(stack, refresh.list));
    for (const address of refresh.list.removed.keys()) mention(address, true);
  }
  return { files, ownedDirs: MODULE_NAMES.map(moduleDir), problems, changelogTodo: [...new Set(changelogTodo)] };
}

/** Generated files whose committed content differs (or that are missing), and stale files in owned folders. */
export function drift(generation: Generation): { changed: string[]; stale: string[] } {
  const changed = [...generation.files].filter(([rel, content]) => !same(rel, content)).map(([rel]) => rel);
  const stale: string[] = [];
  // Files of owned folders that are not generated (any depth: the assets folder holds the archive).
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(PROJECT_DIR, dir), { withFileTypes: true })) {
      if (entry.name.startsWith(".")) continue;
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if ([...generation.files.keys()].some((f) => f.startsWith(`${rel}${path.sep}`))) walk(rel);
        else stale.push(rel);
      } else if (!generation.files.has(rel)) stale.push(rel);
    }
  };
  for (const dir of generation.ownedDirs) if (fs.existsSync(path.join(PROJECT_DIR, dir))) walk(dir);
  return { changed, stale };
}

/** Writes the generated files and removes stale ones; returns what changed. */
export function write(generation: Generation): { changed: string[]; stale: string[] } {
  const result = drift(generation);
  for (const rel of result.changed) {
    const file = path.join(PROJECT_DIR, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, generation.files.get(rel)!);
  }
  for (const rel of result.stale) fs.rmSync(path.join(PROJECT_DIR, rel), { recursive: true, force: true });
  return result;
}
