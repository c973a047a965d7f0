/**
 * `npm run package`: one archive per module, for an HCP Terraform or
 * Terraform Enterprise private registry (module files, README.md and
 * CHANGELOG.md at the archive root, examples/ inside), made from the
 * committed modules/<name>/ folders:
 *
 *   npm run package                     dist/registry/<module>-<version>.tar.gz
 *   npm run package -- --out <dir>      into another folder
 *
 * Publishing (docs/modules.md, "Publishing a release"): create the module once
 * (POST /organizations/<org>/registry-modules), create a version
 * (POST .../registry-modules/private/<org>/<module>/aws/versions), and PUT
 * the archive to the `upload` link the version returns.
 */
import * as path from "path";
import { MODULE_NAMES } from "./lib/module-catalog";
import { moduleSources } from "./lib/module-readme";
import { writeRegistryPackages } from "./lib/registry-package";
import { PROJECT_DIR } from "../stacks/paths";

function main(argv: string[]): number {
  let out = path.join(PROJECT_DIR, "dist", "registry");
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--out" && argv[i + 1]) out = path.resolve(argv[++i]);
    else {
      console.error(`npm run package takes only --out <dir>, got ${argv.slice(i).join(" ")}: run \`npm run package\` or \`npm run package -- --out <dir>\``);
      return 2;
    }
  }
  const { version } = moduleSources();
  for (const file of writeRegistryPackages(MODULE_NAMES, version, out)) console.log(`wrote ${path.relative(process.cwd(), file) || file}`);
  console.log(
    `Module version ${version}: publish each archive as that version of the module of the same name (provider aws); see docs/modules.md, "Publishing a release".`,
  );
  return 0;
}

process.exitCode = main(process.argv.slice(2));
