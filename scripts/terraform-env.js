// The Terraform environment of this project: a CLI configuration the project
// writes itself (never ~/.terraformrc), telemetry off, and a plugin cache so
// repeated `terraform init`s link the provider instead of copying it.
//
// Where a filesystem mirror of hashicorp/aws exists (WSGW_TF_MIRROR, default
// /opt/tf-plugins), the provider comes from it and nothing is downloaded;
// elsewhere Terraform uses the public registry as usual.
//
//   node scripts/terraform-env.js <command> [args...]   runs a command in that environment
//   require("./scripts/terraform-env").terraformEnv()    returns the variables
//
// `cdktf deploy|diff|destroy|output` and a mirror: cdktf 0.21 runs
// `terraform providers lock -platform=linux_amd64` after `terraform init`
// whenever a stack's .terraform.lock.hcl is missing or does not hold a
// matching entry for every required provider (cli-core cdktf-stack.js,
// checkNeedsLockfileUpdate; models/terraform-cli.js, init). That command
// ignores the CLI configuration's filesystem mirror and asks the registry,
// so offline it fails. Before such a command this script therefore
// synthesizes the app and writes each stack's lock file from the mirror
// (`terraform providers lock -fs-mirror=<mirror> -platform=<each platform
// the mirror holds>`), where cdktf looks for it; cdktf then finds a matching
// entry and skips its own lock step. Without a mirror nothing of this runs:
// an online user's cdktf does exactly what it always did.
"use strict";
const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");

const root = path.resolve(__dirname, "..");
const DEFAULT_MIRROR = "/opt/tf-plugins";
/** Providers the CLI configuration takes from the mirror (all others: the registry). */
const MIRRORED_PROVIDERS = ["registry.terraform.io/hashicorp/aws"];
/** cdktf subcommands (and aliases) that run `terraform init` and possibly `providers lock`. */
const INIT_SUBCOMMANDS = new Set(["deploy", "apply", "diff", "plan", "destroy", "output", "outputs"]);
const LOCK_FILE = ".terraform.lock.hcl";

function cliConfig(mirror, cacheDir) {
  const lines = [`plugin_cache_dir = ${JSON.stringify(cacheDir)}`];
  if (mirror) {
    lines.push(
      "provider_installation {",
      "  filesystem_mirror {",
      `    path    = ${JSON.stringify(mirror)}`,
      `    include = ${JSON.stringify(MIRRORED_PROVIDERS)}`,
      "  }",
      "  direct {",
      `    exclude = ${JSON.stringify(MIRRORED_PROVIDERS)}`,
      "  }",
      "}",
    );
  }
  return lines.join("\n") + "\n";
}

/** The filesystem mirror to use: WSGW_TF_MIRROR or /opt/tf-plugins, when it holds hashicorp/aws; else undefined. */
function mirrorPath(env = process.env) {
  const candidate = env.WSGW_TF_MIRROR ?? DEFAULT_MIRROR;
  return candidate && fs.existsSync(path.join(candidate, "registry.terraform.io", "hashicorp", "aws")) ? candidate : undefined;
}

/** Writes the project's CLI config and returns the environment variables that select it. */
function terraformEnv(env = process.env) {
  const dir = path.join(root, ".terraform-cli");
  const cacheDir = path.join(dir, "plugin-cache");
  fs.mkdirSync(cacheDir, { recursive: true });
  const file = path.join(dir, "cli.tfrc");
  const content = cliConfig(mirrorPath(env), cacheDir);
  if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== content) fs.writeFileSync(file, content);
  return {
    TF_CLI_CONFIG_FILE: file,
    // The cdktf CLI sets TF_PLUGIN_CACHE_DIR to ~/.terraform.d/plugin-cache
    // unless it is set (which would override the config's plugin_cache_dir).
    TF_PLUGIN_CACHE_DIR: cacheDir,
    CHECKPOINT_DISABLE: "1",
    TF_IN_AUTOMATION: env.TF_IN_AUTOMATION ?? "1",
    TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE: "true",
  };
}

