import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { Fn, ITerraformDependable, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { AmplifyFrontend } from "../constructs/amplify-frontend";
import { AmplifyManualFrontend } from "../constructs/amplify-manual-frontend";
import { ApiGatewayCloudWatchRole, DEFAULT_SHARED_ROLE_NAME, forgetPreviousAccountResources } from "../constructs/api-gateway-cloud-watch-role";
import { oneBuildAtATime } from "../constructs/build-run";
import { ChatAlarms } from "../constructs/chat-alarms";
import { ConnectionsTable } from "../constructs/connections-table";
import { ContainerImage } from "../constructs/container-image";
import { DockerHubAccess } from "../constructs/docker-hub-access";
import { DeployActions } from "../constructs/deploy-actions";
import { FargateService } from "../constructs/fargate-service";
import { TracingSamplingRule } from "../constructs/tracing-sampling-rule";
import { Guardrails } from "../constructs/guardrails";
import { WebSocketAccessLogMetrics } from "../constructs/websocket-access-log-metrics";
import { WebSocketDashboard } from "../constructs/websocket-dashboard";
import { INetwork, Network } from "../constructs/network";
import { PrivateLink } from "../constructs/private-link";
import { WebSocketApi } from "../constructs/websocket-api";
import { WebSocketApiMapping } from "../constructs/websocket-api-mapping";
import { callbackUrlTemplate } from "../constructs/websocket-callback-url";
import { WebSocketDomainName } from "../constructs/websocket-domain-name";
import { stageVariable, WebSocketHttpIntegration, WebSocketMockIntegration } from "../constructs/websocket-integration";
import { authorizerTemplateJsonString, WebSocketLambdaAuthorizer } from "../constructs/websocket-lambda-authorizer";
import { IWebSocketRouteAuthorizer, WebSocketIamAuthorizer } from "../constructs/websocket-route-authorizer";
import { WebSocketRouteSettings, WebSocketStage } from "../constructs/websocket-stage";
import { chatBackendDockerfile } from "./chat-backend-dockerfile";
import { ecrRepositoryArn } from "./ecr-repository-arn";
import { output } from "./fixed-names";
import { declareGitHubTokenSecret } from "./github-token-variables";
import { CHAT_BACKEND_SEGMENT_NAME, CHAT_ROUTE_SELECTION_EXPRESSION, chatRoutes, UNKNOWN_ACTION_REPLY } from "./chat-contract";
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
 * CloudWatch role (checked before it replaces a region's role); the Next.js
 * frontend on Amplify, built and published by manual deployment or built
 * by Amplify from a connected repository; a CloudWatch dashboard and
 * optional alarms.
 */
export class ChatStack extends TerraformStack {
  /** What the target left out, and why. */
  public readonly omissions: Omission[];
  public readonly api: WebSocketApi;
  public readonly stage: WebSocketStage;
  public readonly service: FargateService;
  public readonly link: PrivateLink;
  public readonly table: ConnectionsTable;
  public readonly image?: ContainerImage;
  /** The frontend: `frontend-site` (source "build") or `frontend` (source "repository"). */
  public readonly frontend?: AmplifyFrontend | AmplifyManualFrontend;
  /** The Lambda authorizer of `$connect` (chat.api.authorization.type "CUSTOM"). */
  public readonly connectAuthorizer?: WebSocketLambdaAuthorizer;
  /** The custom domain (chat.domain.name) and the stage's mapping on it. */
  public readonly domain?: WebSocketDomainName;
  public readonly mapping?: WebSocketApiMapping;

  constructor(scope: Construct, id: string, props: ChatStackProps) {
    super(scope, id);
    const s = props.settings;
    const c = s.chat;
    // What the target can create (derived from the settings).
    const can = targetCapabilities(s.target);
    // What this configuration would use that the target may lack. A target
    // without Lambda reports the deploy actions even where none are needed.
    this.omissions = omissionsFor(can, {
      explicitDeployments: !c.api.autoDeploy,
      lambda: true,
      autoScaling: c.backend.autoScaling.enabled,
      amplify: c.frontend.enabled,
      pullThroughCache: c.backend.image.uri === null && c.backend.image.dockerHub.kind === "pull-through-cache" && c.backend.image.dockerHub.createRule,
      xraySamplingRules: c.backend.tracing !== "off",
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
      ttlAttribute: c.table.ttlAttribute ?? undefined,
      pointInTimeRecovery: c.table.pointInTimeRecovery,
      kmsKeyArn: c.table.kmsKeyArn ?? undefined,
      deletionProtection,
    });

    this.link = new PrivateLink(this, "private-link", {
      vpcId: network.vpcId,
      subnetIds: network.privateSubnetIds,
      nlbName: `${base}-nlb`,
      targetGroupName: targetGroupName(base, c.backend.port),
      // Clients' path stays on port 80 whatever port the backend listens on.
      listenerPort: LISTENER_PORT,
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
    // A new port replaces the target group (its port cannot change): the new
    // one (named after its port) is made first, the listener and the service
    // move to it in place (ECS UpdateService changes load balancers since
    // 2022: hashicorp/terraform-provider-aws#23596), then the old one goes.
    this.link.targetGroup.lifecycle = { createBeforeDestroy: true };

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
    // Who may connect (chat.api.authorization): nobody is turned away by default.
    const authorization = c.api.authorization;
    let connectAuthorizer: IWebSocketRouteAuthorizer | undefined;
    if (authorization.type === "CUSTOM") {
      connectAuthorizer = this.connectAuthorizer = new WebSocketLambdaAuthorizer(this, "connect-authorizer", {
        api: this.api,
        authorizerName: `${base}-connect`,
        functionArn: authorization.functionArn!,
        identitySources: authorization.identitySources,
        credentialsRoleArn: authorization.credentialsRoleArn ?? undefined,
      });
    } else if (authorization.type === "AWS_IAM") {
      connectAuthorizer = new WebSocketIamAuthorizer();
    }
    const routes = chatRoutes({
      // Behind a custom domain $context.domainName is the custom name, where
      // /<stage>/@connections does not exist: the backend calls the API's own host.
      callbackUrl: c.domain.name !== null ? callbackUrlTemplate(this.api) : undefined,
      principalId: this.connectAuthorizer ? authorizerTemplateJsonString() : undefined,
    });
    for (const route of routes) {
      this.api.addRoute(route.routeKey, {
        integration: new WebSocketHttpIntegration({
          url: backendUrl(route.path),
          method: "POST",
          vpcLink: this.link,
          requestTemplates: { $default: route.template },
          description: `POST ${route.path} (${route.fields.join(", ")})`,
        }),
        returnResponse: true,
        authorizer: route.routeKey === "$connect" ? connectAuthorizer : undefined,
      });
    }

    // The region's API Gateway CloudWatch role, shared with the region's other
    // stacks (constructs/api-gateway-cloud-watch-role.ts). The resources
    // release 2.0.0 made for it are forgotten, not destroyed: destroying them
    // would reset the setting other APIs log through.
    forgetPreviousAccountResources(this, PREVIOUS_ACCOUNT_ADDRESSES);
    let account: ApiGatewayCloudWatchRole | undefined;
    if (c.apiGatewayAccount.manage && can.lambda) {
      // A function of its own (same handler): the stage waits for the
      // setting, and the frontend's build waits for the stage's URL, so an
      // action of the deploy-actions function, whose policy names the
      // frontend's build, would be a dependency cycle.
      const manager = new DeployActions(this, "account-check", { functionName: `${base}-account-check`, codeDirectory: props.deployActionsCodeDir });
      account = new ApiGatewayCloudWatchRole(this, "apigateway-cloudwatch-role", {
        deployActions: manager,
        user: `chat ${base} ${this.api.apiId}`,
        roleName: c.apiGatewayAccount.roleName ?? DEFAULT_SHARED_ROLE_NAME,
        replaceExisting: c.apiGatewayAccount.replaceExisting,
        keepHint: "set chat.apiGatewayAccount.manage to false",
        replaceHint: "set chat.apiGatewayAccount.replaceExisting to true",
        // The role release 2.0.0 made for this stack.
        previousRoleNames: [c.apiGatewayAccount.roleName ?? `${base}-apigw-cloudwatch`],
        dependsOn: [this.api.resource],
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
      routeSettings: routeThrottleSettings(c.api.routeThrottle, c.api.throttle),
      dependsOn: account ? [account.resource] : undefined,
    });

    // The custom domain clients (and the frontend) connect to.
    if (c.domain.name !== null) {
      this.domain = new WebSocketDomainName(this, "custom-domain", {
        domainName: c.domain.name,
        certificateArn: c.domain.certificateArn ?? undefined,
        hostedZoneId: c.domain.hostedZoneId ?? undefined,
        ipAddressType: c.domain.ipAddressType,
      });
      this.mapping = this.domain.addApiMapping("mapping", { stage: this.stage, mappingKey: c.domain.mappingKey ?? undefined });
    }
    const websocketUrl = this.mapping?.url ?? this.stage.invokeUrl;

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
          dockerfile: c.backend.image.dockerfile ?? undefined,
          tokenSecretArn: c.backend.image.githubTokenSecretArn ?? undefined,
        },
        // Without a dockerfile of the repository: this project's (Go release, non-root, no toolchain).
        inlineDockerfile:
          c.backend.image.dockerfile === null ? chatBackendDockerfile({ goVersion: c.backend.image.goVersion, port: c.backend.port }) : undefined,
        imageTag: c.backend.image.tag,
        architecture: c.backend.architecture,
        deployActions,
        forceDelete: !production,
        dockerHub: dockerHubAccess(c.backend.image.dockerHub, can),
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
          ? {
              minCapacity: c.backend.autoScaling.minCapacity,
              maxCapacity: c.backend.autoScaling.maxCapacity,
              targetCpuPercent: c.backend.autoScaling.targetCpuPercent,
            }
          : undefined,
      tracing: c.backend.tracing,
      tracingImage: c.backend.tracingImage ?? undefined,
      logRetentionInDays: c.backend.logRetentionDays,
      imageRepositoryArn,
    });
    // The NLB's health checks (GET /healthz every few seconds per task) are
    // kept out of the traces: the backend's X-Ray middleware wraps every route.
    if (c.backend.tracing !== "off" && can.xraySamplingRules) {
      new TracingSamplingRule(this, "health-check-sampling", {
        ruleName: `${base}-health`,
        urlPath: c.backend.healthCheckPath,
        httpMethod: "GET",
        serviceName: CHAT_BACKEND_SEGMENT_NAME,
        fixedRate: 0,
        reservoirSize: 0,
      });
    }
    // The NLB reaches the tasks, and only the NLB does.
    this.link.connectTo(this.service.securityGroup.id, `${this.service.node.id}Tasks`);
    this.service.addDependency(this.table.grantConnectionsAccess(this.service.taskRole), this.stage.grantManageConnections(this.service.taskRole));

    if (c.frontend.enabled && can.amplify && c.frontend.source === "build") {
      // Built by CodeBuild and published by Amplify's manual deployment: no
      // GitHub token, no repository admin, no webhook. A construct id of its
      // own: Amplify cannot turn a repository-connected app into a manually
      // deployed one (aws-amplify/amplify-hosting#2930), so switching
      // sources replaces the app.
      this.frontend = new AmplifyManualFrontend(this, "frontend-site", {
        appName: `${base}-frontend`,
        repositoryUrl: c.frontend.repositoryUrl,
        gitRef: c.frontend.gitRef,
        branchName: c.frontend.branch,
        tokenSecretArn: c.frontend.tokenSecretArn ?? undefined,
        environmentVariables: { WEBSOCKET_URL: websocketUrl },
        outputDirectory: c.frontend.build.outputDirectory,
        nodeVersion: c.frontend.build.nodeVersion,
        deployActions: deployActions!,
      });
    } else if (c.frontend.enabled && can.amplify) {
      // Amplify connects the repository (a token of an admin of it). The
      // token never passes through Terraform's state: the deploy actions
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
        environmentVariables: { WEBSOCKET_URL: websocketUrl },
        deployActions: deployActions!,
        startBuild: c.frontend.startBuild,
      });
    }

    // What AWS publishes no metric of (connections opened and closed,
    // throttling, rejected connects), from the stage's access logs.
    const accessLogs =
      c.dashboard.enabled || c.alarms.enabled
        ? new WebSocketAccessLogMetrics(this, "access-log-metrics", {
            logGroupName: this.stage.accessLogGroup!.name,
            apiId: this.api.apiId,
            stageName: this.stage.resource.name,
          })
        : undefined;
    if (c.dashboard.enabled) {
      new WebSocketDashboard(this, "dashboard", {
        dashboardName: base,
        region,
        api: {
          apiId: this.api.apiId,
          stageName: this.stage.resource.name,
          detailedRouteKeys: c.api.detailedMetricsEnabled ? this.api.routes.map((r) => r.routeKey) : undefined,
        },
        accessLogs,
        loadBalancer: { loadBalancerArnSuffix: this.link.nlb.arnSuffix, targetGroupArnSuffix: this.link.targetGroup.arnSuffix },
        service: { clusterName: this.service.cluster.name, serviceName: this.service.resource.name },
        table: { tableName: this.table.tableName },
        // The Go backend answers these frames with one PostToConnection each.
        connectionsCalls: { routeKeys: routes.filter((r) => r.fields.includes("url")).map((r) => r.routeKey) },
      });
    }
    // One build at a time on a quota: a new account's quota of 1 runs both.
    oneBuildAtATime([this.image?.buildRun, this.frontend instanceof AmplifyManualFrontend ? this.frontend.build.buildRun : undefined]);

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
        accessLogs,
        throttledRequestsThreshold: c.alarms.throttledRequestsThreshold,
        rejectedConnectsThreshold: c.alarms.rejectedConnectsThreshold,
        connectedClientsThreshold: c.alarms.connectedClientsThreshold,
        targetResetsThreshold: c.alarms.targetResetsThreshold,
      });
    }

    // The rule pack (docs/guardrails.md) runs at every synth.
    Guardrails.apply(this, { production });

    // outputs
    output(this, "websocket_url", { value: this.stage.invokeUrl, description: "URL clients connect to (wss://)." });
    output(this, "connections_callback_url", {
      value: this.stage.callbackUrl,
      description: "Base URL of the @connections API (https://), as the backend receives it in the url field.",
    });
    output(this, "api_id", { value: this.api.apiId, description: "ID of the WebSocket API." });
    output(this, "ecs_cluster_name", { value: this.service.cluster.name, description: "Name of the ECS cluster." });
    output(this, "ecs_service_name", { value: this.service.resource.name, description: "Name of the ECS service." });
    output(this, "connections_table_name", { value: this.table.tableName, description: "Name of the DynamoDB connections table." });
    output(this, "backend_image", { value: imageUri, description: "Image the backend runs." });
    output(this, "api_access_log_group_name", { value: this.stage.accessLogGroup!.name, description: "Log group of the API's access logs." });
    output(this, "api_execution_log_group_name", { value: this.stage.executionLogGroup!.name, description: "Log group of the API's execution logs." });
    output(this, "backend_log_group_name", { value: this.service.logGroup.name, description: "Log group of the backend container." });
    if (this.service.sidecar)
      output(this, "tracing_log_group_name", { value: this.service.sidecar.logGroup.name, description: "Log group of the tracing sidecar." });
    if (this.image) output(this, "ecr_repository_url", { value: this.image.repositoryUrl, description: "ECR repository the backend image is built into." });
    if (this.frontend) output(this, "frontend_url", { value: this.frontend.url, description: "URL of the frontend on Amplify." });
    if (this.domain && this.mapping) {
      output(this, "custom_domain_url", {
        value: this.mapping.url,
        description: "URL clients connect to through the custom domain (wss://<domain>[/<mapping key>]).",
      });
      output(this, "custom_domain_target_domain_name", {
        value: this.domain.targetDomainName,
        description: "Regional API Gateway host name the custom domain's DNS must point at.",
      });
    }
    if (this.connectAuthorizer)
      output(this, "connect_authorizer_id", { value: this.connectAuthorizer.authorizerId, description: "ID of the $connect Lambda authorizer." });
    if (authorization.type === "AWS_IAM") {
      output(this, "connect_route_arn", {
        value: `${this.api.executionArn}/${this.stage.resource.name}/$connect`,
        description: "Resource of the $connect route: clients need execute-api:Invoke on it.",
      });
    }
  }
}

