/** Access log format used when none is given: one JSON object per event. */
export const DEFAULT_ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  extendedRequestId: "$context.extendedRequestId",
  requestTime: "$context.requestTime",
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
