/**
 * Shared emulator deployments: the e2e suite's expensive fixtures.
 *
 * A configuration (the chat stack with every edge on, one module example, ...)
 * is applied ONCE on an emulator of its own, and every test that reads it is
 * declared against that one deployment; then one second plan (it must be
 * empty) and one destroy end it. docs/testing.md, "Adding a test that needs a
 * deployed stack", says how to plug checks in:
 *
 *   // __tests__/e2e/checks/<topic>.ts: tests that read a deployment, in a module of their own
 *   export function dashboardChecks(ctx: () => DeploymentContext): void {
 *     test("the dashboard shows the stage's metrics", async () => {
 *       const d = ctx();
 *       // d.sdk (AWS SDK config), d.outputs, d.root (the Terraform folder), d.endpoint, d.reapply(...)
 *     });
 *   }
 *
 *   // the file that deploys the configuration (e.g. __tests__/e2e/chat.test.ts): one line
 *   describeDeployment("...", CHAT, (ctx) => {
 *     ...
 *     dashboardChecks(ctx);
 *   });
 *
 * The checks run in declaration order, after the apply and before the second
 * plan and the destroy, which describeDeployment declares last.
 */
import * as fs from "fs";
import * as path from "path";
import { Emulator, startEmulator } from "../../scripts/emulator";
import { PROJECT_DIR } from "../helpers";
import { describeE2e, REGION, sdkConfig } from "./e2e";
import { planChangesOf, removeWorkdir, terraformAsync, terraformJsonAsync, terraformRunAsync, workdir } from "./terraform";

const MINUTES = 60_000;

/** What a driver ran for a step (apply, plan, destroy): the output, how long it took, and the CPU time of its processes (NaN where unknown). */
export interface StepRun {
  readonly output: string;
  readonly seconds: number;
  readonly cpuSeconds: number;
}

/** A Terraform root of a deployment, once applied. */
export interface RootContext {
  /** The root's name in its {@link DeploymentSpec}. */
  readonly name: string;
  /** The folder Terraform runs in (state, `.terraform`). */
  readonly dir: string;
  /** `-var` arguments every apply, plan and destroy of this root gets. */
  readonly vars: readonly string[];
  /** The root's outputs (values only), after the last apply. */
  readonly outputs: Record<string, any>;
  /** What the driver ran: `apply`, `plan`, `destroy` (and `reapply`), with output and seconds. */
  readonly runs: Readonly<Record<string, StepRun>>;
}

/** What a check gets: the deployment, ready to read. */
export interface DeploymentContext extends RootContext {
  /** The configuration's name (its {@link DeploymentSpec.name}). */
  readonly configuration: string;
  /** The moto server itself (its `endpoint` answers the AWS APIs; `reset()` forgets everything: do not). */
  readonly emulator: Emulator;
  /**
   * The endpoint the stacks' providers were pointed at: the emulator's, or
   * the one of an {@link EmulatorFront} in front of it. Always http://127.0.0.1:<port>.
   */
  readonly endpoint: string;
  readonly region: string;
  /** Configuration of every AWS SDK client: the emulator, dummy keys, one attempt. */
  readonly sdk: ReturnType<typeof sdkConfig>;
  /** Every root of the configuration (fixtures included), by name; the main one is this context itself. */
  readonly roots: Readonly<Record<string, RootContext>>;
  /** The scratch folder of the configuration (logs, every root's folder). */
  readonly workdir: string;
  /** Runs terraform in the main root (or another root by name); rejects with the output when it fails. */
  terraform(args: string[], root?: string): Promise<string>;
  /**
   * The main root's state as Terraform stores it (`terraform state pull`:
   * `resources[].instances[].attributes`); no provider starts, unlike `show -json`.
   */
  state(): Promise<any>;
  /** `terraform state list` of the main root. */
  stateList(): Promise<string[]>;
  /** Plans the main root again: "" when nothing would change, else the changes. */
  planChanges(): Promise<string>;
  /**
   * Applies the main root again with another variant (settings overrides for
   * the chat stack, module arguments for an example: see the spec), and
   * returns the new outputs. `reapply()` without a variant goes back to the
   * original configuration: a check that changes it restores it, so the
   * checks after it, the second plan and the destroy see what they expect.
   */
  reapply(variant?: unknown): Promise<Record<string, any>>;
}

/** Where a root's writer finds the emulator and the outputs of the roots applied before it. */
export interface RootEnv {
  readonly emulator: Emulator;
  /** The endpoint to point the provider at (see {@link DeploymentContext.endpoint}). */
  readonly endpoint: string;
  readonly region: string;
  /** The configuration's scratch folder. */
  readonly workdir: string;
  /** Outputs of a root named in {@link RootSpec.after}. */
  outputsOf(root: string): Record<string, any>;
}

