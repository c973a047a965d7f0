import { defineRule, Rule } from "./rule";
import { oneOf, range } from "./shapes";

/* Rules of the ECS Fargate service and its tasks. */

/**
 * Memory sizes (MiB) Fargate accepts for each CPU size (CPU units)
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size).
 */
export const FARGATE_SIZES: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: [1024, 2048, 3072, 4096],
  1024: [2048, 3072, 4096, 5120, 6144, 7168, 8192],
  2048: Array.from({ length: 13 }, (_, i) => 4096 + i * 1024),
  4096: Array.from({ length: 23 }, (_, i) => 8192 + i * 1024),
};

/** A Fargate CPU size. */
export const FARGATE_CPU = defineRule<number>({
  clauses: [{ rule: "256, 512, 1024, 2048 or 4096", fix: "pick a Fargate CPU size", test: (cpu) => FARGATE_SIZES[cpu] !== undefined }],
});

/** A memory size Fargate accepts with `cpu` CPU units. */
export function fargateMemory(cpu: number): Rule<number> {
  const sizes = FARGATE_SIZES[cpu] ?? [];
  return defineRule({
    clauses: [
      {
        rule: `one of ${sizes.join(", ")} MiB with ${cpu} CPU units`,
        fix: "pick a memory size Fargate accepts with that CPU",
        test: (memory) => sizes.includes(memory),
      },
    ],
  });
}

/** CPU architectures of Fargate tasks. */
export const ARCHITECTURES = ["X86_64", "ARM64"] as const;
export const ARCHITECTURE = oneOf(ARCHITECTURES);

/** Tracing sidecars: the X-Ray daemon, the ADOT collector, or none. */
export const TRACING_MODES = ["xray-daemon", "adot", "off"] as const;
export const TRACING = oneOf(TRACING_MODES);
/** The collectors a tracing sidecar runs. */
export const TRACING_COLLECTOR = oneOf(["xray-daemon", "adot"] as const);

/** Tasks to run: two at least, so two Availability Zones serve. */
export const DESIRED_COUNT = range(2, 1000, "run at least 2 tasks so two Availability Zones serve");
export const MIN_CAPACITY = range(2, 1000, "keep at least 2 tasks");
export const MAX_CAPACITY = range(2, 1000, "allow at least 2 tasks");
export const TARGET_CPU_PERCENT = range(10, 90, "hold CPU between 10 and 90 percent");

/** maxCapacity against minCapacity. */
export function atLeastMinCapacity(minCapacity: number): Rule<number> {
  return defineRule({
    clauses: [{ rule: `at least minCapacity (${minCapacity})`, fix: "raise maxCapacity or lower minCapacity", test: (max) => max >= minCapacity }],
  });
}

/** desiredCount against the scaling range; `prefix` is how the setting names minCapacity's parent. */
export function withinCapacity(minCapacity: number, maxCapacity: number, prefix = ""): Rule<number> {
  return defineRule({
    clauses: [
      {
        rule: `between ${prefix}minCapacity (${minCapacity}) and maxCapacity (${maxCapacity})`,
        fix: "move it into the scaling range",
        test: (desired) => desired >= minCapacity && desired <= maxCapacity,
      },
    ],
  });
}
