/**
 * One measurement for `npm run bench`: builds a stack holding a WebSocket API
 * with N custom routes (each with its HTTP_PROXY integration through the VPC
 * link, as the seed modules create them) and synthesizes it. Prints the
 * milliseconds spent building and synthesizing (module loading excluded).
 *
 *   node scripts/run.js scripts/bench-routes.ts <routes> <outdir>
 */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, TerraformStack } from "cdktf";
import { performance } from "perf_hooks";
import { PrivateLink } from "../constructs/private-link";
import { WebSocketApi } from "../constructs/websocket-api";
import { WebSocketHttpProxyIntegration } from "../constructs/websocket-integration";
import { WebSocketStage } from "../constructs/websocket-stage";

const routes = Number(process.argv[2]);
const outdir = process.argv[3];
const started = performance.now();
const app = new App({ outdir, context: { excludeStackIdFromLogicalIds: "true", allowSepCharsInLogicalIds: "true" } });
const stack = new TerraformStack(app, "routes");
new AwsProvider(stack, "aws", { region: "us-east-1" });
const link = new PrivateLink(stack, "link", {
  vpcId: "vpc-0123456789abcdef0",
  subnetIds: ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"],
  nlbName: "bench-nlb",
  targetGroupName: "bench-tg",
  vpcLinkName: "bench",
  securityGroupIds: ["sg-0123456789abcdef0"],
  target: { kind: "ip", port: 3000 },
});
const api = new WebSocketApi(stack, "api", { apiName: "bench" });
for (let i = 0; i < routes; i++) {
  api.addRoute(`action${i}`, {
    integration: new WebSocketHttpProxyIntegration({ url: link.urlFor(`/action${i}`), vpcLink: link }),
    returnResponse: i % 2 === 0,
  });
}
new WebSocketStage(stack, "stage", { api });
app.synth();
console.log(JSON.stringify({ routes, ms: performance.now() - started }));
