/**
 * Uploads a synthesized stack folder to an HCP Terraform (or Terraform
 * Enterprise) workspace as a new configuration version, as HashiCorp's
 * API-driven run workflow describes
 * (https://developer.hashicorp.com/terraform/cloud-docs/run/api):
 *
 *   1. GET  /api/v2/organizations/<org>/workspaces/<name>         the workspace id (Show Workspace)
 *   2. POST /api/v2/workspaces/<id>/configuration-versions        a configuration version and its upload-url
 *   3. PUT  <upload-url>  (application/octet-stream, the tar.gz)  the configuration, folder at the archive root
 *   4. GET  /api/v2/configuration-versions/<cv-id>                until its status is "uploaded" (or "errored")
 *
 * API calls carry `Authorization: Bearer <token>` and the JSON:API media type
 * `application/vnd.api+json` (https://developer.hashicorp.com/terraform/cloud-docs/api-docs/configuration-versions).
 * The upload URL is a pre-signed object store URL on another host: it gets no
 * token. The token never appears in what this module logs or throws.
 */
import * as fs from "fs";
import * as path from "path";
import { entriesOfDir, TarEntry, tarGz } from "./tar";

export const JSON_API = "application/vnd.api+json";

export interface UploadOptions {
  /** Base URL of the API host, e.g. https://app.terraform.io. */
  readonly address: string;
  readonly organization: string;
  readonly workspace: string;
  readonly token: string;
  /** The stack folder, e.g. cdktf.out/stacks/chat. */
  readonly dir: string;
  /** Runs from this version can only plan (default false). */
  readonly speculative?: boolean;
  /** Queue a run as soon as the upload is processed (default true). */
  readonly autoQueueRuns?: boolean;
  /** How long to wait for the upload to be processed (default 120 s). */
  readonly timeoutMs?: number;
  /** Interval between status checks (default 2 s). */
  readonly pollMs?: number;
  readonly log?: (line: string) => void;
}

export interface UploadResult {
  readonly workspaceId: string;
  readonly configurationVersionId: string;
  readonly status: string;
  /** Files in the uploaded archive. */
  readonly files: string[];
}

/** An error whose message has already been stripped of the token. */
export class UploadError extends Error {}

/** Hosts a token may be sent to over plain http: this machine only (tests, a local stub). */
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** Fails unless `url` is https, or http to this machine. */
export function checkSecureUrl(what: string, url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UploadError(`${what} must be an absolute URL, got ${JSON.stringify(url)}`);
  }
  if (parsed.protocol === "https:" || (parsed.protocol === "http:" && LOOPBACK.has(parsed.hostname))) return parsed;
  throw new UploadError(`${what} must be an https URL (plain http only to 127.0.0.1), got ${parsed.protocol}//${parsed.host}: use https`);
}

/** Folders and files that never go into an upload: Terraform's working data and local state. */
export function skipInUpload(rel: string, isDir: boolean): boolean {
  const base = rel.split("/").pop()!;
  if (isDir) return base === ".terraform" || base === "terraform.tfstate.d";
  return /\.tfstate(\..*)?$/.test(base) || base === ".terraform.tfstate.lock.info";
}

/**
 * The archive of a stack folder: its files at the archive root (no
 * intermediate folder, as the API-driven run workflow requires), without
 * `.terraform/` and state files. Fails when the folder holds no Terraform
 * file at its root, or when cdk.tf.json names an asset that is missing.
 */