/** What a root's writer returns. */
export interface WrittenRoot {
  /** The folder Terraform runs in, when not the folder given to the writer (a synthesized stack's). */
  readonly dir?: string;
  /** `-var` arguments of every apply, plan and destroy. */
  readonly vars?: readonly string[];
  /** Environment of every terraform command of the root (AWS_ENDPOINT_URL: see overrideProviderForEmulator). */
  readonly env?: Readonly<Record<string, string>>;
}

/** How a root is applied, planned again and destroyed: plain terraform, or the cdktf CLI. */
export interface Driver {
  /** Applies; returns the outputs (values only). */
  apply(root: MutableRoot): Promise<Record<string, any>>;
  /** Plans again: "" when nothing would change, else the changes. */
  plan(root: MutableRoot): Promise<string>;
  /** Destroys everything of the root. */
  destroy(root: MutableRoot): Promise<void>;
}

/** A root while the fixture runs it: drivers record their runs here. */
export interface MutableRoot {
  readonly name: string;
  dir: string;
  vars: string[];
  env: Record<string, string>;
  outputs: Record<string, any>;
  runs: Record<string, StepRun>;
}

export interface RootSpec {
  /** Roots whose outputs this one needs (applied before it, destroyed after it). @default - none: applied first */
  readonly after?: readonly string[];
  /**
   * Something the subject needs to exist beforehand (a hosted zone, an
   * authorizer function): applied before, destroyed after (planned again
   * like every root).
   * @default false
   */
  readonly fixture?: boolean;
  /**
   * Writes the root's Terraform files into `dir` (an empty folder of its own),
   * pointing the provider at `env.endpoint`. `variant` is what
   * {@link DeploymentContext.reapply} was given (undefined: the original).
   */
  write(dir: string, env: RootEnv, variant?: unknown): WrittenRoot | void | Promise<WrittenRoot | void>;
  /** @default terraformDriver */
  readonly driver?: Driver;
}

/** Something in front of the emulator (a stand-in for a service moto does not run), started before the roots are written. */
export interface EmulatorFront {
  /** http://127.0.0.1:<port>: the providers are pointed here. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

export interface DeploymentSpec {
  /** Short name: the scratch folder's prefix and the timing record's key. */
  readonly name: string;
  /**
   * describe() when the tools the deployment needs are there (fails when
   * CI=true and one is missing, skips with a warning elsewhere).
   * @default describeE2e: terraform and moto
   */
  readonly describe?: () => jest.Describe;
  /** The roots, by name. */
  readonly roots: Readonly<Record<string, RootSpec>>;
  /** The root the context describes (its outputs are `ctx().outputs`). */
  readonly main: string;
  /** Started after the emulator, before any root is written; stopped at the end. @default - none: the providers talk to moto */
  readonly front?: (emulator: Emulator, workdir: string) => Promise<EmulatorFront>;
  /** @default "a second plan after apply is empty" */
  readonly planTitle?: string;
  /** More assertions of the second-plan test (e.g. on the driver's plan output). */
  readonly afterPlan?: (ctx: DeploymentContext) => void | Promise<void>;
  /** @default "destroy removes everything" */
  readonly destroyTitle?: string;
  /**
   * More assertions once every root is destroyed, beyond "each root's state
   * is empty" (e.g. a region setting reset, nothing left on the emulator).
   */
  readonly afterDestroy?: (ctx: DeploymentContext) => void | Promise<void>;
}

/** Runs `terraform` for a root, with its vars where the command takes them. */
const withVars = (root: MutableRoot, args: string[]) => [...args, ...root.vars];

async function timed<T>(root: MutableRoot, step: string, fn: () => Promise<{ value: T; output: string; cpuSeconds: number }>): Promise<T> {
  const started = Date.now();
  const { value, output, cpuSeconds } = await fn();
  root.runs[step] = { output, seconds: (Date.now() - started) / 1000, cpuSeconds };
  return value;
}

/**
 * A transient failure of the emulator under load, not of the stack: moto now
 * and then drops a kept-alive connection while the provider (max_retries = 1
 * on the emulator target, so that unimplemented calls fail at once) reads a
 * reply. A user runs the command again, and so do the drivers, once, for
 * this error only.
 */
export const EMULATOR_DROPPED_CONNECTION = /Error: [^\n]*127\.0\.0\.1:\d+: use of closed network connection/;

