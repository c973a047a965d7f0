import { dependable } from "cdktf";
import type { ChainedInvocation } from "./deploy-actions";

/**
 * The account-level CodeBuild quota a build draws on: "Concurrently running
 * builds for <environment>", one per environment type and compute type
 * (Service Quotas, service code `codebuild`; "Quotas for AWS CodeBuild").
 * New accounts often have 1, or 0 until AWS raises it; a build that finds the
 * quota taken is queued or refused (AccountLimitExceededException).
 */
export interface ConcurrentBuildQuota {
  /** Service Quotas code, e.g. `L-9D07B6EF`. */
  readonly code: string;
  /** Quota name as the Service Quotas console shows it. */
  readonly name: string;
}

/**
 * The quotas of the build environments these stacks use, by environment type
 * and compute type. Codes as Service Quotas lists them for AWS CodeBuild
 * (`aws service-quotas list-service-quotas --service-code codebuild`).
 */
const QUOTAS: Record<string, Record<string, ConcurrentBuildQuota>> = {
  LINUX_CONTAINER: {
    BUILD_GENERAL1_SMALL: { code: "L-9D07B6EF", name: "Concurrently running builds for Linux/Small environment" },
    BUILD_GENERAL1_MEDIUM: { code: "L-2DC20C30", name: "Concurrently running builds for Linux/Medium environment" },
    BUILD_GENERAL1_LARGE: { code: "L-4DDC4A99", name: "Concurrently running builds for Linux/Large environment" },
  },
  ARM_CONTAINER: {
    BUILD_GENERAL1_SMALL: { code: "L-5ED1D25B", name: "Concurrently running builds for ARM/Small environment" },
    BUILD_GENERAL1_LARGE: { code: "L-596BEAB4", name: "Concurrently running builds for ARM/Large environment" },
  },
};

/** The concurrent-build quota of a CodeBuild environment. */
export function concurrentBuildQuota(environmentType: string, computeType: string): ConcurrentBuildQuota {
  const quota = QUOTAS[environmentType]?.[computeType];
  if (!quota)
    throw new Error(`no concurrent-build quota is known for CodeBuild environment ${environmentType}/${computeType}: add it to constructs/build-run.ts`);
  return quota;
}

/** A build a deploy runs: its invocations and the quota it draws on. */
export interface BuildRun extends ChainedInvocation {
  readonly quota: ConcurrentBuildQuota;
}

/**
 * Runs builds that draw on the same quota one after the other, in the order
 * given: each starts once the one before it has ended (its first invocation
 * depends on the other's last), so an account whose quota is 1 runs them all.
 * Builds on different quotas (an ARM64 image beside an x86 frontend) still
 * run side by side. Returns the runs, for chaining.
 */
export function oneBuildAtATime(runs: ReadonlyArray<BuildRun | undefined>): BuildRun[] {
  const given = runs.filter((r): r is BuildRun => r !== undefined);
  const lastOnQuota = new Map<string, BuildRun>();
  for (const run of given) {
    const before = lastOnQuota.get(run.quota.code);
    if (before) run.first.dependsOn = [...(run.first.dependsOn ?? []), dependable(before.last)];
    lastOnQuota.set(run.quota.code, run);
  }
  return given;
}
