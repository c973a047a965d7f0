/**
 * The errors API Gateway answers a WebSocket client with, in its own shape.
 * A frame the gateway cannot process gets a text frame such as
 * `{"message": "Forbidden", "connectionId":"eHrdFcnvvHcCE-w=", "requestId":"eHrjDEuVPHcFWMg="}`
 * (spacing as AWS sends it: see aws-samples/simple-websockets-chat-app#24 for
 * "Forbidden", Kludex/mangum#128 and aws/chalice#1406 for "Endpoint request
 * timed out", aws/aws-cdk#18208 for "Internal server error"). One-way routes
 * get these frames too: "it only sends a message to the client when API
 * Gateway couldn't process the incoming message correctly"
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-integration-responses.html).
 */
export const GatewayError = {
  /** No route matched and the API has no `$default` route. */
  forbidden: { message: "Forbidden", status: 403 },
  /** The integration failed: backend unreachable, no integration response matched, a template failed. */
  internal: { message: "Internal server error", status: 500 },
  /** The backend did not answer within the integration's timeout. */
  timeout: { message: "Endpoint request timed out", status: 504 },
  /**
   * Throttled by the stage's or the route's limits (429 Too Many Requests,
   * https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-protect.html).
   * AWS does not publish the frame's text; this is the HTTP reason phrase in the shape above.
   */
  throttled: { message: "Too Many Requests", status: 429 },
  /** A non-proxy integration with passthrough_behavior NEVER and no template for the frame (as REST APIs answer 415). */
  unsupportedMediaType: { message: "Unsupported Media Type", status: 415 },
} as const;

export type GatewayErrorKind = keyof typeof GatewayError;

/** The error frame sent to a client. */
export function errorFrame(kind: GatewayErrorKind, connectionId: string, requestId: string): string {
  return `{"message": "${GatewayError[kind].message}", "connectionId":"${connectionId}", "requestId":"${requestId}"}`;
}

/** The body of a refused handshake or of a failed @connections call. */
export function errorBody(message: string): string {
  return JSON.stringify({ message });
}