/**
 * Runs terraform commands one after the other (one again, once, when the
 * emulator dropped a connection); rejects with the output of the first that
 * fails; their outputs and CPU added up.
 */
async function terraformSteps(
  dir: string,
  commands: string[][],
  env: Record<string, string>,
): Promise<{ outputs: string[]; stdout: string[]; cpuSeconds: number }> {
  const outputs: string[] = [];
  const stdout: string[] = [];
  let cpuSeconds = 0;
  for (const args of commands) {
    let r = await terraformRunAsync(dir, args, env);
    cpuSeconds += r.cpuSeconds;
    if (r.status !== 0 && EMULATOR_DROPPED_CONNECTION.test(r.output)) {
      console.warn(`terraform ${args[0]} in ${dir}: the emulator dropped a connection; running it again:\n${r.output.match(EMULATOR_DROPPED_CONNECTION)![0]}`);
      r = await terraformRunAsync(dir, args, env);
      cpuSeconds += r.cpuSeconds;
    }
    if (r.status !== 0) throw new Error(`terraform ${args.join(" ")} failed in ${dir} (exit ${r.status}):\n${r.output}`);
    outputs.push(r.output);
    stdout.push(r.stdout);
  }
  return { outputs, stdout, cpuSeconds };
}

/**
 * `terraform init` (when `init`), `apply` and `output -json` in `dir`, each
 * run again once when the emulator dropped a connection; rejects with the
 * output of the first that fails. The outputs' values, what init and apply
 * printed, their CPU seconds.
 */
export async function terraformApply(
  dir: string,
  options: { init: boolean; vars?: readonly string[] },
  env: Record<string, string>,
): Promise<{ outputs: Record<string, any>; output: string; cpuSeconds: number }> {
  const init = options.init ? [["init", "-input=false"]] : [];
  const r = await terraformSteps(dir, [...init, ["apply", "-input=false", "-auto-approve", "-lock=false", ...(options.vars ?? [])], ["output", "-json"]], env);
  const outputs = JSON.parse(r.stdout[r.stdout.length - 1]);
  return {
    outputs: Object.fromEntries(Object.entries(outputs).map(([k, v]: [string, any]) => [k, v.value])),
    output: r.outputs.slice(0, -1).join(""),
    cpuSeconds: r.cpuSeconds,
  };
}

/**
 * Plain terraform: init (plugin cache) and apply, a re-apply without the
 * init (a variant changes arguments, not modules or providers: ~1.3 CPU-s of
 * hashing the provider again); plan -detailed-exitcode; destroy.
 */
export const terraformDriver: Driver = {
  async apply(root) {
    return timed(root, root.runs.apply ? "reapply" : "apply", async () => {
      const r = await terraformApply(root.dir, { init: !root.runs.apply, vars: root.vars }, root.env);
      return { value: r.outputs, output: r.output, cpuSeconds: r.cpuSeconds };
    });
  },
  async plan(root) {
    return timed(root, "plan", async () => {
      const args = withVars(root, ["plan", "-input=false", "-lock=false", "-detailed-exitcode"]);
      let r = await terraformRunAsync(root.dir, args, root.env);
      let cpuSeconds = r.cpuSeconds;
      if (r.status === 1 && EMULATOR_DROPPED_CONNECTION.test(r.output)) {
        console.warn(`terraform plan in ${root.dir}: the emulator dropped a connection; planning again`);
        r = await terraformRunAsync(root.dir, args, root.env);
        cpuSeconds += r.cpuSeconds;
      }
      return { value: planChangesOf(r), output: r.output, cpuSeconds };
    });
  },
  async destroy(root) {
    // The second plan refreshed every resource just before: destroy from the state as it is.
    await timed(root, "destroy", async () => {
      const r = await terraformSteps(root.dir, [withVars(root, ["destroy", "-input=false", "-auto-approve", "-lock=false", "-refresh=false"])], root.env);
      return { value: undefined, output: r.outputs[0], cpuSeconds: r.cpuSeconds };
    });
  },
};

/** Managed resource types in a stored state (`terraform state pull`), with how many of each. */
export function resourceTypes(state: any): Record<string, number> {
  const types: Record<string, number> = {};
  for (const r of state.resources ?? []) if (r.mode === "managed") types[r.type] = (types[r.type] ?? 0) + (r.instances ?? []).length;
  return Object.fromEntries(Object.entries(types).sort());
}

/**
 * Appends a deployment's step timings and the resource types of each root
 * (planned again and destroyed) to .tmp/test-report/deployments.jsonl, which
 * `npm run bench` prints.
 */
