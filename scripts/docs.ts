/**
 * `npm run docs`: regenerates every generated table of docs/ from the code:
 * the settings table of docs/configuration.md (from the settings schema and
 * cdktf.json) and the rule catalogue of docs/guardrails.md (from the rule
 * registry). The module READMEs are `npm run modules`'s (they come from a
 * synth, and a change there is a change to what HCL users consume).
 *
 *   npm run docs               rewrite the generated sections
 *   npm run docs -- --check    only say which documents are stale (exit 1)
 */
import * as fs from "fs";
import * as path from "path";
import { readCdktfContext } from "../stacks/config";
import { regenerateDocs } from "../stacks/docs";
import { PROJECT_DIR } from "../stacks/paths";

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== "--check");
if (unknown.length) {
  console.error(`npm run docs: unknown argument ${JSON.stringify(unknown[0])}: the only flag is --check`);
  process.exit(2);
}

const { files, stale } = regenerateDocs(PROJECT_DIR, readCdktfContext(PROJECT_DIR).settings);
if (args.includes("--check")) {
  if (stale.length) {
    console.error(`Generated documentation is stale: ${stale.join(", ")}. Run \`npm run docs\` and commit the result.`);
    process.exit(1);
  }
  console.log(`Generated documentation is current: ${[...files.keys()].join(", ")}`);
} else {
  for (const file of stale) fs.writeFileSync(path.join(PROJECT_DIR, file), files.get(file)!);
  console.log(stale.length ? `Regenerated: ${stale.join(", ")}` : `Already current: ${[...files.keys()].join(", ")}`);
}