/**
 * The platforms (`linux_amd64`, ...) the mirror holds a provider for, in
 * either layout Terraform reads: unpacked (`<host>/<ns>/<type>/<version>/<platform>/`)
 * or packed (`<host>/<ns>/<type>/terraform-provider-<type>_<version>_<platform>.zip`).
 */
function mirrorPlatforms(mirror, address) {
  const dir = path.join(mirror, ...address.split("/"));
  if (!fs.existsSync(dir)) return [];
  const type = address.split("/")[2];
  const platforms = new Set();
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      for (const p of fs.readdirSync(path.join(dir, entry.name), { withFileTypes: true }))
        if (p.isDirectory() && /^[a-z0-9]+_[a-z0-9]+$/.test(p.name)) platforms.add(p.name);
    } else {
      const m = new RegExp(`^terraform-provider-${type}_[^_]+_([a-z0-9]+_[a-z0-9]+)\\.zip$`).exec(entry.name);
      if (m) platforms.add(m[1]);
    }
  }
  return [...platforms].sort();
}

/** A provider source as cdktf and Terraform normalize it: `aws` -> `registry.terraform.io/hashicorp/aws`. */
function providerAddress(source) {
  const parts = source.toLowerCase().split("/");
  if (parts.length === 1) return `registry.terraform.io/hashicorp/${parts[0]}`;
  if (parts.length === 2) return `registry.terraform.io/${parts.join("/")}`;
  return parts.join("/");
}

/** The provider entries of a lock file: address -> `constraints` (or undefined). */
function parseLockFile(text) {
  const providers = {};
  let current;
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (current) {
      const c = /^\s*constraints\s+=\s+"(.*)"/.exec(line);
      if (c) providers[current] = c[1];
      else if (/^\s*}/.test(line)) current = undefined;
      continue;
    }
    const p = /provider "(.*)"/.exec(line);
    if (p) {
      current = p[1];
      providers[current] = undefined;
    }
  }
  return providers;
}

/** `1.2` -> [1, 2, 0]: the first version in a string, as npm's semver.coerce reads it. */
function coerce(text) {
  const m = /(\d{1,16})(?:\.(\d{1,16}))?(?:\.(\d{1,16}))?/.exec(text);
  return m ? [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)] : undefined;
}

