import { XraySamplingRule } from "@cdktf/provider-aws/lib/xray-sampling-rule";
import { Construct } from "constructs";
import { SAMPLING_FIXED_RATE, SAMPLING_RESERVOIR, SAMPLING_RULE_NAME, SAMPLING_RULE_PRIORITY, SAMPLING_URL_PATH } from "./rules";
import { checkPattern } from "./validation";

/** Properties of {@link TracingSamplingRule}. */
export interface TracingSamplingRuleProps {
  /** Name of the rule: 1 to 32 letters, digits, hyphens or underscores, unique in the account and region. */
  readonly ruleName: string;
  /** Path of the requests the rule matches, e.g. "/healthz" (`*` and `?` are wildcards). */
  readonly urlPath: string;
  /**
   * HTTP method of the requests the rule matches.
   * @default "GET"
   */
  readonly httpMethod?: string;
  /**
   * Name the service gives its segments (the X-Ray SDK's segment name). Rules
   * are account-wide: a name keeps the rule off other services' paths.
   * @default "*"
   */
  readonly serviceName?: string;
  /**
   * Part of the matching requests traced after the reservoir, 0 to 1.
   * @default 0 (none)
   */
  readonly fixedRate?: number;
  /**
   * Matching requests traced per second before the fixed rate applies.
   * @default 0 (none)
   */
  readonly reservoirSize?: number;
  /**
   * Priority, 1 (evaluated first) to 9999; the account's Default rule has 10000.
   * @default 100
   */
  readonly priority?: number;
  /**
   * Tags of the rule.
   * @default - none
   */
  readonly tags?: Record<string, string>;
}

/**
 * An X-Ray sampling rule (`aws_xray_sampling_rule`, id `Resource`) that
 * decides how many requests of one path are traced; by default none, e.g.
 * for load balancer health checks, which the X-Ray SDK's HTTP middleware
 * would otherwise trace (one trace per check per target).
 *
 * The X-Ray SDKs fetch the account's rules through the collector
 * (GetSamplingRules and GetSamplingTargets, proxied by the X-Ray daemon and
 * by ADOT's awsxray receiver on TCP 2000) and evaluate them "in ascending
 * order of priority for each request" (CreateSamplingRule,
 * https://docs.aws.amazon.com/xray/latest/api/API_CreateSamplingRule.html);
 * the Go SDK does so by default (its default strategy is
 * `sampling.NewCentralizedStrategy()`, which matches a rule's host, URL path,
 * method and service name against each request). Rules apply to every
 * service of the account and region that matches them.
 */
export class TracingSamplingRule extends Construct {
  /** The `aws_xray_sampling_rule`. */
  public readonly resource: XraySamplingRule;

  constructor(scope: Construct, id: string, props: TracingSamplingRuleProps) {
    super(scope, id);
    SAMPLING_RULE_NAME.check("TracingSamplingRule.ruleName", props.ruleName);
    SAMPLING_URL_PATH.check("TracingSamplingRule.urlPath", props.urlPath);
    checkPattern(
      "TracingSamplingRule.httpMethod",
      props.httpMethod,
      /^[A-Z*?]{1,10}$/,
      "an HTTP method of at most 10 capitals (or * for any)",
      'use for example "GET"',
    );
    checkPattern("TracingSamplingRule.serviceName", props.serviceName, /^.{1,64}$/u, "1 to 64 characters", "use the name the service gives its segments, or *");
    SAMPLING_FIXED_RATE.check("TracingSamplingRule.fixedRate", props.fixedRate);
    SAMPLING_RESERVOIR.check("TracingSamplingRule.reservoirSize", props.reservoirSize);
    SAMPLING_RULE_PRIORITY.check("TracingSamplingRule.priority", props.priority);
    this.resource = new XraySamplingRule(this, "Resource", {
      ruleName: props.ruleName,
      priority: props.priority ?? 100,
      fixedRate: props.fixedRate ?? 0,
      reservoirSize: props.reservoirSize ?? 0,
      urlPath: props.urlPath,
      httpMethod: props.httpMethod ?? "GET",
      serviceName: props.serviceName ?? "*",
      serviceType: "*",
      host: "*",
      resourceArn: "*",
      version: 1,
      tags: props.tags,
    });
  }
}
