/**
 * `npm run verify`: checks a deployed stack hop by hop with read-only AWS
 * calls (the control plane), then carries real traffic through it (the data
 * plane: the scenario's own connections), and names the broken hop, its
 * likely cause, the fix and its section of docs/troubleshooting.md.
 *
 *   npm run verify -- <chat|websocket-nlb|websocket-alb> [--json] [--control-plane-only] [--token <t>] [--query k=v]
 *   npm run verify -- --outputs <file of terraform output -json> [--region <region>] [...]
 *   npm run verify -- --local <file>   (npm run local's "Verify:" line)
 *
 * `--help` lists every call that goes out. Exit code: 0 when no hop fails,
 * 1 when one does, 2 for a usage error. scripts/lib/verify/ holds the hops.
 */
import * as path from "path";
import { PROJECT_DIR } from "../stacks/paths";
import { AwsAccess } from "./lib/verify/aws";
import { helpText, parseArgs, resolveTarget } from "./lib/verify/cli";
import { exitCode, formatResult, summary } from "./lib/verify/report";
import { runVerify } from "./lib/verify/run";
import { TargetError } from "./lib/verify/target";

// scripts/terraform-env.js is plain JavaScript that is not compiled into dist/: required by its path in the project.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { terraformEnv } = require(path.join(PROJECT_DIR, "scripts", "terraform-env.js")) as {
  terraformEnv: (env?: NodeJS.ProcessEnv) => Record<string, string>;
};

async function main(): Promise<number> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  let options;
  try {
    const parsed = parseArgs(process.argv.slice(2));
    if (parsed === "help") {
      console.log(helpText());
      return 0;
    }
    options = parsed;
  } catch (e) {
    console.error(`npm run verify: ${(e as Error).message}`);
    return 2;
  }
  const print = (line: string) => (options.json ? undefined : console.log(line));
  let resolved;
  try {
    resolved = await resolveTarget(options, PROJECT_DIR, { ...process.env, ...terraformEnv() });
  } catch (e) {
    if (!(e instanceof TargetError) && !/^terraform /.test((e as Error).message)) throw e;
    console.error(`npm run verify: ${(e as Error).message}`);
    return 2;
  }
  const { target } = resolved;
  print(
    `Verifying ${target.local ? `npm run local's ${target.kind === "chat" ? "chat" : "module"} (emulator ${target.local.endpoint}, gateway ${target.local.websocketUrl})` : `${target.websocketUrl} (API ${target.apiId}, ${target.region})`}, read from ${target.source}:`,
  );
  const aws = new AwsAccess(resolved.aws);
  if (!target.local) {
    try {
      await aws.credentials();
    } catch (e) {
      aws.destroy();
      console.error(
        `npm run verify: no AWS credentials were found (${(e as Error).message.split("\n")[0]}): set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, for the account of ${target.apiId} (${target.region})`,
      );
      return 2;
    }
  }
  try {
    const outcome = await runVerify(target, aws, {
      controlPlaneOnly: options.controlPlaneOnly,
      token: options.token,
      query: Object.keys(options.query).length ? options.query : undefined,
      logsWaitMs: options.logsWaitMs,
      redeploy: resolved.redeploy,
      onResult: (r) => print(formatResult(r)),
    });
    const code = exitCode(outcome.results, options.strict);
    if (options.json) {
      console.log(
        JSON.stringify(
          {
            ok: code === 0,
            target: {
              kind: target.kind,
              source: target.source,
              region: target.region,
              apiId: target.apiId,
              stage: target.stageName,
              websocketUrl: target.local?.websocketUrl ?? target.websocketUrl,
              customDomainUrl: target.customDomainUrl ?? null,
              local: !!target.local,
            },
            hops: outcome.results,
            awsCalls: aws.calls,
            connectionsOpened: outcome.opened,
          },
          null,
          2,
        ),
      );
    } else {
      const notShown = outcome.results.filter((r) => r.status === "SKIP" && r.seen.includes("not shown by the emulator")).map((r) => r.hop);
      print("");
      if (notShown.length) print(`Not shown by the emulator: ${notShown.join(", ")} (verify them on AWS).`);
      print(summary(outcome.results));
    }
    return code;
  } finally {
    aws.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`npm run verify: ${(e as Error).stack ?? e}`);
    process.exit(2);
  },
);
