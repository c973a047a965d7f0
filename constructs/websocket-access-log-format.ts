/**
 * Access log format used when none is given: one JSON object per event
 * (CONNECT, MESSAGE, DISCONNECT), with the `$context` variables of
 * "Customize WebSocket API access logs"
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-logging.html).
 * `apiId` and `stage` let metric filters dimension what they count by API and
 * stage, as AWS's own metrics are ({@link WebSocketAccessLogMetrics}).
 */
export const DEFAULT_ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  extendedRequestId: "$context.extendedRequestId",
  requestTime: "$context.requestTime",
  apiId: "$context.apiId",
  stage: "$context.stage",
  eventType: "$context.eventType",
  routeKey: "$context.routeKey",
  connectionId: "$context.connectionId",
  messageId: "$context.messageId",
  ip: "$context.identity.sourceIp",
  userAgent: "$context.identity.userAgent",
  status: "$context.status",
  integrationStatus: "$context.integrationStatus",
  integrationLatency: "$context.integrationLatency",
  integrationError: "$context.integration.error",
  errorMessage: "$context.error.message",
  errorResponseType: "$context.error.responseType",
});
