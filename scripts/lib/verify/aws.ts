import { AmplifyClient } from "@aws-sdk/client-amplify";
import { APIGatewayClient } from "@aws-sdk/client-api-gateway";
import { ApiGatewayManagementApiClient } from "@aws-sdk/client-apigatewaymanagementapi";
import { ApiGatewayV2Client } from "@aws-sdk/client-apigatewayv2";
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { CodeBuildClient } from "@aws-sdk/client-codebuild";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ECSClient } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { IAMClient } from "@aws-sdk/client-iam";
import * as https from "https";

/**
 * The only AWS operations `npm run verify` may send: reads. Every SDK client
 * it makes refuses anything else before it leaves the process (and records
 * what it sent, for `--json` and the tests). CloudTrail's LookupEvents is a
 * read (the event history, https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html).
 */
export const READ_OPERATION = /^(Get|Describe|List|BatchGet|Filter|Lookup)[A-Z]/;

/** One AWS operation verify sent. */
export interface AwsCall {
  /** The SDK client's service, e.g. `ApiGatewayV2`. */
  readonly service: string;
  /** The operation, e.g. `GetRoutes`. */
  readonly operation: string;
}

/** Answers a call instead of AWS (tests: recorded API replies); undefined sends it. */
export type AwsIntercept = (call: AwsCall & { readonly input: Record<string, unknown> }) => Promise<unknown> | undefined;

export interface AwsAccessOptions {
  readonly region: string;
  /**
   * One endpoint for every service (the emulator's).
   * @default - each service's AWS endpoint for the region
   */
  readonly endpoint?: string;
  /**
   * @default - the SDK's default credential chain (environment, profile, SSO, instance role)
   */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string };
  /** @default - none: every call goes out */
  readonly intercept?: AwsIntercept;
}

type Client = { middlewareStack: { add: (...args: any[]) => void }; destroy: () => void }; // eslint-disable-line @typescript-eslint/no-explicit-any
type ClientClass<C> = new (config: Record<string, unknown>) => C;

/**
 * The AWS SDK v3 clients verify uses, made on first use, each with the
 * read-only guard and the call record.
 */
export class AwsAccess {
  /** Every operation sent (or answered by `intercept`), in order. */
  public readonly calls: AwsCall[] = [];
  private readonly clients = new Map<string, Client>();

  constructor(public readonly options: AwsAccessOptions) {}

  public get region(): string {
    return this.options.region;
  }

  public apigatewayv2 = () => this.client("apigatewayv2", ApiGatewayV2Client);
  public apigateway = () => this.client("apigateway", APIGatewayClient);
  public elbv2 = () => this.client("elbv2", ElasticLoadBalancingV2Client);
  public ecs = () => this.client("ecs", ECSClient);
  public codebuild = () => this.client("codebuild", CodeBuildClient);
  public amplify = () => this.client("amplify", AmplifyClient);
  public iam = () => this.client("iam", IAMClient);
  public logs = () => this.client("logs", CloudWatchLogsClient);
  public ec2 = () => this.client("ec2", EC2Client);
  public cloudtrail = () => this.client("cloudtrail", CloudTrailClient);

  /**
   * The @connections API at a stage's callback URL (`https://<api>.execute-api.<region>.amazonaws.com/<stage>`),
   * signed with the same credentials; `ca`: a CA to trust (the local gateway's).
   */
  public connections(endpoint: string, ca?: Buffer): ApiGatewayManagementApiClient {
    return this.client(`connections ${endpoint}`, ApiGatewayManagementApiClient, {
      endpoint,
      ...(ca ? { requestHandler: { httpsAgent: new https.Agent({ ca }) } } : {}),
    });
  }

  /** The credentials the clients sign with (for the IAM-signed handshake). */
  public async credentials(): Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }> {
    if (this.options.credentials) return this.options.credentials;
    const provider = (this.apigatewayv2().config as { credentials: () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }> })
      .credentials;
    return provider();
  }

  public destroy(): void {
    for (const c of this.clients.values()) c.destroy();
    this.clients.clear();
  }

  private client<C extends Client>(key: string, Class: ClientClass<C>, extra: Record<string, unknown> = {}): C {
    const known = this.clients.get(key);
    if (known) return known as C;
    const o = this.options;
    const client = new Class({
      region: o.region,
      ...(o.endpoint && !extra.endpoint ? { endpoint: o.endpoint } : {}),
      ...(o.credentials ? { credentials: o.credentials } : {}),
      // The emulator answers unimplemented calls with 500: no retries there.
      maxAttempts: o.endpoint ? 1 : 3,
      ...extra,
    });
    client.middlewareStack.add(
      (next: (args: unknown) => Promise<unknown>, context: { clientName?: string; commandName?: string }) =>
        async (args: { input: Record<string, unknown> }) => {
          const call = {
            service: (context.clientName ?? "unknown").replace(/Client$/, ""),
            operation: (context.commandName ?? "unknown").replace(/Command$/, ""),
          };
          if (!READ_OPERATION.test(call.operation)) {
            throw new Error(`npm run verify sends read calls only; refused ${call.service} ${call.operation}`);
          }
          this.calls.push(call);
          const answer = o.intercept?.({ ...call, input: args.input });
          if (answer !== undefined) return { output: { $metadata: {}, ...((await answer) as object) }, response: {} };
          return next(args);
        },
      { step: "initialize", name: "wsgwVerifyReadOnly", priority: "high" },
    );
    this.clients.set(key, client);
    return client;
  }
}

/** The error name of an SDK failure (`NotFoundException`, `AccessDeniedException`, ...). */
export function errorName(e: unknown): string {
  return (e as { name?: string })?.name ?? "Error";
}

/** An SDK failure in one line: name and message. */
export function errorText(e: unknown): string {
  const name = errorName(e);
  const message = (e as Error)?.message ?? String(e);
  return message && message !== name && message !== "UnknownError" ? `${name}: ${message}` : name;
}

/** Access denied, whatever the service calls it. */
export function isAccessDenied(e: unknown): boolean {
  return (
    /AccessDenied|UnauthorizedOperation|NotAuthorized|Forbidden/i.test(errorName(e)) ||
    (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 403
  );
}

/** Not found, whatever the service calls it. */
export function isNotFound(e: unknown): boolean {
  return (
    /NotFound|NoSuchEntity|ResourceNotFound|NotFoundException/i.test(errorName(e)) ||
    (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 404
  );
}
