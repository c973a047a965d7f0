/**
 * Uploads a synthesized stack (default cdktf.out/stacks/chat) to an HCP
 * Terraform or Terraform Enterprise workspace as a new configuration
 * version; the workspace then queues a run with it (the API-driven run
 * workflow). The CI workflow (.github/workflows/ci.yml) runs it after
 * `npm run synth`.
 *
 *   TF_API_TOKEN=... node scripts/run.js scripts/hcp-upload.ts \
 *     --organization <org> --workspace <name> [--hostname app.terraform.io] \
 *     [--speculative] [--no-queue] [--timeout <seconds>] [<stack folder>]
 *
 * Organization, workspace and hostname default to TF_CLOUD_ORGANIZATION,
 * TF_WORKSPACE and TF_CLOUD_HOSTNAME (the variables Terraform's cloud block
 * reads). The token comes from TF_API_TOKEN or TF_TOKEN_<host>; it is never
 * printed. --address <url> replaces --hostname with a full base URL (plain
 * http is accepted for 127.0.0.1 only).
 */
import * as path from "path";
import { PROJECT_DIR } from "../stacks/paths";
import { redact, tokenFromEnv, uploadConfiguration } from "./lib/hcp-configuration-upload";

interface Args {
  organization?: string;
  workspace?: string;
  hostname?: string;
  address?: string;
  speculative: boolean;
  queue: boolean;
  timeoutSeconds: number;
  dir: string;
}

const USAGE =
  "usage: node scripts/run.js scripts/hcp-upload.ts --organization <org> --workspace <name> [--hostname <host> | --address <url>] [--speculative] [--no-queue] [--timeout <seconds>] [<stack folder>]";

function parseArgs(argv: string[], env: NodeJS.ProcessEnv): Args {
  const args: Args = {
    organization: env.TF_CLOUD_ORGANIZATION,
    workspace: env.TF_WORKSPACE,
    hostname: env.TF_CLOUD_HOSTNAME,
    speculative: false,
    queue: true,
    timeoutSeconds: 120,
    dir: path.join(PROJECT_DIR, "cdktf.out", "stacks", "chat"),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new Error(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === "--organization") args.organization = value();
    else if (a === "--workspace") args.workspace = value();
    else if (a === "--hostname") args.hostname = value();
    else if (a === "--address") args.address = value();
    else if (a === "--speculative") args.speculative = true;
    else if (a === "--no-queue") args.queue = false;
    else if (a === "--timeout") {
      args.timeoutSeconds = Number(value());
      if (!Number.isFinite(args.timeoutSeconds) || args.timeoutSeconds <= 0) throw new Error(`--timeout must be a number of seconds above 0, got ${argv[i]}`);
    } else if (a.startsWith("--")) throw new Error(`${a} is not an option\n${USAGE}`);
    else args.dir = path.resolve(a);
  }
  if (!args.organization) throw new Error(`the organization must be given: --organization <org> or TF_CLOUD_ORGANIZATION\n${USAGE}`);
  if (!args.workspace) throw new Error(`the workspace must be given: --workspace <name> or TF_WORKSPACE\n${USAGE}`);
  return args;
}

async function main(): Promise<number> {
  let token = "";
  try {
    const args = parseArgs(process.argv.slice(2), process.env);
    const address = args.address ?? `https://${args.hostname || "app.terraform.io"}`;
    token = tokenFromEnv(process.env, new URL(address).hostname) ?? "";
    await uploadConfiguration({
      address,
      organization: args.organization!,
      workspace: args.workspace!,
      token,
      dir: args.dir,
      speculative: args.speculative,
      autoQueueRuns: args.queue,
      timeoutMs: args.timeoutSeconds * 1000,
      log: (line) => console.log(line),
    });
    return 0;
  } catch (e) {
    console.error(`hcp-upload: ${redact((e as Error).message, token)}`);
    return 1;
  }
}

main().then((code) => (process.exitCode = code));
