import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import * as fs from "fs";
import * as path from "path";
import type { ApiModel } from "../../local-gateway/api-model";
import type { LocalTargetFile } from "./verify/target";

/** What `npm run local` knows once it serves, for a verify of that deployment. */
export interface LocalVerifyInput {
  /** `chat`, `websocket-nlb` or `websocket-alb`. */
  readonly stack: string;
  /** The Terraform root it applied. */
  readonly root: string;
  /** The synthesized chat stack (the expected routes), when the stack is chat. */
  readonly stackDir?: string;
  /** Where to write the verify file (npm run local's work folder). */
  readonly workDir: string;
  readonly emulatorEndpoint: string;
  readonly api: ApiModel;
  readonly websocketUrl: string;
  /** The gateway's URLs of the stage's custom domain mappings. */
  readonly customDomainUrls: ReadonlyArray<{ readonly url: string; readonly domainUrl: string }>;
  readonly connectionsUrl: string;
  readonly caFile: string;
  readonly accessLogFile: string;
  readonly backend?: string;
  /** Notes for the console (the backend's registration as a target). */
  readonly log?: (line: string) => void;
}

/**
 * Prepares `npm run verify` for the deployment `npm run local` serves and
 * returns the line that says how: `Verify: npm run verify -- --local <file>`.
 *
 * The file holds what verify cannot read from the emulator (the gateway's
 * URLs, its CA and access log, the backend). And since moto runs no ECS tasks
 * and so registers no targets, the backend that stands for the NLB's targets
 * (`--backend`) is registered in the ip target groups the VPC links reach, as
 * ECS registers its tasks on AWS: the emulator's targets then show what
 * serves (moto reports a registered target healthy without checking it).
 */
export async function localVerifyLine(input: LocalVerifyInput): Promise<string> {
  if (input.backend) await registerBackend(input);
  const file = path.join(input.workDir, "verify.json");
  const content: LocalTargetFile = {
    version: 1,
    stack: input.stack,
    root: input.root,
    stackDir: input.stackDir,
    region: input.api.region,
    endpoint: input.emulatorEndpoint,
    websocketUrl: input.websocketUrl,
    customDomainUrls: input.customDomainUrls,
    connectionsUrl: input.connectionsUrl,
    caFile: input.caFile,
    accessLogFile: input.accessLogFile,
    backend: input.backend,
    notEmulated: input.api.notEmulated,
  };
  fs.writeFileSync(file, JSON.stringify(content, null, 2) + "\n");
  return `Verify: npm run verify -- --local ${path.relative(process.cwd(), file) || file}`;
}

/** Registers `--backend` (127.0.0.1:<port>) in the emulator's ip target groups behind the API's VPC links. */
async function registerBackend(input: LocalVerifyInput): Promise<void> {
  const backend = new URL(input.backend!);
  const port = Number(backend.port || 80);
  const elb = new ElasticLoadBalancingV2Client({
    endpoint: input.emulatorEndpoint,
    region: input.api.region,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
  try {
    const hosts = new Set(input.api.privateTargets.map((t) => t.host));
    const lbs = ((await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? []).filter((lb) => hosts.has(lb.DNSName ?? ""));
    const groups = new Set<string>();
    for (const lb of lbs) {
      for (const l of (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners ?? []) {
        for (const a of l.DefaultActions ?? []) if (a.TargetGroupArn) groups.add(a.TargetGroupArn);
      }
    }
    if (groups.size === 0) return;
    for (const g of (await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [...groups] }))).TargetGroups ?? []) {
      if (g.TargetType !== "ip") continue;
      await elb.send(new RegisterTargetsCommand({ TargetGroupArn: g.TargetGroupArn, Targets: [{ Id: backend.hostname, Port: port }] }));
      input.log?.(
        `Registered the backend ${backend.hostname}:${port} as the target of ${g.TargetGroupName} on the emulator (on AWS, ECS registers its tasks there).`,
      );
    }
  } finally {
    elb.destroy();
  }
}