function compare(a, b) {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

/**
 * cdktf's test of a locked provider against the stack's requirement
 * (cli-core dependencies/version-constraints.js, versionMatchesConstraint):
 * the first version in the required constraint must satisfy every part of
 * the lock file's `constraints`.
 */
function lockedConstraintMatches(required, locked) {
  const version = coerce(required ?? ">0");
  if (!version) return false;
  return locked.split(",").every((part) => {
    const cleaned = part.trim();
    const operator = (/(~>|>=|<=|>|<|=|!=)/.exec(cleaned) ?? ["="])[0];
    const raw = cleaned.replace(operator, "").trim();
    const bound = coerce(raw);
    if (!bound) return false;
    const c = compare(version, bound);
    switch (operator) {
      case "=":
        return c === 0;
      case "!=":
        return c !== 0;
      case ">=":
        return c >= 0;
      case "<=":
        return c <= 0;
      case ">":
        return c > 0;
      case "<":
        return c < 0;
      case "~>": {
        // npm's ^x.y for "~> x.y" (>=0.y <1.0.0 when x is 0), ~x.y.z for "~> x.y.z", ~x for "~> x".
        const parts = raw.split(".").length;
        const upper = parts === 2 ? (bound[0] === 0 ? [1, 0, 0] : [bound[0] + 1, 0, 0]) : parts === 1 ? [bound[0] + 1, 0, 0] : [bound[0], bound[1] + 1, 0];
        return c >= 0 && compare(version, upper) < 0;
      }
      default:
        return false;
    }
  });
}

/** The `required_providers` of a synthesized stack: address -> version constraint (or undefined). */
function requiredProviders(stackDir) {
  const file = path.join(stackDir, "cdk.tf.json");
  if (!fs.existsSync(file)) return {};
  const config = JSON.parse(fs.readFileSync(file, "utf8"));
  const out = {};
  for (const [name, p] of Object.entries(config.terraform?.required_providers ?? {})) {
    const entry = typeof p === "string" ? { source: name, version: p } : p;
    out[providerAddress(entry.source ?? name)] = entry.version;
  }
  return out;
}

/**
 * The mirrored providers of a stack whose lock entry cdktf would find
 * missing or not matching (and would therefore lock from the registry).
 * `required` is the stack's requiredProviders, when the caller has read them.
 */
function providersToLock(stackDir, required = requiredProviders(stackDir)) {
  const lockFile = path.join(stackDir, LOCK_FILE);
  const locked = fs.existsSync(lockFile) ? parseLockFile(fs.readFileSync(lockFile, "utf8")) : {};
  return Object.entries(required)
    .filter(([address]) => MIRRORED_PROVIDERS.includes(address))
    .filter(([address, version]) => locked[address] === undefined || !lockedConstraintMatches(version, locked[address]))
    .map(([address]) => address);
}

/**
 * Writes the lock entries of the mirrored providers, from the mirror, into
 * every stack folder of a synthesized outdir where cdktf would otherwise run
 * `terraform providers lock` against the registry. Returns what it locked.
 */
function lockFromMirror(outdir, mirror, env = process.env) {
  const manifestFile = path.join(outdir, "manifest.json");
  if (!fs.existsSync(manifestFile)) return [];
  const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
  const done = [];
  // Stacks with the same requirements and no lock file yet get the same
  // file: hashing the provider (hundreds of MB) once is enough.
  const written = new Map();
  for (const stack of Object.values(manifest.stacks ?? {})) {
    const stackDir = path.join(outdir, stack.workingDirectory);
    const required = requiredProviders(stackDir);
    const addresses = providersToLock(stackDir, required);
    if (addresses.length === 0) continue;
    const platforms = [...new Set(addresses.flatMap((a) => mirrorPlatforms(mirror, a)))];
    const lockFile = path.join(stackDir, LOCK_FILE);
    const key = JSON.stringify(addresses.map((a) => [a, required[a]]));
    if (written.has(key) && !fs.existsSync(lockFile)) {
      fs.copyFileSync(written.get(key), lockFile);
    } else {
      const args = ["providers", "lock", `-fs-mirror=${mirror}`, ...platforms.map((p) => `-platform=${p}`), ...addresses];
      const r = spawnSync(env.TERRAFORM_BINARY_NAME || "terraform", args, { cwd: stackDir, env, encoding: "utf8" });
      if (r.status !== 0) {
        throw new Error(`terraform ${args.join(" ")} failed in ${stackDir} (exit ${r.status ?? r.error}):\n${r.stdout ?? ""}${r.stderr ?? ""}`);
      }
      // Only a file that holds nothing but these providers can be copied as it is.
      if (Object.keys(parseLockFile(fs.readFileSync(lockFile, "utf8"))).length === addresses.length) written.set(key, lockFile);
    }
    done.push({ stack: stack.name, providers: addresses, platforms });
  }
  return done;
}

/** The value of a cdktf option (`--output x`, `--output=x`, `-o x`), or undefined. */
function optionValue(args, long, short) {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === `--${long}` || (short && a === `-${short}`)) return args[i + 1];
    if (a.startsWith(`--${long}=`)) return a.slice(long.length + 3);
  }
  return undefined;
}

/**
 * What a cdktf command line needs from the mirror before it runs: undefined
 * when nothing (not a cdktf command that initializes stacks, or the user
 * turned the lock step off), else where the app is synthesized and how.
 */
