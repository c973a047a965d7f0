import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { Fn } from "cdktf";
import { DOCKER_HUB_ACCESS_KIND, ECR_REPOSITORY_PREFIX, FULL_SECRET_ARN, PULL_THROUGH_CACHE_SECRET_ARN } from "./rules";

/**
 * How the build pulls the Dockerfile's Docker Hub images (`FROM golang:...`).
 * Docker Hub limits anonymous pulls per source IP address, and CodeBuild
 * builds share addresses, so anonymous builds fail now and then with
 * "toomanyrequests". The other kinds:
 *
 * - `ecr-public`: no Docker Hub account. Docker Official Images (`golang`,
 *   `alpine`, `library/...`) are pulled from their copies on Amazon ECR
 *   Public (`public.ecr.aws/docker/library/<name>`), logged in to ECR Public
 *   (authenticated pulls have higher limits than anonymous ones: ECR Public
 *   service quotas). The build rewrites those `FROM` / `COPY --from` lines of
 *   the Dockerfile it builds; other Docker Hub images stay on Docker Hub.
 * - `login`: `docker login` to Docker Hub before the build with a Docker Hub
 *   user's access token, from a Secrets Manager secret read by CodeBuild
 *   (an environment variable of type SECRETS_MANAGER: the value never passes
 *   through Terraform).
 * - `pull-through-cache`: an ECR pull through cache rule for Docker Hub; the
 *   build pulls every Docker Hub image of the Dockerfile through the account's
 *   private registry (`<registry>/<prefix>/library/golang:...`), which caches
 *   it. AWS requires Docker Hub credentials for that rule: a secret whose
 *   name starts with `ecr-pullthroughcache/`, in the same account and region
 *   ("Creating a pull through cache rule in Amazon ECR";
 *   aws/containers-roadmap#1581 on why ECR does not pull Docker Hub
 *   anonymously).
 *
 * The secret of `login` and `pull-through-cache` is JSON with the keys ECR
 * documents for Docker Hub, `username` and `accessToken`, so one secret
 * (named `ecr-pullthroughcache/...`) serves both.
 */
export type DockerHubAccess =
  | { readonly kind: "anonymous" }
  | { readonly kind: "ecr-public" }
  | { readonly kind: "login"; readonly credentialsSecretArn: string }
  | {
      readonly kind: "pull-through-cache";
      /** Full ARN of the `ecr-pullthroughcache/...` secret (`{"username": ..., "accessToken": ...}`). */
      readonly credentialsSecretArn: string;
      /**
       * Repository prefix of the cache (2 to 30 characters); cached images are
       * `<prefix>/library/golang` and so on.
       * @default "<name>-docker-hub"
       */
      readonly repositoryPrefix?: string;
      /**
       * Creates the rule. A registry has one rule per prefix: set it to false
       * to use a rule that exists already (give its prefix).
       * @default true
       */
      readonly createRule?: boolean;
    };

/** The prefix of the pull through cache's repositories. */
export function dockerHubCachePrefix(access: Extract<DockerHubAccess, { kind: "pull-through-cache" }>, name: string): string {
  return access.repositoryPrefix ?? `${name}-docker-hub`;
}

/** The environment variables the build needs for its Docker Hub access. */
export function dockerHubVariables(access: DockerHubAccess, name: string): { name: string; value: string; type?: string }[] {
  switch (access.kind) {
    case "login":
      // CodeBuild reads the secret's JSON keys when the build starts
      // (env/secrets-manager: `<secret ARN>:<json key>`); Terraform keeps only the reference.
      return [
        { name: "DOCKER_HUB_USERNAME", value: `${access.credentialsSecretArn}:username`, type: "SECRETS_MANAGER" },
        { name: "DOCKER_HUB_ACCESS_TOKEN", value: `${access.credentialsSecretArn}:accessToken`, type: "SECRETS_MANAGER" },
      ];
    case "pull-through-cache":
      return [{ name: "DOCKER_HUB_CACHE_PREFIX", value: dockerHubCachePrefix(access, name) }];
    default:
      return [];
  }
}

/** What the build role needs for its Docker Hub access. */
export function dockerHubStatements(access: DockerHubAccess, repository: { readonly arn: string }, name: string): DataAwsIamPolicyDocumentStatement[] {
  switch (access.kind) {
    case "ecr-public":
      return [
        // AWS requires "*": ECR Public's GetAuthorizationToken and STS's
        // GetServiceBearerToken have no resource-level permissions (AWS CLI
        // ecr-public get-login-password needs both).
        { sid: "EcrPublicLogin", effect: "Allow", actions: ["ecr-public:GetAuthorizationToken", "sts:GetServiceBearerToken"], resources: ["*"] },
      ];
    case "login":
      return [{ sid: "DockerHubCredentials", effect: "Allow", actions: ["secretsmanager:GetSecretValue"], resources: [access.credentialsSecretArn] }];
    case "pull-through-cache":
      return [
        {
          sid: "PullThroughCache",
          effect: "Allow",
          // Pull, and let ECR import the upstream image into a cache
          // repository it creates on the first pull ("IAM permissions
          // required to sync an upstream registry").
          actions: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
          // The cache repositories of this registry: this repository's ARN with the cache's path.
          resources: [Fn.replace(repository.arn, `:repository/${name}`, `:repository/${dockerHubCachePrefix(access, name)}/*`)],
        },
      ];
    default:
      return [];
  }
}

/** Throws when the Docker Hub access of the image `name` is invalid (settings `ContainerImage.dockerHub.*`). */
export function checkDockerHubAccess(hub: DockerHubAccess | undefined, name: string): void {
  if (hub === undefined) return;
  DOCKER_HUB_ACCESS_KIND.check("ContainerImage.dockerHub.kind", hub.kind);
  if (hub.kind === "login") FULL_SECRET_ARN.check("ContainerImage.dockerHub.credentialsSecretArn", hub.credentialsSecretArn);
  if (hub.kind === "pull-through-cache") {
    PULL_THROUGH_CACHE_SECRET_ARN.check("ContainerImage.dockerHub.credentialsSecretArn", hub.credentialsSecretArn);
    const prefix =
      hub.repositoryPrefix === undefined
        ? ECR_REPOSITORY_PREFIX.with({ fix: 'the default is "<name>-docker-hub": set repositoryPrefix, e.g. "docker-hub"' })
        : ECR_REPOSITORY_PREFIX;
    prefix.check("ContainerImage.dockerHub.repositoryPrefix", dockerHubCachePrefix(hub, name));
  }
}
