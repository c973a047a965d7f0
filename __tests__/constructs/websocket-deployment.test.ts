import { Apigatewayv2Deployment } from "@cdktf/provider-aws/lib/apigatewayv2-deployment";
import { TerraformOutput, TerraformStack, TerraformVariable, Testing, Token } from "cdktf";
import { Construct } from "constructs";
import { WebSocketApi } from "../../constructs/websocket-api";
import { WebSocketHttpProxyIntegration } from "../../constructs/websocket-integration";
import { WebSocketDeployment } from "../../constructs/websocket-deployment";
import { WebSocketRoute } from "../../constructs/websocket-route";
import { newStack, onlyResource, synthJson } from "../helpers";

const proxy = () => new WebSocketHttpProxyIntegration({ url: "https://backend.example.com/ws" });
const references = (...routes: WebSocketRoute[]) => routes.flatMap((r) => r.resources).map((r) => `${r.terraformResourceType}.${r.friendlyUniqueId}`);

describe("WebSocketDeployment", () => {
  test("deploys the API, replacing the deployment before destroying the old one", () => {
    // GIVEN / WHEN
    const json = Testing.synthScope((scope) => {
      new WebSocketDeployment(scope, "deployment", { api: { apiId: "api-123" }, description: "Deployment of prod" });
    });
    // THEN
    expect(json).toHaveResourceWithProperties(Apigatewayv2Deployment, {
      api_id: "api-123",
      description: "Deployment of prod",
      triggers: { redeployment: "${sha1(jsonencode([]))}" },
      lifecycle: { create_before_destroy: true },
    });
  });

  test("hashes every resource of the routes given to addRoute", () => {
    // GIVEN
    const stack = newStack();
    const api = new WebSocketApi(stack, "api", { apiName: "chat" });
    const join = api.addRoute("join", { integration: proxy(), returnResponse: true });
    const deployment = new WebSocketDeployment(stack, "deployment", { api });
    // WHEN
    deployment.addRoute(join);
    // THEN
    expect(references(join)).toHaveLength(3);
    expect(onlyResource(synthJson(stack), "aws_apigatewayv2_deployment").triggers.redeployment).toBe(`\${sha1(jsonencode([${references(join).join(", ")}]))}`);
  });

  test("is fed by the API with the routes added before and after WebSocketApi.addDeployment", () => {
    // GIVEN an API with a route
    const stack = newStack();
    const api = new WebSocketApi(stack, "api", { apiName: "chat", defaultRoute: { integration: proxy() } });
    const deployment = new WebSocketDeployment(stack, "deployment", { api });
    // WHEN the API feeds the deployment and gets another route
    api.addDeployment(deployment);
    const late = api.addRoute("leave", { integration: proxy() });
    // THEN both routes are in the triggers, in the order they were added
    const triggers = onlyResource(synthJson(stack), "aws_apigatewayv2_deployment").triggers.redeployment;
    expect(triggers).toBe(`\${sha1(jsonencode([${references(api.routes[0], late).join(", ")}]))}`);
  });

  test("gives the id of the deployment", () => {
    const stack = newStack();
    const deployment = new WebSocketDeployment(stack, "deployment", { api: { apiId: "api-123" } });
    new TerraformOutput(stack, "probe", { value: deployment.deploymentId });
    expect(synthJson(stack).output.probe.value).toBe(`\${aws_apigatewayv2_deployment.${deployment.resource.friendlyUniqueId}.id}`);
  });

  test("exists only when its count says so, and then gives the id of the one instance", () => {
    // GIVEN
    const stack = newStack();
    const autoDeploy = new TerraformVariable(stack, "auto_deploy", { type: "bool" }).value;
    // WHEN
    const deployment = new WebSocketDeployment(stack, "deployment", { api: { apiId: "api-123" }, count: Token.asNumber(`\${${autoDeploy} ? 0 : 1}`) });
    new TerraformOutput(stack, "probe", { value: deployment.deploymentId });
    // THEN
    const json = synthJson(stack);
    expect(onlyResource(json, "aws_apigatewayv2_deployment").count).toBe("${var.auto_deploy ? 0 : 1}");
    expect(json.output.probe.value).toBe(`\${one(aws_apigatewayv2_deployment.${deployment.resource.friendlyUniqueId}[*].id)}`);
  });

  test("keeps the address a deployment resource created directly at its path has (ids are a contract)", () => {
    // GIVEN a deployment resource created directly under stage/Deployment, as stages used to
    const before = new Apigatewayv2Deployment(new Construct(new TerraformStack(Testing.app(), "before"), "stage"), "Deployment", { apiId: "api-123" });
    // WHEN the construct is created at the same path
    const after = new WebSocketDeployment(new Construct(new TerraformStack(Testing.app(), "after"), "stage"), "Deployment", { api: { apiId: "api-123" } });
    // THEN the resource has the same logical id
    expect(after.resource.friendlyUniqueId).toBe(before.friendlyUniqueId);
  });
});
