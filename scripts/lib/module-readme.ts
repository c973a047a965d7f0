import * as fs from "fs";
import * as path from "path";
import type { TerraformJson } from "../../constructs/terraform-json";
import { PROJECT_DIR } from "../../stacks/paths";
import { backendContractTable, inputsTable, outputsTable, requirementsTable, resourcesTable } from "./module-tables";

/** Folder of the README templates: `<module>.md` per module, `_<partial>.md` shared. */
export const README_TEMPLATES_DIR = path.join(PROJECT_DIR, "scripts", "lib", "readme");

/** Where a released module can be fetched from, for the usage examples. */
export interface ModuleSources {
  /** Module version (the package version). */
  readonly version: string;
  /** Base of the git source, e.g. `git::https://github.com/<owner>/<repo>.git`. */
  readonly gitRepository: string;
  /** Host of the private registry, e.g. `app.terraform.io`. */
  readonly registryHost: string;
}

/** The package version (the modules' version) and where a release can be fetched from. */
export function moduleSources(): ModuleSources {
  const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8"));
  const repo = typeof pkg.repository === "string" ? pkg.repository : pkg.repository?.url;
  const gitRepository = repo
    ? `git::${String(repo)
        .replace(/^git\+/, "")
        .replace(/^git::/, "")}`
    : `git::https://github.com/<owner>/${pkg.name}.git`;
  return { version: pkg.version, gitRepository, registryHost: "app.terraform.io" };
}

/** `git::<repo>//modules/<name>?ref=v<version>`. */
export function gitSource(name: string, sources: ModuleSources): string {
  return `${sources.gitRepository}//modules/${name}?ref=v${sources.version}`;
}

/** `<host>/<organization>/<name>/aws`: the registry address of a private module (its provider is aws). */
export function registrySource(name: string, sources: ModuleSources): string {
  return `${sources.registryHost}/<organization>/${name}/aws`;
}

/**
 * The version constraint a caller should write: `~> MAJOR.MINOR` accepts
 * every compatible later release (Terraform's pessimistic operator). Before
 * 1.0 every minor release may break, so it pins the minor version instead.
 */
export function versionConstraint(version: string): string {
  const [major, minor] = version.split(".");
  return major === "0" ? `~> 0.${minor}.0` : `~> ${major}.${minor}`;
}

/** The HCL examples of the repository that use a module (their source is `../../modules/<name>`). */
export function examplesUsing(name: string): { folder: string; summary: string }[] {
  const root = path.join(PROJECT_DIR, "examples");
  const out: { folder: string; summary: string }[] = [];
  for (const folder of fs.readdirSync(root).sort()) {
    const files = fs
      .readdirSync(path.join(root, folder))
      .filter((f) => f.endsWith(".tf"))
      .sort();
    const texts = files.map((f) => fs.readFileSync(path.join(root, folder, f), "utf8"));
    if (!texts.some((t) => t.includes(`"../../modules/${name}"`))) continue;
    out.push({ folder, summary: headerComment(texts[files.indexOf("main.tf")] ?? texts[0]) });
  }
  return out;
}

/** The first paragraph of a file's leading `#` comment. */
function headerComment(text: string): string {
  const lines: string[] = [];
  for (const line of text.split("\n")) {
    const m = /^#\s?(.*)$/.exec(line);
    if (!m || (m[1].trim() === "" && lines.length)) break;
    if (m[1].trim()) lines.push(m[1].trim());
  }
  return lines.join(" ");
}

/** Renders `{{name}}` values and `{{> partial}}` templates; fails on anything unknown. */
export function renderTemplate(template: string, values: Record<string, string>, partial: (name: string) => string, depth = 0): string {
  if (depth > 5) throw new Error("README templates nest partials more than 5 deep: a partial includes itself");
  return template.replace(/\{\{\s*(>\s*)?([a-z_-]+)\s*\}\}/g, (_, isPartial, key) => {
    if (isPartial) return renderTemplate(partial(key).trimEnd(), values, partial, depth + 1);
    if (!(key in values)) throw new Error(`README template placeholder {{${key}}} is unknown: use one of ${Object.keys(values).join(", ")}`);
    return values[key];
  });
}

/**
 * A module's README: the template `scripts/lib/readme/<name>.md` with the
 * tables generated from the module's Terraform ({@link moduleJson} of the
 * synthesized stack) and the usage sources of this release.
 */
export function moduleReadme(name: string, module: TerraformJson, sources: ModuleSources): string {
  const read = (file: string) => fs.readFileSync(path.join(README_TEMPLATES_DIR, file), "utf8");
  const examples = examplesUsing(name);
  const values: Record<string, string> = {
    name,
    version: sources.version,
    git_source: gitSource(name, sources),
    registry_source: registrySource(name, sources),
    version_constraint: versionConstraint(sources.version),
    terraform_version: `\`${module.terraform?.required_version ?? "any"}\``,
    aws_version: `\`${module.terraform?.required_providers?.aws?.version ?? "any"}\``,
    requirements: requirementsTable(module),
    inputs: inputsTable(module),
    outputs: outputsTable(module),
    resources: resourcesTable(module),
    backend_contract: backendContractTable(module),
    examples: examples.length
      ? [
          "Examples that are also tests (they use this folder as an outside repository would):",
          "",
          ...examples.map((e) => `- [\`examples/${e.folder}\`](../../examples/${e.folder}/main.tf): ${e.summary}`),
        ].join("\n")
      : "",
  };
  const text = renderTemplate(read(`${name}.md`), values, (partial) => read(`_${partial}.md`));
  return text.replace(/\n{3,}/g, "\n\n").trimEnd() + "\n";
}
