import { Load } from "./load";
import { StackProfile } from "./profile";
import { Traffic } from "./traffic";

/**
 * `npm run bench`'s gateway scenario (docs/testing.md, "Benchmarks",
 * measured 2026-11-30): frames a second through the local gateway into a
 * trivial backend, both on one 2-CPU machine over loopback. It is the only
 * measured figure in the project, and an upper bound for a task: the trivial
 * backend answers at once, while the chat's Go backend makes up to three
 * AWS calls per frame (a Scan of up to 1 MB, a GetItem, an @connections
 * call), and a Fargate task has a fraction of a CPU. So the task count from
 * it is a floor; measure the backend you run and give --per-task-rps.
 */
export const BENCH_GATEWAY = { framesPerSecond: 7246, cpus: 2, measured: "2026-11-30" } as const;

/** The backend task count a load needs, against the stack's scaling range. */
export interface BackendPlan {
  /** Requests a second one task serves, and where the figure comes from. */
  readonly perTaskRps: number;
  readonly perTaskSource: string;
  /** Tasks the load needs (at the scaling target CPU, when the stack scales on CPU). */
  readonly tasksNeeded: number;
  /** Tasks that run while the load lasts: the need, within the stack's minimum and maximum. */
  readonly tasksRunning: number;
  /** The stack's range, when it has a backend. */
  readonly minTasks?: number;
  readonly maxTasks?: number;
  /** The need is above the maximum: requests queue or time out (29 s integration limit). */
  readonly exceedsMax: boolean;
}

/** The backend plan, or undefined for a module without --per-task-rps (its backend is the user's). */
export function backendPlan(load: Load, profile: StackProfile, t: Traffic): BackendPlan | undefined {
  const b = profile.backend;
  if (!b && load.perTaskRps === undefined) return undefined;
  const perTaskRps = load.perTaskRps ?? (BENCH_GATEWAY.framesPerSecond / BENCH_GATEWAY.cpus) * (b?.vcpu ?? 1);
  const perTaskSource =
    load.perTaskRps !== undefined
      ? "--per-task-rps"
      : `npm run bench's local gateway, ${BENCH_GATEWAY.framesPerSecond.toLocaleString("en-US")} frames/s on ${BENCH_GATEWAY.cpus} CPUs (${BENCH_GATEWAY.measured}), scaled to ${b?.vcpu} vCPU: an upper bound, so the task count is a floor`;
  const target = b?.targetCpuPercent ? b.targetCpuPercent / 100 : 1;
  const tasksNeeded = t.backendRequests > 0 ? Math.ceil(t.backendRequests / (perTaskRps * target)) : 0;
  const minTasks = b?.minTasks;
  const maxTasks = b?.maxTasks;
  const tasksRunning = Math.min(Math.max(tasksNeeded, minTasks ?? 0), maxTasks ?? Infinity);
  return { perTaskRps, perTaskSource, tasksNeeded, tasksRunning, minTasks, maxTasks, exceedsMax: maxTasks !== undefined && tasksNeeded > maxTasks };
}