export function configurationArchive(dir: string): { archive: Buffer; entries: TarEntry[] } {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UploadError(`the stack folder must exist, got ${dir}: run \`npm run synth\` first`);
  const entries = entriesOfDir(dir, skipInUpload);
  const root = entries.map((e) => e.path).filter((p) => !p.includes("/"));
  if (!root.some((p) => p.endsWith(".tf") || p.endsWith(".tf.json")))
    throw new UploadError(
      `the stack folder must hold a .tf or .tf.json file at its root, got ${root.join(", ") || "none"} in ${dir}: give the folder of one stack, e.g. cdktf.out/stacks/chat`,
    );
  const main = entries.find((e) => e.path === "cdk.tf.json");
  if (main) {
    const assets = [...new Set([...String(main.content).matchAll(/"(assets\/[^"\\]+)"/g)].map((m) => m[1]))];
    const missing = assets.filter((a) => !entries.some((e) => e.path === a));
    if (missing.length)
      throw new UploadError(`the stack folder must hold the assets cdk.tf.json uses, got ${missing.join(", ")} missing in ${dir}: synthesize again`);
  }
  return { archive: tarGz(entries), entries };
}

/** The token of an environment: TF_API_TOKEN, or Terraform's own TF_TOKEN_<host> (dots as _, hyphens as __). */
export function tokenFromEnv(env: Record<string, string | undefined>, host: string): string | undefined {
  const hostVar = `TF_TOKEN_${host.replace(/-/g, "__").replace(/\./g, "_")}`;
  return env.TF_API_TOKEN || env[hostVar] || undefined;
}

/** The text with every occurrence of the token replaced. */
export function redact(text: string, token: string): string {
  return token ? text.split(token).join("***") : text;
}

/** One error of a JSON:API error document (https://jsonapi.org/format/#error-objects). */
interface JsonApiError {
  readonly status?: string;
  readonly title?: string;
  readonly detail?: string;
}

/** Titles and details of a JSON:API error document, else the start of the body. */
function describeErrors(body: string): string {
  try {
    const json = JSON.parse(body);
    if (Array.isArray(json.errors)) return json.errors.map((e: JsonApiError) => [e.status, e.title, e.detail].filter(Boolean).join(" ")).join("; ");
  } catch {
    // not JSON: show the text
  }
  return body.slice(0, 300);
}

/** Uploads `options.dir` as a new configuration version of the workspace. */
export async function uploadConfiguration(options: UploadOptions): Promise<UploadResult> {
  const log = (line: string) => options.log?.(redact(line, options.token));
  try {
    return await upload(options, log);
  } catch (e) {
    throw new UploadError(redact((e as Error).message, options.token));
  }
}

async function upload(o: UploadOptions, log: (line: string) => void): Promise<UploadResult> {
  const base = checkSecureUrl("the API address", o.address);
  if (!o.token)
    throw new UploadError("an API token must be given: set TF_API_TOKEN (a user or team token; organization tokens cannot create configuration versions)");
  for (const [name, value] of [
    ["organization", o.organization],
    ["workspace", o.workspace],
  ] as const) {
    if (!/^[A-Za-z0-9_-]+$/.test(value ?? ""))
      throw new UploadError(`${name} must be a name of letters, digits, "-" and "_", got ${JSON.stringify(value ?? "")}`);
  }
  const { archive, entries } = configurationArchive(o.dir);
  const api = async (method: string, apiPath: string, body?: unknown) => {
    const url = new URL(`/api/v2/${apiPath}`, base);
    const res = await fetch(url, {
      method,
      headers: { Authorization: `Bearer ${o.token}`, "Content-Type": JSON_API },
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: "error",
    });
    const text = await res.text();
    if (!res.ok) {
      const hint =
        res.status === 401 ? ": the token is missing, expired or revoked" : res.status === 404 ? ": it does not exist, or the token may not see it" : "";
      throw new UploadError(`${method} ${url.pathname} answered ${res.status} (${describeErrors(text)})${hint}`);
    }
    return text ? JSON.parse(text) : {};
  };

  const slug = `${o.organization}/${o.workspace}`;
  const ws = await api("GET", `organizations/${encodeURIComponent(o.organization)}/workspaces/${encodeURIComponent(o.workspace)}`);
  const workspaceId = ws?.data?.id;
  if (typeof workspaceId !== "string") throw new UploadError(`workspace ${slug}: the API answered without data.id`);
  const mode = ws.data.attributes?.["execution-mode"];
  if (mode === "local")
    throw new UploadError(
      `workspace ${slug} must run Terraform remotely (execution mode "remote" or "agent"), got "local": no run would use the upload; change it in the workspace's settings`,
    );
  log(`workspace ${slug}: ${workspaceId}${mode ? ` (execution mode ${mode})` : ""}`);

  const cv = await api("POST", `workspaces/${encodeURIComponent(workspaceId)}/configuration-versions`, {
    data: { type: "configuration-versions", attributes: { "auto-queue-runs": o.autoQueueRuns ?? true, speculative: o.speculative ?? false } },
  });
  const cvId = cv?.data?.id;
  const uploadUrl = cv?.data?.attributes?.["upload-url"];
  if (typeof cvId !== "string" || typeof uploadUrl !== "string")
    throw new UploadError(`creating a configuration version of ${slug}: the API answered without data.id and data.attributes.upload-url`);
  checkSecureUrl("the upload-url", uploadUrl);
  log(
    `configuration version ${cvId} created; uploading ${entries.length} files (${archive.length} bytes) from ${path.relative(process.cwd(), o.dir) || o.dir}`,
  );

  // The pre-signed URL authorizes the upload by itself: no token goes to the object store.
  const put = await fetch(uploadUrl, { method: "PUT", headers: { "Content-Type": "application/octet-stream" }, body: archive, redirect: "error" });
  if (!put.ok) throw new UploadError(`uploading to the configuration version's upload-url answered ${put.status} (${describeErrors(await put.text())})`);

  const deadline = Date.now() + (o.timeoutMs ?? 120_000);
  let status = "pending";
  for (;;) {
    const shown = await api("GET", `configuration-versions/${encodeURIComponent(cvId)}`);
    status = shown?.data?.attributes?.status ?? "unknown";
    if (status === "uploaded") break;
    if (status === "errored") throw new UploadError(`configuration version ${cvId} errored: ${shown.data.attributes["error-message"] ?? "no message"}`);
    if (Date.now() > deadline)
      throw new UploadError(
        `configuration version ${cvId} is still ${status} after ${Math.round((o.timeoutMs ?? 120_000) / 1000)} s: look at the workspace's runs`,
      );
    await new Promise((r) => setTimeout(r, o.pollMs ?? 2000));
  }
  const runs = `${base.origin}/app/${o.organization}/workspaces/${o.workspace}/runs`;
  log(`configuration version ${cvId} is ${status}${(o.autoQueueRuns ?? true) ? `; a ${o.speculative ? "speculative plan" : "run"} is queued: ${runs}` : ""}`);
  return { workspaceId, configurationVersionId: cvId, status, files: entries.map((e) => e.path) };
}
