import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as path from "path";
import { pathToFileURL } from "url";
import { LOOPBACK } from "./integration-invoker";

/** Why a call to the authorizer did not give a result. */
export class AuthorizerCallError extends Error {
  constructor(
    message: string,
    /** `timeout`: no answer in time; `unauthorized`: the function's own "Unauthorized" (401); `failed`: any other error. */
    public readonly kind: "timeout" | "unauthorized" | "failed",
  ) {
    super(message);
  }
}

/** The user's authorizer, called with the REQUEST authorizer event; resolves with what it returned. */
export interface AuthorizerHandler {
  /** What runs, for the start-up line: `./auth.js (handler)`, `http://127.0.0.1:9000/auth`. */
  readonly description: string;
  invoke(event: unknown, timeoutMs: number): Promise<unknown>;
}

/**
 * Loads the authorizer `--authorizer` names: a Node.js handler file
 * (`file.js`, `file.cjs`, `file.mjs`, with `:export` for an export other than
 * `handler`), called in this process as Lambda calls it (an async handler's
 * result, or a callback-style handler's `callback(error, result)`), or a
 * loopback `http(s)://` URL that receives the event as a JSON POST and
 * answers the result as JSON (an authorizer in any language). A function
 * that throws (or calls back) `"Unauthorized"`, or an endpoint answering
 * 401, refuses with 401, as Lambda authorizers do.
 * Fails with a one-line message when the file or its export is missing.
 */
export async function loadAuthorizerHandler(spec: string, cwd = process.cwd()): Promise<AuthorizerHandler> {
  if (/^https?:\/\//i.test(spec)) return httpHandler(spec);
  const m = /^(.*?)(?::([A-Za-z_$][\w$]*))?$/.exec(spec)!;
  const file = path.resolve(cwd, m[1]);
  const name = m[2] ?? "handler";
  if (!fs.existsSync(file))
    throw new Error(`--authorizer must name a Node.js handler file or a loopback http(s) URL, got ${JSON.stringify(spec)}: ${file} does not exist`);
  let module: Record<string, unknown>;
  try {
    module = file.endsWith(".mjs") ? await importEsm(file) : requireOrImport(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ERR_REQUIRE_ESM") module = await importEsm(file);
    else throw new Error(`--authorizer ${spec}: loading ${file} failed: ${(e as Error).message}`);
  }
  const fn = module[name] ?? (module.default as Record<string, unknown> | undefined)?.[name];
  if (typeof fn !== "function")
    throw new Error(
      `--authorizer ${spec}: ${path.basename(file)} exports no function ${JSON.stringify(name)} (exports: ${Object.keys(module).join(", ") || "none"}): name it with ${m[1]}:<export>`,
    );
  const handler = fn as (event: unknown, context: unknown, callback?: (error: unknown, result?: unknown) => void) => unknown;
  return {
    description: `${path.relative(cwd, file) || file} (${name})`,
    invoke: (event, timeoutMs) =>
      withTimeout(
        new Promise((resolve, reject) => {
          const done = (error: unknown, result?: unknown) => (error ? reject(asCallError(error)) : resolve(result));
          const context = lambdaContext(timeoutMs);
          try {
            const returned = handler(event, context, done);
            if (returned && typeof (returned as Promise<unknown>).then === "function") (returned as Promise<unknown>).then((r) => done(null, r), done);
            else if (handler.length < 3) done(null, returned);
          } catch (e) {
            done(e);
          }
        }),
        timeoutMs,
      ),
  };
}

function httpHandler(spec: string): AuthorizerHandler {
  const url = new URL(spec);
  if (!LOOPBACK.test(url.hostname))
    throw new Error(
      `--authorizer must be a loopback http(s) URL (127.0.0.1, localhost or [::1]), got ${JSON.stringify(spec)}: the local gateway calls only this machine`,
    );
  return {
    description: url.href,
    invoke: (event, timeoutMs) =>
      new Promise((resolve, reject) => {
        const body = Buffer.from(JSON.stringify(event), "utf8");
        const client = url.protocol === "https:" ? https : http;
        const req = client.request(
          url,
          { method: "POST", headers: { "content-type": "application/json", "content-length": body.length }, timeout: timeoutMs },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("error", (e) => reject(new AuthorizerCallError(e.message, "failed")));
            res.on("end", () => {
              const text = Buffer.concat(chunks).toString("utf8");
              if (res.statusCode === 401) return reject(new AuthorizerCallError("Unauthorized", "unauthorized"));
              if (!res.statusCode || res.statusCode < 200 || res.statusCode > 299)
                return reject(new AuthorizerCallError(`${url.href} answered ${res.statusCode}: ${text.slice(0, 200)}`, "failed"));
              try {
                resolve(JSON.parse(text));
              } catch {
                reject(new AuthorizerCallError(`${url.href} answered no JSON: ${text.slice(0, 200)}`, "failed"));
              }
            });
          },
        );
        req.on("timeout", () => req.destroy(new AuthorizerCallError(`no answer from ${url.href} within ${timeoutMs} ms`, "timeout")));
        req.on("error", (e) => reject(e instanceof AuthorizerCallError ? e : new AuthorizerCallError(`${url.href}: ${e.message}`, "failed")));
        req.end(body);
      }),
  };
}

/** The context object a Lambda handler receives, as far as an authorizer uses it. */
function lambdaContext(timeoutMs: number): Record<string, unknown> {
  const deadline = Date.now() + timeoutMs;
  return {
    functionName: "local-authorizer",
    functionVersion: "$LATEST",
    memoryLimitInMB: "128",
    awsRequestId: `${Date.now().toString(16)}-local`,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

/** An error a handler threw or called back with; `"Unauthorized"` is the Lambda authorizer's 401. */
function asCallError(error: unknown): AuthorizerCallError {
  const message = error instanceof Error ? error.message : String(error);
  return new AuthorizerCallError(message, message === "Unauthorized" ? "unauthorized" : "failed");
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new AuthorizerCallError(`the authorizer did not answer within ${ms} ms`, "timeout")), ms);
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e) => (clearTimeout(timer), reject(e instanceof AuthorizerCallError ? e : asCallError(e))),
    );
  });
}

function requireOrImport(file: string): Record<string, unknown> {
  // The user's handler file, loaded at run time by its path.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file) as Record<string, unknown>;
}

/** `import()` kept as is (TypeScript would compile it to require() in a CommonJS build, which cannot load ES modules). */
const dynamicImport = new Function("specifier", "return import(specifier)") as (specifier: string) => Promise<Record<string, unknown>>;

function importEsm(file: string): Promise<Record<string, unknown>> {
  return dynamicImport(pathToFileURL(file).href);
}
