import * as fs from "fs";
import * as path from "path";
import { editDistance, holdsSecret, show } from "../constructs/rules";
import { crossChecks } from "./cross-checks";
import { Field, FIELD_BY_KEY, FIELDS, Settings, SETTINGS_SCHEMA } from "./settings";

/** Environment variable naming a JSON config file. */
export const CONFIG_ENV = "WSGW_CONFIG";

/** One bad setting. */
export interface Problem {
  readonly key: string;
  readonly message: string;
}

/** Thrown when the configuration is invalid; lists every problem. */
export class ConfigError extends Error {
  constructor(public readonly problems: readonly Problem[]) {
    super(
      `The configuration has ${problems.length} problem${problems.length === 1 ? "" : "s"}; nothing was synthesized:\n${problems.map((p) => `  - ${p.message}`).join("\n")}`,
    );
    this.name = "ConfigError";
  }
}

/** Where settings come from, lowest layer first. */
export interface ConfigSources {
  /**
   * The base layer, a value for every setting.
   * @default - the schema's defaults
   */
  readonly defaults?: unknown;
  /**
   * Name of the defaults' origin, for messages.
   * @default "defaults"
   */
  readonly defaultsOrigin?: string;
  /**
   * The project's own values over the defaults: `context.settings` of cdktf.json.
   * @default - none
   */
  readonly project?: unknown;
  /**
   * Name of the project layer's origin, for messages.
   * @default "cdktf.json"
   */
  readonly projectOrigin?: string;
  /** Contents of the config file, if any. */
  readonly file?: unknown;
  /** Path of the config file, for messages. */
  readonly fileOrigin?: string;
  /** Environment variables (only the documented WSGW_* ones are read). */
  readonly env?: Record<string, string | undefined>;
}

/** What `main.ts` needs to load the configuration from disk, the command line and the environment. */
export interface LoadOptions {
  /** Folder holding cdktf.json. */
  readonly projectDir: string;
  readonly argv: readonly string[];
  readonly env: Record<string, string | undefined>;
}

/** The contents of cdktf.json's `context`. */
export function readCdktfContext(projectDir: string): Record<string, unknown> {
  const file = path.join(projectDir, "cdktf.json");
  const json = JSON.parse(fs.readFileSync(file, "utf8"));
  return json.context ?? {};
}

/**
 * Loads the settings: the schema's defaults, then cdktf.json's
 * `context.settings`, then the config file named by `--config <file>` or
 * WSGW_CONFIG, then the WSGW_* environment variables.
 * Throws a {@link ConfigError} listing every problem.
 */
export function loadSettings(options: LoadOptions): Settings {
  const context = readCdktfContext(options.projectDir);
  const configPath = configFileFromArgs(options.argv) ?? options.env[CONFIG_ENV];
  let file: unknown;
  if (configPath) {
    const resolved = path.resolve(options.projectDir, configPath);
    let text: string;
    try {
      text = fs.readFileSync(resolved, "utf8");
    } catch {
      throw new ConfigError([
        {
          key: "config file",
          message: `config file must be a readable JSON file, got ${show(configPath)}: check the path given with --config or ${CONFIG_ENV}`,
        },
      ]);
    }
    try {
      file = JSON.parse(text);
    } catch (e) {
      throw new ConfigError([
        { key: "config file", message: `config file must be valid JSON, got ${show(configPath)} (${describeJsonError(e as Error, text)}): fix the syntax` },
      ]);
    }
  }
  return resolveSettings({ project: context.settings, file, fileOrigin: configPath, env: options.env });
}

/** Reads `--config <file>` or `--config=<file>` from the arguments; throws a {@link ConfigError} when it is repeated or has no path. */
export function configFileFromArgs(argv: readonly string[]): string | undefined {
  const given: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--config") given.push(argv[i + 1] === undefined || argv[i + 1].startsWith("--") ? "" : argv[i + 1]);
    if (argv[i].startsWith("--config=")) given.push(argv[i].slice("--config=".length));
  }
  if (given.length > 1) {
    throw new ConfigError([
      { key: "--config", message: `--config must be given once, got ${given.map((g) => show(g)).join(" and ")}: merge the settings into one file` },
    ]);
  }
  if (given[0] === "") {
    throw new ConfigError([
      { key: "--config", message: `--config must be followed by the path of a JSON config file, got nothing: write --config <file> or --config=<file>` },
    ]);
  }
  return given[0];
}