function recordTimings(spec: DeploymentSpec, roots: MutableRoot[], emulatorSeconds: number, types: Record<string, Record<string, number>>): void {
  const file = path.join(PROJECT_DIR, ".tmp", "test-report", "deployments.jsonl");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const round = (n: number) => (Number.isFinite(n) ? Math.round(n * 10) / 10 : null);
  const steps = Object.fromEntries(
    roots.map((r) => [r.name, Object.fromEntries(Object.entries(r.runs).map(([k, v]) => [k, { wall: round(v.seconds), cpu: round(v.cpuSeconds) }]))]),
  );
  fs.appendFileSync(
    file,
    JSON.stringify({ configuration: spec.name, at: new Date().toISOString(), emulatorStart: emulatorSeconds, steps, resourceTypes: types }) + "\n",
  );
}

/** The order roots are applied in: each after the roots it names. */
function applyOrder(spec: DeploymentSpec): string[][] {
  const waves: string[][] = [];
  const done = new Set<string>();
  const names = Object.keys(spec.roots);
  for (const [name, root] of Object.entries(spec.roots))
    for (const dep of root.after ?? []) if (!(dep in spec.roots)) throw new Error(`${spec.name}: root ${name} comes after ${dep}, which is not a root`);
  while (done.size < names.length) {
    const wave = names.filter((n) => !done.has(n) && (spec.roots[n].after ?? []).every((d) => done.has(d)));
    if (wave.length === 0) throw new Error(`${spec.name}: the roots' "after" lists form a cycle`);
    wave.forEach((n) => done.add(n));
    waves.push(wave);
  }
  return waves;
}

/** One configuration on one emulator: apply, context, plan, destroy. */
class Deployment {
  private emulator?: Emulator;
  private front?: EmulatorFront;
  private dir?: string;
  private env?: RootEnv;
  private emulatorSeconds = 0;
  private readonly roots: Record<string, MutableRoot> = {};
  /** Managed resource types in each root's state (type -> count), read at the second plan. */
  private readonly types: Record<string, Record<string, number>> = {};
  private destroyed = false;

  constructor(private readonly spec: DeploymentSpec) {
    if (!(spec.main in spec.roots)) throw new Error(`${spec.name}: main root ${spec.main} is not one of its roots`);
    if (spec.roots[spec.main].fixture) throw new Error(`${spec.name}: the main root ${spec.main} cannot be a fixture`);
  }

