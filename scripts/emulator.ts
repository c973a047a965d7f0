import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";

/** A running AWS emulator (moto) on loopback. */
export interface Emulator {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  /** Forgets every resource (between stacks). */
  reset(): Promise<void>;
  /** Stops the emulator by its process id. */
  stop(): Promise<void>;
}

const LAUNCHER = path.resolve(__dirname, "..", "..", "scripts", "moto-server.py");
const LAUNCHER_FROM_SOURCE = path.resolve(__dirname, "moto-server.py");

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The command that runs moto: the project's launcher (moto_server plus the
 * attributes moto does not return; see scripts/moto-server.py) with the
 * Python that has moto, else plain `moto_server`.
 */
export function motoCommand(): { command: string; args: string[] } {
  const launcher = [LAUNCHER_FROM_SOURCE, LAUNCHER].find((f) => fs.existsSync(f));
  if (launcher && pythonHasMoto()) return { command: "python3", args: [launcher] };
  return { command: "moto_server", args: [] };
}

let pythonMoto: boolean | undefined;
/**
 * Whether `python3` has moto's server package, asked once per process: the
 * import machinery finds it without importing it (importing moto.server
 * takes half a CPU second, and every emulator start asked again).
 */
function pythonHasMoto(): boolean {
  pythonMoto ??=
    spawnSync("python3", [
      "-c",
      "import importlib.util, os, sys; s = importlib.util.find_spec('moto'); sys.exit(0 if s and any(os.path.exists(os.path.join(d, 'server.py')) for d in s.submodule_search_locations or []) else 1)",
    ]).status === 0;
  return pythonMoto;
}

/** Whether moto can be started on this machine. */
export function motoAvailable(): boolean {
  return spawnSync("sh", ["-c", "command -v moto_server"]).status === 0 || pythonHasMoto();
}

/**
 * Starts moto on a free loopback port (never another address) with AWS
 * managed IAM policies loaded, and waits until it answers.
 */
export async function startEmulator(options: { log?: string; timeoutMs?: number } = {}): Promise<Emulator> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const { command, args } = motoCommand();
  // The log's folder is made when missing (a fresh clone has no .tmp/).
  if (options.log) fs.mkdirSync(path.dirname(options.log), { recursive: true });
  const out = options.log ? fs.openSync(options.log, "a") : "ignore";
  const child: ChildProcess = spawn(command, [...args, "-H", "127.0.0.1", "-p", String(port)], {
    // MOTO_ACM_VALIDATION_WAIT: moto reports a requested certificate as
    // PENDING_VALIDATION for this many seconds, then ISSUED, whatever DNS holds
    // (moto/settings.py, acm/models.py; default 60). aws_acm_certificate_validation
    // polls DescribeCertificate until ISSUED (terraform-provider-aws
    // internal/service/acm/wait.go, waitCertificateIssued: no fixed delay), so
    // every custom domain's apply waited a minute for a timer. One second
    // keeps the PENDING_VALIDATION -> ISSUED transition (the validation
    // resource still waits for it); moto checks no validation record either way.
    env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: "true", MOTO_ACM_VALIDATION_WAIT: process.env.MOTO_ACM_VALIDATION_WAIT ?? "1" },
    stdio: ["ignore", out, out],
  });
  let exited: string | undefined;
  child.on("exit", (code, signal) => (exited = `exited with ${code ?? signal}`));
  child.on("error", (e) => (exited = `could not be started (${e.message}): install moto 5 (pip install "moto[server]")`));
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (exited) throw new Error(`the emulator (${command} ${args.join(" ")}) ${exited} before it answered on ${endpoint}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the emulator did not answer on ${endpoint} within ${options.timeoutMs ?? 60_000} ms`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    endpoint,
    port,
    pid: child.pid!,
    async reset() {
      const res = await fetch(`${endpoint}/moto-api/reset`, { method: "POST" });
      if (!res.ok) throw new Error(`resetting the emulator failed: HTTP ${res.status}`);
    },
    async stop() {
      if (exited) return;
      const gone = new Promise<void>((r) => child.once("exit", () => r()));
      process.kill(child.pid!, "SIGTERM");
      const timer = setTimeout(() => !exited && process.kill(child.pid!, "SIGKILL"), 5000);
      await gone;
      clearTimeout(timer);
    },
  };
}