function cdktfLockStep(command, args, env = process.env, cwd = process.cwd()) {
  if (path.basename(command).replace(/\.(cmd|js)$/, "") !== "cdktf") return undefined;
  const subcommand = args.find((a) => !a.startsWith("-"));
  if (!INIT_SUBCOMMANDS.has(subcommand) || args.includes("--skip-provider-lock") || env.CDKTF_SKIP_PROVIDER_LOCK === "true") return undefined;
  const configFile = path.join(cwd, "cdktf.json");
  const config = fs.existsSync(configFile) ? JSON.parse(fs.readFileSync(configFile, "utf8")) : {};
  return {
    outdir: path.resolve(cwd, optionValue(args, "output", "o") ?? env.CDKTF_OUTPUT ?? config.output ?? "cdktf.out"),
    app: optionValue(args, "app", "a") ?? env.CDKTF_APP ?? config.app,
    synth: !args.includes("--skip-synth"),
  };
}

/**
 * Before a cdktf command that initializes stacks, with a mirror: synthesizes
 * the app as cdktf would (its output is shown only on failure; cdktf then
 * synthesizes again and reports the error itself), then locks from the mirror.
 */
function prepareCdktf(step, mirror, env, cwd = process.cwd()) {
  if (step.synth && step.app) {
    const synthEnv = Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith("TF_VAR_")));
    const r = spawnSync(step.app, { shell: true, cwd, env: { ...synthEnv, CDKTF_OUTDIR: step.outdir }, encoding: "utf8" });
    if (r.status !== 0) return [];
  }
  return lockFromMirror(step.outdir, mirror, env);
}

/**
 * Drops the `hashes` of every provider from a scratch root's lock file, just
 * written by `terraform init` (which checked the package against the
 * registry's or the mirror's checksums as it installed it). Terraform checks
 * a cached provider package against its locked hashes on every command that
 * loads providers, `output` and `state pull` included, and only when the lock
 * names hashes (hashicorp/terraform internal/command/meta_providers.go,
 * providerFactories: "must match one of the checksums recorded in the lock
 * file, if any"): the AWS provider is a 707 MB binary, so each command paid
 * ~0.65 CPU-s of SHA-256 (measured here: `terraform output -json` 0.65 ->
 * 0.04 CPU-s, `validate` of the same root 3.3 -> 2.4). Only for folders this
 * project generates and throws away (.local/, the test suites' .tmp/): a
 * user's own root keeps its lock file as Terraform wrote it. The version
 * stays locked. Returns whether the file changed.
 */
function forgetLockedHashes(dir) {
  const file = path.join(dir, LOCK_FILE);
  if (!fs.existsSync(file)) return false;
  const text = fs.readFileSync(file, "utf8");
  const without = text.replace(/^ {2}hashes = \[[^\]]*\]\n/gm, "");
  if (without === text) return false;
  fs.writeFileSync(file, without);
  return true;
}

module.exports = {
  forgetLockedHashes,
  terraformEnv,
  cliConfig,
  mirrorPath,
  mirrorPlatforms,
  providerAddress,
  parseLockFile,
  lockedConstraintMatches,
  providersToLock,
  lockFromMirror,
  cdktfLockStep,
  prepareCdktf,
  MIRRORED_PROVIDERS,
};

if (require.main === module) {
  const [command, ...args] = process.argv.slice(2);
  if (!command) {
    console.error("usage: node scripts/terraform-env.js <command> [args...]");
    process.exit(2);
  }
  const env = { ...process.env, ...terraformEnv() };
  const mirror = mirrorPath(env);
  const step = mirror ? cdktfLockStep(command, args, env) : undefined;
  if (step) {
    try {
      for (const l of prepareCdktf(step, mirror, env))
        console.log(`${l.stack}: locked ${l.providers.join(", ")} from the mirror ${mirror} (${l.platforms.join(", ")})`);
    } catch (e) {
      console.error(`Writing the provider lock files from the mirror failed:\n${e.message}`);
      process.exit(1);
    }
  }
  const result = spawnSync(command, args, { stdio: "inherit", env, shell: process.platform === "win32" });
  process.exit(result.status ?? 1);
}