  async up(): Promise<void> {
    this.dir = workdir(`e2e-${this.spec.name}`);
    const started = Date.now();
    // A generous start-up time: moto loads AWS's managed IAM policies first, slowly on a busy machine.
    this.emulator = await startEmulator({ log: path.join(this.dir, "moto.log"), timeoutMs: 180_000 });
    this.emulatorSeconds = (Date.now() - started) / 1000;
    if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(this.emulator.endpoint)) throw new Error(`refusing a non-loopback emulator endpoint ${this.emulator.endpoint}`);
    this.front = this.spec.front ? await this.spec.front(this.emulator, this.dir) : undefined;
    const endpoint = this.front?.endpoint ?? this.emulator.endpoint;
    if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(endpoint)) throw new Error(`refusing a non-loopback endpoint in front of the emulator: ${endpoint}`);
    this.env = {
      emulator: this.emulator,
      endpoint,
      region: REGION,
      workdir: this.dir,
      outputsOf: (name) => {
        const r = this.roots[name];
        if (!r?.runs.apply) throw new Error(`${this.spec.name}: root ${name} is not applied yet: name it in "after"`);
        return r.outputs;
      },
    };
    for (const wave of applyOrder(this.spec)) await Promise.all(wave.map((name) => this.applyRoot(name)));
  }

  private async applyRoot(name: string, variant?: unknown): Promise<void> {
    const spec = this.spec.roots[name];
    let root = this.roots[name];
    if (!root) {
      const dir = path.join(this.dir!, name);
      fs.mkdirSync(dir, { recursive: true });
      root = this.roots[name] = { name, dir, vars: [], env: {}, outputs: {}, runs: {} };
    }
    const written = (await spec.write(path.join(this.dir!, name), this.env!, variant)) ?? {};
    root.dir = written.dir ?? path.join(this.dir!, name);
    root.vars = [...(written.vars ?? [])];
    root.env = { ...(written.env ?? {}) };
    root.outputs = await (spec.driver ?? terraformDriver).apply(root);
  }

  private ready(name: string): MutableRoot {
    const root = this.roots[name];
    if (!root?.runs.apply) throw new Error(`${this.spec.name}: the deployment is not applied (see the error of its beforeAll)`);
    return root;
  }

  context(): DeploymentContext {
    const main = this.ready(this.spec.main);
    const emulator = this.emulator!;
    const roots = Object.fromEntries(Object.entries(this.roots).map(([k, r]) => [k, r as RootContext]));
    const rootOf = (root?: string) => (root ? this.ready(root) : main);
    return {
      configuration: this.spec.name,
      name: main.name,
      dir: main.dir,
      vars: main.vars,
      outputs: main.outputs,
      runs: main.runs,
      emulator,
      endpoint: this.env!.endpoint,
      region: REGION,
      sdk: sdkConfig(emulator),
      roots,
      workdir: this.dir!,
      terraform: (args, root) => terraformAsync(rootOf(root).dir, args, rootOf(root).env),
      state: () => terraformJsonAsync(main.dir, ["state", "pull"], main.env),
      stateList: async () => (await terraformAsync(main.dir, ["state", "list"], main.env)).split("\n").filter(Boolean),
      planChanges: async () =>
        planChangesOf(await terraformRunAsync(main.dir, withVars(main, ["plan", "-input=false", "-lock=false", "-detailed-exitcode"]), main.env)),
      reapply: async (variant) => {
        await this.applyRoot(this.spec.main, variant);
        return this.ready(this.spec.main).outputs;
      },
    };
  }

  /** Every root planned again, at once: their changes by root. Records the resource types in each root's state (the timing record has them). */
  async plan(): Promise<Record<string, string>> {
    const names = Object.keys(this.spec.roots);
    const changes = await Promise.all(
      names.map(async (name) => {
        const root = this.ready(name);
        const [planned, state] = await Promise.all([
          (this.spec.roots[name].driver ?? terraformDriver).plan(root),
          terraformJsonAsync(root.dir, ["state", "pull"], root.env),
        ]);
        this.types[name] = resourceTypes(state);
        return planned;
      }),
    );
    return Object.fromEntries(names.map((n, i) => [n, changes[i]]));
  }

  /** Destroys the roots in reverse apply order (subjects at once, then their fixtures); returns each root's state list afterwards. */
  async destroy(): Promise<Record<string, string[]>> {
    const left: Record<string, string[]> = {};
    for (const wave of applyOrder(this.spec).reverse()) {
      await Promise.all(
        wave.map(async (name) => {
          const root = this.ready(name);
          await (this.spec.roots[name].driver ?? terraformDriver).destroy(root);
          left[name] = (await terraformAsync(root.dir, ["state", "list"], root.env)).split("\n").filter(Boolean);
        }),
      );
    }
    this.destroyed = Object.values(left).every((l) => l.length === 0);
    return left;
  }

  async down(): Promise<void> {
    if (this.roots[this.spec.main]?.runs.apply) recordTimings(this.spec, Object.values(this.roots), this.emulatorSeconds, this.types);
    await this.front?.stop();
    await this.emulator?.stop();
    // Keep the folder (Terraform files, state, moto.log) of a deployment that failed to apply or to be destroyed: that is where it shows why.
    if (this.dir && this.destroyed) removeWorkdir(this.dir);
    else if (this.dir) console.warn(`${this.spec.name}: kept ${this.dir} (the deployment was not destroyed cleanly)`);
  }
}

/**
 * Declares a deployment's tests: `beforeAll` applies every root of `spec` on
 * an emulator of its own (roots without an order between them at once);
 * `body` declares the checks, given a getter of the context; then two tests
 * end it: the second plan of every root is empty, and destroy leaves every
 * root's state empty (plus the spec's own destroy checks).
 * Fails, never skips, without terraform or moto when CI=true.
 */
export function describeDeployment(title: string, spec: DeploymentSpec, body: (ctx: () => DeploymentContext) => void): void {
  (spec.describe ?? describeE2e)()(title, () => {
    const deployment = new Deployment(spec);
    const ctx = () => deployment.context();
    beforeAll(() => deployment.up(), 25 * MINUTES);
    afterAll(() => deployment.down(), 2 * MINUTES);

    body(ctx);

    test(
      spec.planTitle ?? "a second plan after apply is empty",
      async () => {
        expect(await deployment.plan()).toEqual(Object.fromEntries(Object.keys(spec.roots).map((n) => [n, ""])));
        await spec.afterPlan?.(ctx());
      },
      15 * MINUTES,
    );

    test(
      spec.destroyTitle ?? "destroy removes everything",
      async () => {
        const context = ctx();
        expect(await deployment.destroy()).toEqual(Object.fromEntries(Object.keys(spec.roots).map((n) => [n, []])));
        await spec.afterDestroy?.(context);
      },
      20 * MINUTES,
    );
  });
}
