/** The application container. */
export interface ApplicationContainer {
  /**
   * Container name.
   * @default "backend"
   */
  readonly name?: string;
  /** Image to run; prefer a digest (`...@sha256:...`) so deploys are exact. */
  readonly image: string;
  /** Port the application listens on (also the NLB target port). */
  readonly port: number;
  /**
   * Environment variables.
   * @default - none besides the tracing address
   */
  readonly environment?: Record<string, string>;
  /**
   * Read-only root file system (the application must not write outside volumes).
   * @default true
   */
  readonly readonlyRootFilesystem?: boolean;
}

/** What the task adds to the application container's definition. */
export interface ApplicationContainerContext {
  /** Log group the container writes to (awslogs driver). */
  readonly logGroupName: string;
  /** Region of the log group. */
  readonly region: string;
  /**
   * Variables added to the container's own, e.g. the tracing collector's address.
   * @default - none
   */
  readonly extraEnvironment?: Record<string, string>;
  /**
   * Name of a container the application starts after (condition START), e.g. a tracing sidecar.
   * @default - none
   */
  readonly startsAfter?: string;
}

/**
 * The ECS container definition of the application (for the task
 * definition's `container_definitions`): essential, its port over TCP,
 * environment sorted by name, read-only root by default, logs to its group.
 */
export function applicationContainerDefinition(container: ApplicationContainer, context: ApplicationContainerContext): Record<string, unknown> {
  const name = container.name ?? "backend";
  const environment = { ...(container.environment ?? {}), ...(context.extraEnvironment ?? {}) };
  return {
    name,
    image: container.image,
    essential: true,
    cpu: 0,
    portMappings: [{ containerPort: container.port, hostPort: container.port, protocol: "tcp" }],
    environment: Object.keys(environment)
      .sort()
      .map((k) => ({ name: k, value: environment[k] })),
    readonlyRootFilesystem: container.readonlyRootFilesystem ?? true,
    logConfiguration: {
      logDriver: "awslogs",
      options: { "awslogs-group": context.logGroupName, "awslogs-region": context.region, "awslogs-stream-prefix": name },
    },
    dependsOn: context.startsAfter ? [{ containerName: context.startsAfter, condition: "START" }] : [],
    mountPoints: [],
    volumesFrom: [],
    systemControls: [],
  };
}
