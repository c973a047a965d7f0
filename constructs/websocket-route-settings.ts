import { Apigatewayv2StageRouteSettings } from "@cdktf/provider-aws/lib/apigatewayv2-stage";
import { LOGGING_LEVELS, THROTTLE_BURST_LIMIT, THROTTLE_RATE_LIMIT } from "./rules";
import { isUnresolved } from "./validation";

/** Execution logging levels of a WebSocket stage. */
export type ExecutionLoggingLevel = (typeof LOGGING_LEVELS)[number];

/** Throttling limits. Both are always sent to API Gateway. */
export interface ThrottleSettings {
  /** Burst limit (requests). Must be greater than 0. */
  readonly burstLimit: number;
  /** Steady-state rate limit (requests per second). Must be greater than 0. */
  readonly rateLimit: number;
}

/** Settings of one route of a stage. */
export interface WebSocketRouteSettings {
  /**
   * Throttling of the route. Required: the provider sends 0 for a limit left
   * unset, and a limit of 0 answers every call with 429.
   */
  readonly throttle: ThrottleSettings;
  /**
   * Execution logging level of the route.
   * @default - the stage's level
   */
  readonly loggingLevel?: ExecutionLoggingLevel;
  /**
   * Logs full message bodies. Off unless asked for: bodies hold user data.
   * @default - the stage's setting
   */
  readonly dataTraceEnabled?: boolean;
  /**
   * Per-route CloudWatch metrics (billed as custom metrics).
   * @default - the stage's setting
   */
  readonly detailedMetricsEnabled?: boolean;
}

/** The stage-wide settings a route inherits what it does not set. */
export interface StageRouteDefaults {
  readonly loggingLevel: ExecutionLoggingLevel;
  readonly dataTraceEnabled: boolean;
  readonly detailedMetricsEnabled: boolean;
}

/** The `route_settings` blocks of a stage: one per route key, throttled, the rest inherited from the stage. */
export function routeSettingsBlocks(settings: Record<string, WebSocketRouteSettings>, stage: StageRouteDefaults): Apigatewayv2StageRouteSettings[] {
  return Object.entries(settings).map(([routeKey, s]): Apigatewayv2StageRouteSettings => ({
    routeKey,
    throttlingBurstLimit: s.throttle.burstLimit,
    throttlingRateLimit: s.throttle.rateLimit,
    loggingLevel: s.loggingLevel ?? stage.loggingLevel,
    dataTraceEnabled: s.dataTraceEnabled ?? stage.dataTraceEnabled,
    detailedMetricsEnabled: s.detailedMetricsEnabled ?? stage.detailedMetricsEnabled,
  }));
}

/**
 * The routes that route settings keys name: those with that key, and every
 * iterated (for_each) route, whose keys are unknown at synth, when a key
 * matches no other route.
 */
export function routesNamedBy<R extends { readonly routeKey: string }>(keys: readonly string[], routes: readonly R[]): R[] {
  const unmatched = keys.some((k) => !routes.some((r) => !isUnresolved(r.routeKey) && r.routeKey === k));
  return routes.filter((r) => (isUnresolved(r.routeKey) ? unmatched : keys.includes(r.routeKey)));
}

/** Checks that both throttling limits are set and greater than 0. */
export function checkThrottle(setting: string, throttle: ThrottleSettings | undefined): void {
  if (throttle === undefined) return;
  THROTTLE_BURST_LIMIT.check(`${setting}.burstLimit`, throttle.burstLimit);
  THROTTLE_RATE_LIMIT.check(`${setting}.rateLimit`, throttle.rateLimit);
}
