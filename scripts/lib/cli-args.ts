/**
 * The command line of a script: positional arguments and `--flag value`,
 * `--flag=value` or boolean `--flag`, with one-line errors in the house
 * format that name the flag, the value and the usage.
 */

/** A bad command line; the script prints the message and exits 2. */
export class UsageError extends Error {}

/** The flags a script accepts. */
export interface FlagSpec {
  /** Flags that take a value, given at most once. */
  readonly values?: readonly string[];
  /** Flags that take a value and may be repeated. */
  readonly repeated?: readonly string[];
  /** Flags without a value. */
  readonly booleans?: readonly string[];
}

export interface ParsedArgs {
  readonly positional: readonly string[];
  readonly values: ReadonlyMap<string, string>;
  readonly repeated: ReadonlyMap<string, readonly string[]>;
  readonly booleans: ReadonlySet<string>;
  /** `-h` or `--help` was given. */
  readonly help: boolean;
}

/** Parses `argv`; throws a {@link UsageError} naming the flag and the usage. */
export function parseArgs(argv: readonly string[], spec: FlagSpec, usage: string): ParsedArgs {
  const values = new Map<string, string>();
  const repeated = new Map<string, string[]>();
  const booleans = new Set<string>();
  const positional: string[] = [];
  const known = [...(spec.values ?? []), ...(spec.repeated ?? []), ...(spec.booleans ?? [])];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "-h" || arg === "--help") {
      help = true;
      continue;
    }
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    if (!known.includes(name)) throw new UsageError(`unknown flag ${JSON.stringify(arg)}: the flags are ${known.join(", ")} (${usage})`);
    if (spec.booleans?.includes(name)) {
      if (inline !== undefined) throw new UsageError(`${name} takes no value, got ${JSON.stringify(arg)} (${usage})`);
      booleans.add(name);
      continue;
    }
    const value = inline ?? argv[i + 1];
    if (value === undefined || (inline === undefined && value.startsWith("--"))) throw new UsageError(`${name} must be followed by a value (${usage})`);
    if (inline === undefined) i++;
    if (spec.repeated?.includes(name)) repeated.set(name, [...(repeated.get(name) ?? []), value]);
    else if (values.has(name))
      throw new UsageError(`${name} must be given once, got ${JSON.stringify(values.get(name))} and ${JSON.stringify(value)} (${usage})`);
    else values.set(name, value);
  }
  return { positional, values, repeated, booleans, help };
}
