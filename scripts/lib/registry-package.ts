/**
 * The private-registry package of a module: a gzipped tar with the module at
 * its root, as HCP Terraform and Terraform Enterprise expect for a module
 * version uploaded through the API ("Terraform Cloud expects the module
 * version uploaded to be a gzip tarball with the module in the root (not in
 * a subdirectory)", with README.md at the root and examples/ inside:
 * https://developer.hashicorp.com/terraform/cloud-docs/api-docs/private-registry/modules#add-a-module-version-private-module).
 *
 *   README.md  CHANGELOG.md  versions.tf.json  variables.tf.json  main.tf.json  outputs.tf.json
 *   assets/<...>/deploy-actions.zip (the "managed" account function's code)
 *   examples/<example>/main.tf      (source = "../..": the module root of the archive)
 */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../../stacks/paths";
import { moduleDir } from "./module-catalog";
import { examplesUsing } from "./module-readme";
import { TarEntry, tarGz } from "./tar";

/** The archive's file name: `<module>-<version>.tar.gz`. */
export const packageFileName = (name: string, version: string) => `${name}-${version}.tar.gz`;

/**
 * Rewrites a module README's links for the archive, where the examples and
 * the changelog sit beside it instead of two folders up.
 */
export function packageReadme(readme: string): string {
  return readme.replace(/\]\(\.\.\/\.\.\/examples\//g, "](examples/").replace(/\]\(\.\.\/\.\.\/CHANGELOG\.md\)/g, "](CHANGELOG.md)");
}

/** Points an example's module source (`../../modules/<name>`) at the archive's root. */
export function packageExample(text: string, name: string): string {
  const source = `"../../modules/${name}"`;
  if (!text.includes(source)) throw new Error(`example must use the module as source = ${source}, got none: it would not use the packaged module`);
  return text.split(source).join('"../.."');
}

/** The files of a module's archive, from the committed module folder, its examples and the changelog. */
export function registryPackageEntries(name: string): TarEntry[] {
  const dir = path.join(PROJECT_DIR, moduleDir(name));
  if (!fs.existsSync(path.join(dir, "README.md"))) throw new Error(`modules/${name} must exist with its README.md: run \`npm run modules\``);
  const entries: TarEntry[] = [];
  for (const file of filesUnder(dir)) {
    // The account function's archive (assets/...) as bytes; the Terraform files and README as text.
    if (file.startsWith("assets/")) {
      entries.push({ path: file, content: fs.readFileSync(path.join(dir, file)) });
      continue;
    }
    const content = fs.readFileSync(path.join(dir, file), "utf8");
    entries.push({ path: file, content: file === "README.md" ? packageReadme(content) : content });
  }
  entries.push({ path: "CHANGELOG.md", content: fs.readFileSync(path.join(PROJECT_DIR, "CHANGELOG.md"), "utf8") });
  for (const example of examplesUsing(name)) {
    const from = path.join(PROJECT_DIR, "examples", example.folder);
    for (const file of fs
      .readdirSync(from)
      .filter((f) => f.endsWith(".tf") || f.endsWith(".tf.json") || f === "README.md")
      .sort()) {
      const text = fs.readFileSync(path.join(from, file), "utf8");
      entries.push({ path: `examples/${example.folder}/${file}`, content: file.endsWith(".md") ? text : packageExample(text, name) });
    }
  }
  return entries;
}

/** The files under a folder (not hidden ones), relative with forward slashes, sorted. */
function filesUnder(dir: string, at = ""): string[] {
  return fs
    .readdirSync(path.join(dir, at), { withFileTypes: true })
    .filter((e) => !e.name.startsWith("."))
    .flatMap((e) => (e.isDirectory() ? filesUnder(dir, `${at}${e.name}/`) : e.isFile() ? [`${at}${e.name}`] : []))
    .sort();
}

/** Writes one archive per module into `outDir`; returns their paths. */
export function writeRegistryPackages(names: readonly string[], version: string, outDir: string): string[] {
  fs.mkdirSync(outDir, { recursive: true });
  return names.map((name) => {
    const file = path.join(outDir, packageFileName(name, version));
    fs.writeFileSync(file, tarGz(registryPackageEntries(name)));
    return file;
  });
}
