/**
 * `npm run modules`: regenerates what is committed from the module stacks,
 * from a fresh synth of the committed defaults:
 *   modules/websocket-nlb/, modules/websocket-alb/   the modules for HCL (Terraform JSON + README)
 *   __tests__/contracts/<module>.interface.json       variables and outputs, changes since the last release marked
 *   __tests__/contracts/<stack>.addresses.txt         resource addresses of websocket-nlb, websocket-alb, chat
 *
 *   npm run modules                                   write them
 *   npm run modules -- --check                        write nothing; exit 1 when anything differs (CI drift check)
 *   WSGW_ACCEPT_ADDRESS_CHANGES=1 npm run modules     record addresses gone without moved blocks as BREAKING removals
 */
import { ACCEPT_ADDRESS_CHANGES } from "./lib/address-list";
import { drift, generate, write } from "./lib/generate";

function main(argv: string[]): number {
  const unknown = argv.filter((a) => a !== "--check");
  if (unknown.length) {
    console.error(`npm run modules takes only --check, got ${unknown.join(" ")}: run \`npm run modules\` to write, \`npm run modules -- --check\` to compare`);
    return 2;
  }
  const check = argv.includes("--check");
  const generation = generate({ acceptAddressChanges: process.env[ACCEPT_ADDRESS_CHANGES] === "1" });
  const result = check ? drift(generation) : write(generation);
  for (const rel of result.changed) console.log(`${check ? "differs" : "wrote"}: ${rel}`);
  for (const rel of result.stale) console.log(`${check ? "stale" : "removed"}: ${rel}`);
  if (!result.changed.length && !result.stale.length) console.log("modules/ and __tests__/contracts/ are up to date with the stacks");
  for (const problem of generation.problems) console.error(`\n${problem}`);
  if (generation.changelogTodo.length) {
    console.log(`\nCHANGELOG.md: name these under "## [Unreleased]" (in backticks): ${generation.changelogTodo.join(", ")}`);
  }
  if (check && (result.changed.length || result.stale.length)) {
    console.error("\nThe committed modules or contract records differ from a fresh synth: run `npm run modules` and commit the result.");
    return 1;
  }
  return generation.problems.length ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
