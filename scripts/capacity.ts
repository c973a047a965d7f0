/**
 * `npm run capacity`: what a WebSocket load needs from AWS before launch,
 * and what a month of it costs, from the stack's own settings
 * (docs/limits.md, "Planning a load").
 *
 *   npm run capacity -- <chat|websocket-nlb|websocket-alb> --connections N --messages-per-second N
 *     [--message-bytes N] [--connect-rate N] [--hours-per-day N] [--per-task-rps N]
 *     [--callbacks-per-message N] [--config file]
 *
 * chat reads its settings as `npm run synth` does (cdktf.json, --config or
 * WSGW_CONFIG, WSGW_* variables) and synthesizes the stack to count what it
 * creates; a module reads its committed variables' defaults, with the values
 * of --config (a terraform.tfvars.json, or JSON of that shape) over them.
 * Prints the limits the load exceeds (with Service Quotas codes), the
 * backend task count, and the monthly cost line by line. Exit code 0, or 2
 * for a bad command line or configuration.
 */
import { ConfigError } from "../stacks/config";
import { UsageError } from "./lib/cli-args";
import { capacityPlan, USAGE } from "./lib/capacity/plan";
import { formatPlan } from "./lib/capacity/report";

function main(): number {
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(`${USAGE}\n\nLimits to raise before launch, backend tasks and the monthly cost of a load; docs/limits.md.`);
    return 0;
  }
  try {
    console.log(formatPlan(capacityPlan(argv, process.env.INIT_CWD || process.cwd())));
    return 0;
  } catch (e) {
    if (e instanceof UsageError) console.error(`capacity: ${e.message}`);
    else if (e instanceof ConfigError) console.error(e.message);
    else throw e;
    return 2;
  }
}

process.exitCode = main();
