import type { GetApiResponse, GetStageResponse, Integration, Route } from "@aws-sdk/client-apigatewayv2";
import type { Service } from "@aws-sdk/client-ecs";
import type { TargetGroup } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { AwsAccess } from "./aws";
import type { VerifyTarget } from "./target";

/** What the hops read, for the hops after them (each reads a resource once). */
export interface Seen {
  api?: GetApiResponse;
  stage?: GetStageResponse;
  routes?: Route[];
  integrations?: Integration[];
  /** The NLBs the VPC links target. */
  nlbArns?: string[];
  targetGroups?: TargetGroup[];
  /** The backend's ECS service, when found. */
  service?: Service;
  /** The traffic the scenario made: when it started, whether a client connected, the connection ids it learnt. */
  scenario?: { started: Date; connected: boolean; connectionIds: string[] };
}

/** What every hop gets. */
export interface VerifyContext {
  readonly target: VerifyTarget;
  readonly aws: AwsAccess;
  readonly seen: Seen;
  /** The command that redeploys the target (`npm run deploy -- chat`, `terraform apply` in your root, restarting npm run local). */
  readonly redeploy: string;
  /** Clock and waits (tests make them instant). */
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
}

/** A timestamp as verify prints it: ISO 8601 to the second, UTC. */
export function when(d: Date | undefined): string {
  return d ? d.toISOString().replace(/\.\d{3}Z$/, "Z") : "an unknown time";
}

/** "3 min ago" and the like. */
export function ago(d: Date, now: Date): string {
  const s = Math.max(0, Math.round((now.getTime() - d.getTime()) / 1000));
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  if (s < 172800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
}

/** At most `n` items, then "and k more". */
export function some(items: readonly string[], n = 4): string {
  return items.length <= n ? items.join(", ") : `${items.slice(0, n).join(", ")} and ${items.length - n} more`;
}