/** Merges and validates the sources; pure, so tests can call it directly. */
export function resolveSettings(sources: ConfigSources): Settings {
  const problems: Problem[] = [];
  const layers: Array<[unknown, string]> = [
    [sources.defaults ?? builtInDefaults(), sources.defaultsOrigin ?? "defaults"],
    [sources.project, sources.projectOrigin ?? "cdktf.json"],
    [sources.file, sources.fileOrigin ?? "config file"],
  ];
  const { merged, origin } = mergeLayers(layers, (layer, name) =>
    problems.push({ key: name, message: `${name} must be a JSON object of settings, got ${show(layer)}: wrap the settings in { }` }),
  );
  for (const field of FIELDS) {
    const value = field.env ? sources.env?.[field.env] : undefined;
    if (value !== undefined && value !== "") {
      merged[field.key] = value;
      origin.set(field.key, `environment variable ${field.env}`);
    }
  }

  const where = (key: string) => (origin.has(key) ? ` (from ${origin.get(key)})` : "");
  // A value holding a secret is never printed, whatever else is wrong with it.
  const secretKeys = new Set(Object.keys(merged).filter((k) => holdsSecret(merged[k])));
  const failedKeys = new Set<string>();
  const fail = (key: string, rule: string, value: unknown, fix: string) => {
    failedKeys.add(key);
    problems.push({ key, message: `${key} must be ${rule}, got ${secretKeys.has(key) ? '"<redacted>"' : show(value)}${where(key)}: ${fix}` });
  };

  for (const key of Object.keys(merged)) {
    if (FIELD_BY_KEY.has(key)) continue;
    const value = merged[key];
    const section = FIELDS.some((f) => f.key.startsWith(`${key}.`));
    const leaf = key.split(".").pop() ?? "";
    if (/token|password|secret|accesskey/i.test(leaf) && !/arn$/i.test(leaf)) {
      fail(key, "absent: secrets never go in configuration", "<redacted>", secretFix(key));
      secretKeys.delete(key);
    } else if (section) {
      fail(key, "an object of settings", value, `write it as { ... } with the ${key}.* settings of docs/configuration.md`);
    } else {
      const suggestion = closestKey(key);
      failedKeys.add(key);
      problems.push({
        key,
        message: `${key} is not a setting${where(key)}: ${suggestion ? `did you mean ${suggestion}? ` : ""}see the settings table in docs/configuration.md`,
      });
    }
  }

  // The schema judges every setting at once; its issues come in the schema's order.
  for (const field of FIELDS) if (field.key in merged) merged[field.key] = coerce(field, merged[field.key], origin.get(field.key) ?? "");
  const parsed = SETTINGS_SCHEMA.safeParse(nest(FIELDS.map((f) => [f.key, merged[f.key]])));
  const judged = new Set<string>();
  for (const issue of parsed.success ? [] : parsed.error.issues) {
    const field = fieldAt(issue.path);
    if (!field || judged.has(field.key)) continue;
    judged.add(field.key);
    const value = merged[field.key];
    if (!(field.key in merged)) {
      problems.push({ key: field.key, message: `${field.key} must be set, got nothing: add it to cdktf.json's context.settings (the committed defaults)` });
    } else if (issue.code === "custom") {
      fail(field.key, issue.message, value, issue.params?.fix);
    } else if (issue.code === "invalid_enum_value") {
      fail(field.key, `one of ${field.oneOf!.map((o) => JSON.stringify(o)).join(", ")}`, value, "use one of the allowed values");
    } else {
      const type = describeType(field);
      fail(field.key, type, value, `write it as ${type}`);
    }
  }

  for (const key of secretKeys) fail(key, "free of secrets", "<redacted>", secretFix(key));
  // Rules between settings run whenever the settings they read are sound.
  const s = nest(Object.entries(merged).filter(([k]) => FIELD_BY_KEY.has(k))) as unknown as Settings;
  crossChecks(s, fail, (...keys) => keys.every((k) => k in merged && !failedKeys.has(k)));
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  return parsed.data;
}

