/**
 * API Gateway's WebSocket limits, as settings with AWS's values. Quotas:
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html
 * Account throttling:
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
 */
export interface GatewayLimits {
  /**
   * Largest frame a client may send (AWS: 32 KB, not adjustable). A larger
   * frame closes the connection with 1009; so does a larger message.
   * @default 32768
   */
  readonly frameBytes: number;
  /**
   * Largest message (all frames of it) a client may send or @connections may
   * post (AWS: 128 KB, not adjustable).
   * @default 131072
   */
  readonly messageBytes: number;
  /**
   * A connection without a data frame in either direction for this long is
   * closed with 1001 (AWS: 10 minutes, "Idle Connection Timeout").
   * @default 600000
   */
  readonly idleTimeoutMs: number;
  /**
   * Longest life of a connection, closed with 1001 then (AWS: 2 hours, not adjustable).
   * @default 7200000
   */
  readonly maxConnectionMs: number;
  /**
   * Longest handshake URL in characters, counted as it reads on AWS
   * (`wss://<host><path>?<query>`); a longer one is refused with 414 (AWS:
   * "Length, in characters, of the URL for a WebSocket API: 4096", not adjustable).
   * @default 4096
   */
  readonly urlCharacters: number;
  /**
   * Upper bound of an integration's timeout (AWS: 50 ms to 29 s).
   * @default 29000
   */
  readonly maxIntegrationTimeoutMs: number;
  /**
   * New connections per second (AWS: 500 per account and Region, adjustable);
   * the bucket holds as many.
   * @default 500
   */
  readonly newConnectionsPerSecond: number;
  /**
   * Throttling where the stage sets none: the account's limits per Region
   * (AWS: 10,000 requests per second, burst 5,000).
   * @default { burstLimit: 5000, rateLimit: 10000 }
   */
  readonly accountThrottle: { readonly burstLimit: number; readonly rateLimit: number };
}

/** AWS's values. */
export const AWS_LIMITS: GatewayLimits = {
  frameBytes: 32 * 1024,
  messageBytes: 128 * 1024,
  idleTimeoutMs: 10 * 60_000,
  maxConnectionMs: 2 * 60 * 60_000,
  urlCharacters: 4096,
  maxIntegrationTimeoutMs: 29_000,
  newConnectionsPerSecond: 500,
  accountThrottle: { burstLimit: 5000, rateLimit: 10000 },
};
