/**
 * The hops `npm run verify` checks, in the order it reports them: the control
 * plane (read-only AWS calls), then the data plane (the scenario's own
 * connections), then the access logs its traffic should have written. Each
 * hop has a section of docs/troubleshooting.md under its name, which every
 * FAIL line points to (a unit test checks that each hop has one).
 */

export type HopName =
  | "api"
  | "routes"
  | "deployment"
  | "vpc-link"
  | "targets"
  | "service"
  | "image-build"
  | "frontend-build"
  | "amplify-job"
  | "account-role"
  | "callback-path"
  | "connect"
  | "frames"
  | "connections-api"
  | "disconnect"
  | "access-logs";

export interface HopInfo {
  readonly name: HopName;
  /** `control`: read-only AWS calls; `data`: WebSocket traffic and a signed @connections GET. */
  readonly plane: "control" | "data";
  /** What the hop checks, in one line (for `--help` and the docs). */
  readonly checks: string;
}

export const HOPS: readonly HopInfo[] = [
  { name: "api", plane: "control", checks: "the WebSocket API and its stage exist (and the custom domain's mapping, when there is one)" },
  { name: "routes", plane: "control", checks: "the API holds every route and integration of the stack, each integration with its $default response" },
  {
    name: "deployment",
    plane: "control",
    checks: "the stage's deployment is live and holds the routes (auto deploy succeeded; no route changed since an explicit deployment)",
  },
  { name: "vpc-link", plane: "control", checks: "the v1 VPC link is AVAILABLE (PENDING and FAILED with AWS's status message)" },
  { name: "targets", plane: "control", checks: "the NLB target group has healthy targets (each unhealthy one with its reason code)" },
  { name: "service", plane: "control", checks: "the ECS service runs its desired count (latest events, stopped tasks' reasons)" },
  { name: "image-build", plane: "control", checks: "the last backend image build succeeded (CodeBuild status, failed phase, log link)" },
  { name: "frontend-build", plane: "control", checks: "the last frontend build succeeded (CodeBuild status, failed phase, log link)" },
  { name: "amplify-job", plane: "control", checks: "the last Amplify job of the frontend branch succeeded" },
  { name: "account-role", plane: "control", checks: "the region's API Gateway CloudWatch role is set, exists and trusts apigateway.amazonaws.com" },
  {
    name: "callback-path",
    plane: "control",
    checks: "the backend's subnets reach the @connections endpoint (a route to a NAT gateway; no execute-api interface endpoint with private DNS)",
  },
  { name: "connect", plane: "data", checks: "clients connect to the stage's wss:// URL (and the custom domain's)" },
  { name: "frames", plane: "data", checks: "one frame per route of the stack is answered as its contract says" },
  { name: "connections-api", plane: "data", checks: "GET @connections/{id}, signed with your credentials, describes the scenario's connection" },
  { name: "disconnect", plane: "data", checks: "the scenario's connections close cleanly, and @connections then answers 410 Gone" },
  { name: "access-logs", plane: "control", checks: "the stage's access log receives lines (the scenario's own, when it ran)" },
];

/** The troubleshooting page, relative to the project folder. */
export const TROUBLESHOOTING = "docs/troubleshooting.md";

/** Where a hop's failures are explained. */
export function docLink(hop: HopName): string {
  return `${TROUBLESHOOTING}#${hop}`;
}
