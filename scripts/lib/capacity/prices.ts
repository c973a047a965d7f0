/**
 * The one price table of `npm run capacity` (and of docs/chat.md's cost
 * table, which a test holds equal to it): on-demand list prices of US East
 * (N. Virginia), us-east-1, in US dollars, as AWS's pricing pages state them.
 *
 * As of 2026-12-07 (PRICES_CHECKED). The API Gateway WebSocket rates (and
 * the 1-billion tier), the NLB hour and NLCU, and the NLCU's dimensions were
 * read from their pages' text as transcribed on 2026-09-20 (api-evangelist's
 * plans files of those pages, and infracost's pull requests for the tier);
 * the Fargate, NAT gateway, public IPv4, DynamoDB on-demand and CloudWatch
 * figures are those of the project's cost table (docs/chat.md), from the
 * pages named in `source`, which could not be loaded from this machine.
 * A month is 730 hours, as AWS's own examples count it. Prices change:
 * re-check the pages and update the date with the figures. Other regions
 * differ (mostly by a few percent):
 * the command says so when the stack's region is not us-east-1.
 */
export const PRICES_REGION = "us-east-1";
export const PRICES_CHECKED = "2026-12-07";

/** A price and the page that states it. */
export interface Price {
  readonly usd: number;
  readonly per: string;
  readonly source: string;
}

const API_GATEWAY = "https://aws.amazon.com/api-gateway/pricing/ (WebSocket APIs)";
const ELB = "https://aws.amazon.com/elasticloadbalancing/pricing/ (Network Load Balancer)";
const VPC = "https://aws.amazon.com/vpc/pricing/ (NAT gateway, public IPv4 address, interface endpoints)";
const FARGATE = "https://aws.amazon.com/fargate/pricing/ (Linux)";
const DYNAMODB = "https://aws.amazon.com/dynamodb/pricing/on-demand/";
const CLOUDWATCH = "https://aws.amazon.com/cloudwatch/pricing/";

export const PRICES = {
  /** WebSocket messages, the first billion of a month; a message is metered in 32 KB units. */
  messagesFirstBillion: { usd: 1.0, per: "million messages (first 1 billion a month)", source: API_GATEWAY },
  /** WebSocket messages beyond the first billion of a month. */
  messagesOverBillion: { usd: 0.8, per: "million messages (over 1 billion a month)", source: API_GATEWAY },
  connectionMinutes: { usd: 0.25, per: "million connection minutes", source: API_GATEWAY },
  nlbHour: { usd: 0.0225, per: "NLB-hour", source: ELB },
  nlcuHour: { usd: 0.006, per: "NLCU-hour", source: ELB },
  natGatewayHour: { usd: 0.045, per: "NAT gateway-hour", source: VPC },
  natGatewayGb: { usd: 0.045, per: "GB processed by a NAT gateway", source: VPC },
  publicIpv4Hour: { usd: 0.005, per: "public IPv4 address-hour", source: VPC },
  interfaceEndpointHour: { usd: 0.01, per: "interface endpoint-hour per zone", source: VPC },
  fargateVcpuHour: { usd: 0.04048, per: "vCPU-hour (x86_64)", source: FARGATE },
  fargateGbHour: { usd: 0.004445, per: "GB-hour (x86_64)", source: FARGATE },
  fargateArmVcpuHour: { usd: 0.03238, per: "vCPU-hour (ARM64)", source: FARGATE },
  fargateArmGbHour: { usd: 0.00356, per: "GB-hour (ARM64)", source: FARGATE },
  dynamodbWrites: { usd: 0.625, per: "million write request units", source: DYNAMODB },
  dynamodbReads: { usd: 0.125, per: "million read request units", source: DYNAMODB },
  logsIngestedGb: { usd: 0.5, per: "GB of logs ingested (standard class)", source: CLOUDWATCH },
  dashboardMonth: { usd: 3.0, per: "dashboard-month (the first 3 of an account are free)", source: CLOUDWATCH },
  alarmMonth: { usd: 0.1, per: "standard-resolution alarm metric-month", source: CLOUDWATCH },
  kmsKeyMonth: { usd: 1.0, per: "customer managed KMS key-month", source: "https://aws.amazon.com/kms/pricing/" },
  secretMonth: { usd: 0.4, per: "secret-month", source: "https://aws.amazon.com/secrets-manager/pricing/" },
} satisfies Record<string, Price>;

/** Hours in a month, as AWS's pricing examples count them. */
export const HOURS_PER_MONTH = 730;

/** API Gateway meters WebSocket messages in 32 KB units (a 33 KB message is two). */
export const MESSAGE_METERING_BYTES = 32 * 1024;

/** Messages a month billed at the first tier's price. */
export const FIRST_TIER_MESSAGES = 1e9;

/**
 * One NLB capacity unit (NLCU) for TCP traffic, per hour: 800 new flows a
 * second, 100,000 active flows, or 1 GB processed; an hour bills the largest
 * of the three (ELB pricing page).
 */
export const NLCU = { newFlowsPerSecond: 800, activeFlows: 100_000, gbPerHour: 1 } as const;
