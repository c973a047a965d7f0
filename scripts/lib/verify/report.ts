import { docLink, HopName, HOPS } from "./hops";

/**
 * What a hop saw. PASS: works. FAIL: broken (the exit code is 1). WARN: works
 * now, with something to look at (a target still being checked, a build
 * running). SKIP: not checked, with the reason: not part of this stack, the
 * emulator cannot show it, `--control-plane-only`, or an earlier hop failed.
 */
export type Status = "PASS" | "FAIL" | "WARN" | "SKIP";

export interface HopResult {
  readonly hop: HopName;
  readonly status: Status;
  /** What was seen, in one line. */
  readonly seen: string;
  /** FAIL and WARN: the likely cause. */
  readonly cause?: string;
  /** FAIL and WARN: what to do. */
  readonly fix?: string;
}

export const pass = (hop: HopName, seen: string): HopResult => ({ hop, status: "PASS", seen });
export const skip = (hop: HopName, seen: string): HopResult => ({ hop, status: "SKIP", seen });
export const fail = (hop: HopName, seen: string, cause: string, fix: string): HopResult => ({ hop, status: "FAIL", seen, cause, fix });
export const warn = (hop: HopName, seen: string, cause?: string, fix?: string): HopResult => ({ hop, status: "WARN", seen, cause, fix });

/**
 * A hop's report: `STATUS hop: what was seen`, and for FAIL (and a WARN with a
 * cause) the likely cause, the fix and the troubleshooting section, indented.
 */
export function formatResult(r: HopResult): string {
  const lines = [`${r.status} ${r.hop}: ${r.seen}`];
  if (r.cause) lines.push(`     likely cause: ${r.cause}`);
  if (r.fix) lines.push(`     fix: ${r.fix}`);
  if (r.status === "FAIL" || r.cause) lines.push(`     see ${docLink(r.hop)}`);
  return lines.join("\n");
}

/** 0 when no hop failed (with `strict`, and none warned), else 1. */
export function exitCode(results: readonly HopResult[], strict = false): 0 | 1 {
  return results.some((r) => r.status === "FAIL" || (strict && r.status === "WARN")) ? 1 : 0;
}

/** The last line: counts, and the verdict. */
export function summary(results: readonly HopResult[]): string {
  const count = (s: Status) => results.filter((r) => r.status === s).length;
  const failed = results.filter((r) => r.status === "FAIL").map((r) => r.hop);
  const counts = `${count("PASS")} PASS, ${count("FAIL")} FAIL, ${count("WARN")} WARN, ${count("SKIP")} SKIP`;
  return failed.length
    ? `${results.length} hops: ${counts}. Broken: ${failed.join(", ")} (fix the first one first: later hops often fail because of it).`
    : `${results.length} hops: ${counts}. Every hop it could check works.`;
}

/** Results in the order of {@link HOPS}. */
export function inHopOrder(results: readonly HopResult[]): HopResult[] {
  const rank = (r: HopResult) => HOPS.findIndex((h) => h.name === r.hop);
  return [...results].sort((a, b) => rank(a) - rank(b));
}
