import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { Fn, ITerraformDependable, TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { AmplifyFrontend } from "../constructs/amplify-frontend";
import { ApiGatewayCloudWatchRole } from "../constructs/api-gateway-account";
import { ChatAlarms } from "../constructs/alarms";
import { ConnectionsTable } from "../constructs/connections-table";
import { ContainerImage } from "../constructs/container-image";
import { DeployActions } from "../constructs/deploy-actions";
import { FargateService } from "../constructs/fargate-service";
import { GitHubTokenSecret } from "../constructs/github-token-secret";
import { Guardrails } from "../constructs/guardrails";
import { INetwork, Network } from "../constructs/network";
import { PrivateLink } from "../constructs/private-link";
import { WebSocketApi } from "../constructs/websocket-api";
import { stageVariable, WebSocketHttpIntegration, WebSocketMockIntegration } from "../constructs/websocket-integration";
import { WebSocketStage } from "../constructs/websocket-stage";
import { CHAT_ROUTE_SELECTION_EXPRESSION, CHAT_ROUTES, UNKNOWN_ACTION_REPLY } from "./chat-contract";
import { Settings } from "./settings";
import { configureStateBackend } from "./state-backend";
import { configureProvider, Omission, omissionsFor, TargetCapabilities, targetCapabilities } from "./target";

/** Name of the stack: part of the contract (folder under cdktf.out/stacks). */
export const CHAT_STACK = "chat";

/** Properties of {@link ChatStack}. */
export interface ChatStackProps {
  /** Validated settings (see config.ts). */
  readonly settings: Settings;
  /** Folder of the deploy-actions Lambda handler. */
  readonly deployActionsCodeDir: string;
  /**
   * Where the local backend keeps state, relative to the stack's folder.
   * @default "../../.." (the project folder, for cdktf.out/stacks/chat)
   */
  readonly localStateDir?: string;
}

/**
 * The whole chat system of the seed notes, serving the applications of
 * chat-contract.md unchanged: a Go backend on ECS Fargate with a tracing
 * sidecar, reachable only through a v1 VPC link and an internal NLB; a
 * WebSocket API with the contract's routes as non-proxy HTTP integrations;
 * the connections table; the image built from GitHub; the account-level
 * CloudWatch role; the Next.js frontend on Amplify; optional alarms.
 */
export class ChatStack extends TerraformStack {
  /** What the target can create (derived from the settings). */
  public readonly capabilities: TargetCapabilities;
  /** What the target left out, and why. */
  public readonly omissions: Omission[];
  public readonly api: WebSocketApi;
  public readonly stage: WebSocketStage;
  public readonly service: FargateService;
  public readonly link: PrivateLink;
  public readonly table: ConnectionsTable;
  public readonly image?: ContainerImage;
  public readonly frontend?: AmplifyFrontend;

  constructor(scope: Construct, id: string, props: ChatStackProps) {
    super(scope, id);
    const s = props.settings;
    const c = s.chat;
    const can = (this.capabilities = targetCapabilities(s.target));
    // What this configuration would use that the target may lack. A target
    // without Lambda reports the deploy actions even where none are needed.
    this.omissions = omissionsFor(can, {
      explicitDeployments: !c.api.autoDeploy,
      lambda: true,
      autoScaling: c.backend.autoScaling.enabled,
      amplify: c.frontend.enabled,
    });
    const base = `${c.name}-${s.environment}`;
    const production = s.environment === "production";
    const deletionProtection = c.deletionProtection ?? production;

    configureProvider(this, s, { ...s.tags, Environment: s.environment, Stack: id, ManagedBy: "cdktf" });
    configureStateBackend(this, id, s, props.localStateDir ?? "../../..");
    const region = new DataAwsRegion(this, "region").name;

    // Network: new, or the given VPC and private subnets.
    const network: INetwork =
      c.network.vpcId !== null
        ? { vpcId: c.network.vpcId, privateSubnetIds: c.network.privateSubnetIds }
        : new Network(this, "network", {
            name: base,
            cidr: c.network.cidr,
            availabilityZones: c.network.availabilityZones.length ? c.network.availabilityZones : undefined,
            azCount: c.network.azCount,
            natGateways: c.network.natGateways,
            interfaceEndpoints: c.network.interfaceEndpoints,
          });

    this.table = new ConnectionsTable(this, "connections", {
      tableName: `${base}-connections`,
      ttlAttribute: c.table.ttlAttribute,
      pointInTimeRecovery: c.table.pointInTimeRecovery,
      kmsKeyArn: c.table.kmsKeyArn ?? undefined,
      deletionProtection,
    });

    const account = c.apiGatewayAccount.manage
      ? new ApiGatewayCloudWatchRole(this, "apigateway-cloudwatch-role", { roleName: c.apiGatewayAccount.roleName ?? `${base}-apigw-cloudwatch` })
      : undefined;

    this.link = new PrivateLink(this, "private-link", {
      vpcId: network.vpcId,
      subnetIds: network.privateSubnetIds,
      nlbName: `${base}-nlb`,
      targetGroupName: `${base}-tg`,
      vpcLinkName: `${base}-vpc-link`,
      vpcLinkDescription: `Private path from the ${base} WebSocket API to its backend`,
      internal: true,
      deletionProtection,
      target: {
        kind: "ip",
        port: c.backend.port,
        healthCheck: { path: c.backend.healthCheckPath, matcher: "200" },
        deregistrationDelaySeconds: c.backend.deregistrationDelaySeconds,
      },
    });

    // The contract's routes: non-proxy HTTP integrations through the VPC
    // link whose URL host is a stage variable, so another stage can point
    // the same API at another backend.
    const backendUrl = (path: string) => `http://${stageVariable("backendHost")}${path}`;
    this.api = new WebSocketApi(this, "api", {
      apiName: c.api.name ?? `${base}-websocket`,
      description: `WebSocket API of the ${base} chat`,
      routeSelectionExpression: CHAT_ROUTE_SELECTION_EXPRESSION,
      defaultRoute: {
        integration: new WebSocketMockIntegration({ responseTemplate: UNKNOWN_ACTION_REPLY, description: "Frames with an unknown action" }),
        returnResponse: true,
      },
    });
    for (const route of CHAT_ROUTES) {
      this.api.addRoute(route.routeKey, {
        integration: new WebSocketHttpIntegration({
          url: backendUrl(route.path),
          method: "POST",
          vpcLink: this.link,
          requestTemplates: { $default: route.template },
          description: `POST ${route.path} (${route.fields.join(", ")})`,
        }),
        returnResponse: true,
      });
    }

    this.stage = new WebSocketStage(this, "stage", {
      api: this.api,
      stageName: c.api.stageName,
      autoDeploy: c.api.autoDeploy,
      explicitDeployment: can.explicitDeployments,
      throttle: c.api.throttle,
      loggingLevel: c.api.loggingLevel,
      dataTraceEnabled: c.api.dataTraceEnabled,
      detailedMetricsEnabled: c.api.detailedMetricsEnabled,
      logRetentionInDays: c.api.logRetentionDays,
      stageVariables: { backendHost: `${this.link.dnsName}:${this.link.listenerPort}` },
      dependsOn: account ? [account.resource] : undefined,
    });

    const deployActions =
      can.lambda && (c.backend.image.uri === null || c.frontend.enabled)
        ? new DeployActions(this, "deploy-actions", { functionName: `${base}-deploy-actions`, codeDirectory: props.deployActionsCodeDir })
        : undefined;

    let imageUri: string;
    let imageRepositoryArn: string | undefined;
    if (c.backend.image.uri !== null) {
      imageUri = c.backend.image.uri;
      imageRepositoryArn = ecrRepositoryArn(c.backend.image.uri);
    } else {
      this.image = new ContainerImage(this, "backend-image", {
        name: `${base}-backend`,
        source: {
          repositoryUrl: c.backend.image.repositoryUrl,
          gitRef: c.backend.image.gitRef,
          dockerfile: c.backend.image.dockerfile,
          tokenSecretArn: c.backend.image.githubTokenSecretArn ?? undefined,
        },
        imageTag: c.backend.image.tag,
        architecture: c.backend.architecture,
        deployActions,
        forceDelete: !production,
      });
      imageUri = this.image.imageUri;
      imageRepositoryArn = this.image.repositoryArn;
    }

    this.service = new FargateService(this, "backend-service", {
      serviceName: `${base}-backend`,
      clusterName: base,
      vpcId: network.vpcId,
      subnetIds: network.privateSubnetIds,
      targetGroup: { targetGroupArn: this.link.targetGroup.arn, dependsOn: [this.link.listener] },
      region,
      container: {
        name: "backend",
        image: imageUri,
        port: c.backend.port,
        readonlyRootFilesystem: c.backend.readonlyRootFilesystem,
        environment: {
          DB_TYPE: "DYNAMODB",
          DYNAMODB_TABLE_NAME: this.table.tableName,
          HTTP_PORT: String(c.backend.port),
          ENV: "production",
        },
      },
      cpu: c.backend.cpu,
      memory: c.backend.memory,
      architecture: c.backend.architecture,
      desiredCount: c.backend.desiredCount,
      autoScaling:
        c.backend.autoScaling.enabled && can.autoScaling
          ? { minCapacity: c.backend.autoScaling.minCapacity, maxCapacity: c.backend.autoScaling.maxCapacity, targetCpuPercent: c.backend.autoScaling.targetCpuPercent }
          : undefined,
      tracing: c.backend.tracing,
      tracingImage: c.backend.tracingImage ?? undefined,
      logRetentionInDays: c.backend.logRetentionDays,
      imageRepositoryArn,
    });
    // The NLB reaches the tasks, and only the NLB does.
    this.link.connectTo(this.service.securityGroup.id, `${this.service.node.id}Tasks`);
    this.service.addDependency(this.table.grantConnectionsAccess(this.service.taskRole), this.stage.grantManageConnections(this.service.taskRole));

    if (c.frontend.enabled && can.amplify) {
      // The token never passes through Terraform's state: the deploy actions
      // read it from Secrets Manager when they connect the repository.
      let tokenSecretArn = c.frontend.tokenSecretArn;
      let tokenWritten: ITerraformDependable[] = [];
      if (tokenSecretArn === null) {
        const secret = declareGitHubTokenSecret(this, `${base}-github-token`);
        tokenSecretArn = secret.secretArn;
        tokenWritten = [secret.version];
      }
      this.frontend = new AmplifyFrontend(this, "frontend", {
        appName: `${base}-frontend`,
        repositoryUrl: c.frontend.repositoryUrl,
        branchName: c.frontend.branch,
        tokenSecretArn,
        tokenDependsOn: tokenWritten,
        environmentVariables: { WEBSOCKET_URL: this.stage.invokeUrl },
        deployActions: deployActions!,
        startBuild: c.frontend.startBuild,
      });
    }

    if (c.alarms.enabled) {
      new ChatAlarms(this, "alarms", {
        name: base,
        apiId: this.api.apiId,
        stageName: this.stage.stageName,
        targetGroupArnSuffix: this.link.targetGroup.arnSuffix,
        loadBalancerArnSuffix: this.link.nlb.arnSuffix,
        clusterName: this.service.cluster.name,
        serviceName: this.service.resource.name,
        snsTopicArn: c.alarms.snsTopicArn ?? undefined,
        // The account, read from an ARN of the stack (no AWS call at plan time).
        accountId: Fn.element(Fn.split(":", this.service.taskRole.arn), 4),
        email: c.alarms.email ?? undefined,
      });
    }

    // The rule pack (constructs/guardrails/RULES.md) runs at every synth.
    Guardrails.apply(this, { production });

    const output = (name: string, value: string, description: string) => new TerraformOutput(this, name, { value, description, staticId: true });
    output("websocket_url", this.stage.invokeUrl, "URL clients connect to (wss://).");
    output("connections_callback_url", this.stage.callbackUrl, "Base URL of the @connections API (https://), as the backend receives it in the url field.");
    output("api_id", this.api.apiId, "ID of the WebSocket API.");
    output("ecs_cluster_name", this.service.cluster.name, "Name of the ECS cluster.");
    output("ecs_service_name", this.service.resource.name, "Name of the ECS service.");
    output("connections_table_name", this.table.tableName, "Name of the DynamoDB connections table.");
    output("backend_image", imageUri, "Image the backend runs.");
    output("api_access_log_group_name", this.stage.accessLogGroup!.name, "Log group of the API's access logs.");
    output("api_execution_log_group_name", this.stage.executionLogGroup!.name, "Log group of the API's execution logs.");
    output("backend_log_group_name", this.service.logGroup.name, "Log group of the backend container.");
    if (this.service.sidecar) output("tracing_log_group_name", this.service.sidecar.logGroup.name, "Log group of the tracing sidecar.");
    if (this.image) output("ecr_repository_url", this.image.repositoryUrl, "ECR repository the backend image is built into.");
    if (this.frontend) output("frontend_url", this.frontend.url, "URL of the frontend on Amplify.");
  }
}

/**
 * The GitHub token secret of a stack and the variables that feed it: the
 * ephemeral, sensitive `github_access_token` (written through a write-only
 * argument, never stored) and `github_access_token_version` (raised to write
 * a new token). Requires Terraform 1.11 in the stack.
 */
export function declareGitHubTokenSecret(stack: TerraformStack, secretName: string): GitHubTokenSecret {
  const variable = new TerraformVariable(stack, "github_access_token", {
    type: "string",
    sensitive: true,
    nullable: true,
    description:
      "GitHub personal access token Amplify uses once, when the stack connects the frontend repository, to install its GitHub App. Give it as TF_VAR_github_access_token on the first apply; it is ephemeral (written to the stack's secret, never to the state) and can be revoked once the frontend is deployed.",
  });
  variable.overrideLogicalId("github_access_token");
  variable.addOverride("default", null);
  variable.addOverride("ephemeral", true);
  const version = new TerraformVariable(stack, "github_access_token_version", {
    type: "number",
    default: 1,
    description: "Raise it to write a new github_access_token into the stack's secret (a write-only value is sent only when its version changes).",
  });
  version.overrideLogicalId("github_access_token_version");
  // Ephemeral variables and write-only arguments.
  stack.addOverride("terraform.required_version", ">= 1.11.0");
  return new GitHubTokenSecret(stack, "github-token", { secretName, tokenVariable: variable, version: version.numberValue });
}

/** The ARN of a private ECR repository an image reference points into, if any. */
export function ecrRepositoryArn(imageUri: string): string | undefined {
  const m = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\/([^:@]+)/.exec(imageUri);
  if (!m) return undefined;
  const partition = m[3] ? "aws-cn" : m[2].startsWith("us-gov-") ? "aws-us-gov" : "aws";
  return `arn:${partition}:ecr:${m[2]}:${m[1]}:repository/${m[4]}`;
}
