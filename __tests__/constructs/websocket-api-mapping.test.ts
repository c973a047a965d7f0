import { TerraformOutput, TerraformVariable } from "cdktf";
import { WebSocketApi } from "../../constructs/websocket-api";
import { WebSocketApiMapping } from "../../constructs/websocket-api-mapping";
import { WebSocketDomainName } from "../../constructs/websocket-domain-name";
import { WebSocketMockIntegration } from "../../constructs/websocket-integration";
import { WebSocketStage } from "../../constructs/websocket-stage";
import { errorOf, newStack, resourcesOf, synthJson } from "../helpers";

const CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0f3e9a1b-1111-2222-3333-444455556666";

/** A stack with an API, its stage and a custom domain. */
function fixture() {
  const stack = newStack();
  const api = new WebSocketApi(stack, "api", { apiName: "chat", defaultRoute: { integration: new WebSocketMockIntegration() } });
  const stage = new WebSocketStage(stack, "stage", { api });
  const domain = new WebSocketDomainName(stack, "domain", { domainName: "ws.example.com", certificateArn: CERT });
  return { stack, stage, domain };
}

/** The value an output synthesizes to. */
function outputValue(stack: ReturnType<typeof newStack>, value: string): string {
  new TerraformOutput(stack, "probe", { value, staticId: true });
  return synthJson(stack).output.probe.value;
}

describe("WebSocketApiMapping", () => {
  test("maps the stage under the key, after the stage and the domain exist", () => {
    // GIVEN
    const { stack, stage, domain } = fixture();
    // WHEN
    const mapping = domain.addApiMapping("mapping", { stage, mappingKey: "chat" });
    // THEN
    const json = synthJson(stack);
    const s = stage.resource;
    expect(resourcesOf(json, "aws_apigatewayv2_api_mapping")[mapping.resource.friendlyUniqueId]).toEqual({
      api_id: `\${aws_apigatewayv2_stage.${s.friendlyUniqueId}.api_id}`,
      stage: `\${aws_apigatewayv2_stage.${s.friendlyUniqueId}.name}`,
      domain_name: `\${aws_apigatewayv2_domain_name.${domain.resource.friendlyUniqueId}.domain_name}`,
      api_mapping_key: "chat",
    });
    expect(mapping.resource.node.id).toBe("Resource");
  });

  test("gives the wss:// URL with the key", () => {
    const { stack, stage, domain } = fixture();
    const mapping = domain.addApiMapping("mapping", { stage, mappingKey: "chat" });
    expect(outputValue(stack, mapping.url)).toBe(`wss://\${aws_apigatewayv2_domain_name.${domain.resource.friendlyUniqueId}.domain_name}/chat`);
  });

  test("serves the stage at the root of the domain without a key (an empty key is none)", () => {
    const { stack, stage, domain } = fixture();
    const mapping = domain.addApiMapping("mapping", { stage, mappingKey: "" });
    expect(mapping.mappingKey).toBeUndefined();
    expect(outputValue(stack, mapping.url)).toBe(`wss://\${aws_apigatewayv2_domain_name.${domain.resource.friendlyUniqueId}.domain_name}`);
    expect(Object.values(resourcesOf(synthJson(stack), "aws_apigatewayv2_api_mapping"))[0]).not.toHaveProperty("api_mapping_key");
  });

  test("drops a null or empty key given as a Terraform expression from the URL", () => {
    const { stack, stage, domain } = fixture();
    const key = new TerraformVariable(stack, "key", { type: "string", nullable: true });
    const mapping = domain.addApiMapping("mapping", { stage, mappingKey: key.stringValue });
    expect(outputValue(stack, mapping.url)).toBe(
      `\${join("/", compact([format("wss://%s", aws_apigatewayv2_domain_name.${domain.resource.friendlyUniqueId}.domain_name), var.key]))}`,
    );
  });

  test("is counted with the domain when the domain is conditional", () => {
    const stack = newStack();
    const api = new WebSocketApi(stack, "api", { apiName: "chat", defaultRoute: { integration: new WebSocketMockIntegration() } });
    const stage = new WebSocketStage(stack, "stage", { api });
    const on = new TerraformVariable(stack, "on", { type: "bool" });
    const domain = new WebSocketDomainName(stack, "domain", { domainName: "ws.example.com", certificateArn: CERT, enabled: on.value as any });
    const mapping = domain.addApiMapping("mapping", { stage });
    expect(resourcesOf(synthJson(stack), "aws_apigatewayv2_api_mapping")[mapping.resource.friendlyUniqueId].count).toBe("${var.on ? 1 : 0}");
    expect(outputValue(stack, mapping.url)).toBe(
      `\${var.on ? "wss://\${one(aws_apigatewayv2_domain_name.${domain.resource.friendlyUniqueId}[*].domain_name)}" : null}`,
    );
  });

  test("fails when the mapping key has a slash", () => {
    const { stage, domain } = fixture();
    expect(errorOf(() => domain.addApiMapping("mapping", { stage, mappingKey: "v1/chat" }))).toBe(
      `WebSocketApiMapping.mappingKey must be 1 to 300 letters, digits or $-_.+!*'() (WebSocket API mappings have a single level: no slash), got "v1/chat": use one path segment such as "chat", or no mapping key to serve the stage at the root of the domain`,
    );
  });

  test("fails when the mapping key is longer than 300 characters or has other characters", () => {
    const { stage, domain } = fixture();
    expect(errorOf(() => domain.addApiMapping("long", { stage, mappingKey: "a".repeat(301) }))).toContain(
      "WebSocketApiMapping.mappingKey must be 1 to 300 letters",
    );
    expect(errorOf(() => domain.addApiMapping("space", { stage, mappingKey: "my chat" }))).toContain('got "my chat"');
  });

  test("can be made apart from a domain construct", () => {
    const { stack, stage } = fixture();
    const mapping = new WebSocketApiMapping(stack, "other", { stage, domainName: "ws2.example.com", mappingKey: "v2" });
    expect(outputValue(stack, mapping.url)).toBe("wss://ws2.example.com/v2");
  });
});
