import { TerraformOutput } from "cdktf";
import { callbackUrlTemplate, REQUEST_CALLBACK_URL_TEMPLATE } from "../../constructs/websocket-callback-url";
import { WebSocketApi } from "../../constructs/websocket-api";
import { newStack, synthJson } from "../helpers";

describe("callbackUrlTemplate", () => {
  test("builds the URL from the request without a custom domain", () => {
    expect(callbackUrlTemplate()).toBe("https://$context.domainName/$context.stage");
    expect(callbackUrlTemplate()).toBe(REQUEST_CALLBACK_URL_TEMPLATE);
  });

  test("uses the API's own execute-api host with a custom domain, whatever path the client came through", () => {
    // GIVEN
    const stack = newStack();
    const api = new WebSocketApi(stack, "api", { apiName: "chat" });
    // WHEN
    new TerraformOutput(stack, "probe", { value: callbackUrlTemplate(api), staticId: true });
    // THEN: Terraform fills in the endpoint; API Gateway fills in the stage.
    expect(synthJson(stack).output.probe.value).toBe(
      `\${replace(aws_apigatewayv2_api.${api.resource.friendlyUniqueId}.api_endpoint, "wss://", "https://")}/$context.stage`,
    );
  });
});
