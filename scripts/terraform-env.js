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
"use strict";
const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");

const root = path.resolve(__dirname, "..");
const DEFAULT_MIRROR = "/opt/tf-plugins";

function cliConfig(mirror, cacheDir) {
  const lines = [`plugin_cache_dir = ${JSON.stringify(cacheDir)}`];
  if (mirror) {
    lines.push(
      "provider_installation {",
      "  filesystem_mirror {",
      `    path    = ${JSON.stringify(mirror)}`,
      '    include = ["registry.terraform.io/hashicorp/aws"]',
      "  }",
      "  direct {",
      '    exclude = ["registry.terraform.io/hashicorp/aws"]',
      "  }",
      "}",
    );
  }
  return lines.join("\n") + "\n";
}

/** Writes the project's CLI config and returns the environment variables that select it. */
function terraformEnv(env = process.env) {
  const dir = path.join(root, ".terraform-cli");
  const cacheDir = path.join(dir, "plugin-cache");
  fs.mkdirSync(cacheDir, { recursive: true });
  const candidate = env.WSGW_TF_MIRROR ?? DEFAULT_MIRROR;
  const mirror = candidate && fs.existsSync(path.join(candidate, "registry.terraform.io", "hashicorp", "aws")) ? candidate : undefined;
  const file = path.join(dir, "cli.tfrc");
  const content = cliConfig(mirror, cacheDir);
  if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== content) fs.writeFileSync(file, content);
  return { TF_CLI_CONFIG_FILE: file, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: env.TF_IN_AUTOMATION ?? "1", TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE: "true" };
}

module.exports = { terraformEnv, cliConfig };

if (require.main === module) {
  const [command, ...args] = process.argv.slice(2);
  if (!command) {
    console.error("usage: node scripts/terraform-env.js <command> [args...]");
    process.exit(2);
  }
  const result = spawnSync(command, args, { stdio: "inherit", env: { ...process.env, ...terraformEnv() }, shell: process.platform === "win32" });
  process.exit(result.status ?? 1);
}