/** The setting a schema issue is about (an issue inside a list or map is about the whole setting). */
function fieldAt(path: ReadonlyArray<string | number>): Field | undefined {
  for (let i = path.length; i > 0; i--) {
    const field = FIELD_BY_KEY.get(path.slice(0, i).join("."));
    if (field) return field;
  }
  return undefined;
}

/** The schema's defaults, as a nested object (settings without one are left out). */
export function builtInDefaults(): Record<string, unknown> {
  return nest(FIELDS.filter((f) => f.default !== undefined).map((f) => [f.key, f.default]));
}

/**
 * The committed defaults: the schema's, with the project's values
 * (cdktf.json's context.settings) over them, setting by setting. Not
 * validated: for docs and tests.
 */
export function committedDefaults(project: unknown): Record<string, unknown> {
  const { merged } = mergeLayers([
    [builtInDefaults(), "defaults"],
    [project, "cdktf.json"],
  ]);
  return nest(Object.entries(merged));
}

/**
 * The layers flattened to settings, a later layer's value over an earlier
 * one's, setting by setting (maps and lists replace as a whole), with the
 * name of the layer each value comes from. An undefined layer is skipped;
 * one that is not an object is skipped and passed to notObject.
 */
function mergeLayers(
  layers: ReadonlyArray<readonly [unknown, string]>,
  notObject: (layer: unknown, name: string) => void = () => undefined,
): { merged: Record<string, unknown>; origin: Map<string, string> } {
  const merged: Record<string, unknown> = {};
  const origin = new Map<string, string>();
  for (const [layer, name] of layers) {
    if (layer === undefined) continue;
    if (!isObject(layer)) {
      notObject(layer, name);
      continue;
    }
    flatten(layer, "", (key, value) => {
      merged[key] = value;
      origin.set(key, name);
    });
  }
  return { merged, origin };
}

function secretFix(key: string): string {
  return `remove ${key}; give the GitHub token as the sensitive Terraform variable github_access_token (TF_VAR_github_access_token) or store it in Secrets Manager and set chat.frontend.tokenSecretArn / chat.backend.image.githubTokenSecretArn`;
}

/**
 * The JSON parser's complaint without the excerpt of the file it quotes (the
 * excerpt may hold a token), with the line and column where it can tell.
 */
export function describeJsonError(error: Error, text: string): string {
  const what = error.message.replace(/,? (\.\.\.)?"[\s\S]*$/, "").replace(/ in JSON at position \d+.*$/, "");
  const position = /at position (\d+)/.exec(error.message);
  if (!position) return what;
  const before = text.slice(0, Number(position[1]));
  const line = before.split("\n").length;
  return `${what} at line ${line}, column ${before.length - before.lastIndexOf("\n")}`;
}

/** Converts environment-variable strings to the field's type. */
function coerce(field: Field, value: unknown, origin: string): unknown {
  if (typeof value !== "string" || !origin.startsWith("environment")) return value;
  if (field.type === "integer" || field.type === "number") return value.trim() !== "" && !isNaN(Number(value)) ? Number(value) : value;
  if (field.type === "boolean") return value === "true" ? true : value === "false" ? false : value;
  return value;
}

/** A setting's type in words ("a whole number", "a string or null"); a field's own typeText first. */
function describeType(field: Field): string {
  const names: Record<string, string> = {
    string: "a string",
    number: "a number",
    integer: "a whole number",
    boolean: "true or false",
    "string[]": "a list of strings",
    map: "an object of strings",
  };
  return (field.typeText ?? names[field.type]) + (field.nullable ? " or null" : "");
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Walks nested objects down to the settings' keys (maps such as tags are leaves). */
function flatten(obj: Record<string, unknown>, prefix: string, emit: (key: string, value: unknown) => void): void {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    const field = FIELD_BY_KEY.get(key);
    if (isObject(v) && !(field && field.type === "map") && !FIELD_BY_KEY.has(key)) flatten(v, key, emit);
    else emit(key, v);
  }
}

/** Builds the nested settings from [dotted key, value] pairs. */
function nest(entries: ReadonlyArray<readonly [string, unknown]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    const parts = key.split(".");
    let node = out;
    for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
    node[parts[parts.length - 1]] = value;
  }
  return out;
}

/** The known key nearest to an unknown one (edit distance), if close. */
function closestKey(key: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of FIELD_BY_KEY.keys()) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return bestDistance <= Math.max(3, Math.floor(key.length / 4)) ? best : undefined;
}
