/**
 * The plan of `npm run capacity` for a command line: the stack's profile,
 * the load's traffic, the limits it meets, the backend tasks and the cost.
 */
import * as fs from "fs";
import * as path from "path";
import { loadSettings } from "../../../stacks/config";
import { PROJECT_DIR } from "../../../stacks/paths";
import { parseArgs, UsageError } from "../cli-args";
import { backendPlan } from "./backend";
import { costLines } from "./costs";
import { readLoad } from "./load";
import { chatProfile, moduleProfile, StackProfile } from "./profile";
import { quotaLines } from "./quotas";
import { CapacityPlan } from "./report";
import { traffic } from "./traffic";

const STACKS = ["chat", "websocket-nlb", "websocket-alb"] as const;
export const USAGE =
  "npm run capacity -- <chat|websocket-nlb|websocket-alb> --connections N --messages-per-second N [--message-bytes N] [--connect-rate N] [--hours-per-day N] [--per-task-rps N] [--callbacks-per-message N] [--config file]";

/** The plan of a load for a stack; `base` is where relative paths start. */
export function capacityPlan(argv: readonly string[], base: string, env: NodeJS.ProcessEnv = process.env): CapacityPlan {
  const args = parseArgs(
    argv,
    {
      values: [
        "--connections",
        "--messages-per-second",
        "--message-bytes",
        "--connect-rate",
        "--hours-per-day",
        "--per-task-rps",
        "--callbacks-per-message",
        "--config",
      ],
    },
    USAGE,
  );
  if (args.positional.length !== 1 || !STACKS.includes(args.positional[0] as (typeof STACKS)[number])) {
    throw new UsageError(
      `give one stack, ${STACKS.join(", ")}, got ${args.positional.length ? args.positional.map((p) => JSON.stringify(p)).join(" and ") : "none"} (${USAGE})`,
    );
  }
  const stack = args.positional[0] as (typeof STACKS)[number];
  const flag = (name: string) => args.values.get(`--${name}`);
  if (stack === "chat" && flag("callbacks-per-message") !== undefined) {
    throw new UsageError(
      "--callbacks-per-message is for a module's backend: the chat's calls follow its contract (one @connections call per message and per online request)",
    );
  }
  const load = readLoad({
    connections: flag("connections"),
    messagesPerSecond: flag("messages-per-second"),
    messageBytes: flag("message-bytes"),
    connectRate: flag("connect-rate"),
    hoursPerDay: flag("hours-per-day"),
    perTaskRps: flag("per-task-rps"),
    callbacksPerMessage: flag("callbacks-per-message"),
  });
  const config = flag("config");
  let profile: StackProfile;
  if (stack === "chat") {
    const settings = loadSettings({ projectDir: PROJECT_DIR, argv: config ? ["--config", path.resolve(base, config)] : [], env });
    profile = chatProfile(settings);
  } else {
    let values: Record<string, unknown> = {};
    if (config) {
      if (/\.tfvars$/.test(config))
        throw new UsageError(`--config must be JSON for a module (terraform.tfvars.json), got ${JSON.stringify(config)}: write the values as JSON`);
      let json: unknown;
      try {
        json = JSON.parse(fs.readFileSync(path.resolve(base, config), "utf8"));
      } catch (e) {
        throw new UsageError(
          `--config must be a readable JSON file of the module's variables, got ${JSON.stringify(config)} (${(e as Error).message.split("\n")[0]})`,
        );
      }
      if (!json || typeof json !== "object" || Array.isArray(json))
        throw new UsageError(`--config must hold a JSON object of variable values, got ${Array.isArray(json) ? "a list" : typeof json}`);
      values = json as Record<string, unknown>;
    }
    profile = moduleProfile(stack, path.join(PROJECT_DIR, "modules", stack), values, config ?? "the defaults");
  }
  const t = traffic(load, profile);
  const backend = backendPlan(load, profile, t);
  return { load, profile, quotas: quotaLines(load, profile, t), backend, costs: costLines(load, profile, t, backend) };
}