/** Port of the NLB's listener, the API's integrations call: the backend's own port is the target group's. */
const LISTENER_PORT = 80;

/**
 * The target group's name: `<base>-tg` on port 80 (release 2.0.0's only
 * port), else `<base>-<port>` (a new port is a new group, made before the old
 * one goes; 25 + 6 characters fit ELB's 32).
 */
function targetGroupName(base: string, port: number): string {
  return port === 80 ? `${base}-tg` : `${base}-${port}`;
}

/**
 * What release 2.0.0 made for the region's API Gateway CloudWatch role: the
 * role, its policy attachment, the setting (reset on destroy) and the
 * check's invocation. Forgotten by `removed` blocks on upgrade.
 */
const PREVIOUS_ACCOUNT_ADDRESSES = [
  "aws_iam_role.apigateway-cloudwatch-role_Role_0819448F",
  "aws_iam_role_policy_attachment.apigateway-cloudwatch-role_PushToCloudWatchLogs_5E1BE7E1",
  "aws_api_gateway_account.apigateway-cloudwatch-role_011F5D24",
  "aws_lambda_invocation.account-check_CheckApiGatewayAccount_3407F173",
];

/** The image build's Docker Hub access, from its settings. */
function dockerHubAccess(hub: Settings["chat"]["backend"]["image"]["dockerHub"], can: TargetCapabilities): DockerHubAccess {
  switch (hub.kind) {
    case "login":
      return { kind: "login", credentialsSecretArn: hub.credentialsSecretArn! };
    case "pull-through-cache":
      return {
        kind: "pull-through-cache",
        credentialsSecretArn: hub.credentialsSecretArn!,
        repositoryPrefix: hub.repositoryPrefix ?? undefined,
        createRule: hub.createRule && can.pullThroughCache,
      };
    default:
      return { kind: hub.kind };
  }
}

/** The stage's per-route settings from chat.api.routeThrottle: the limit an entry leaves out is the stage's. */
function routeThrottleSettings(
  routeThrottle: Settings["chat"]["api"]["routeThrottle"],
  stage: Settings["chat"]["api"]["throttle"],
): Record<string, WebSocketRouteSettings> | undefined {
  const entries = Object.entries(routeThrottle);
  if (entries.length === 0) return undefined;
  return Object.fromEntries(
    entries.map(([key, t]) => [key, { throttle: { burstLimit: t.burstLimit ?? stage.burstLimit, rateLimit: t.rateLimit ?? stage.rateLimit } }]),
  );
}
