import { spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";
import { configurationArchive, JSON_API, redact, skipInUpload, tokenFromEnv, uploadConfiguration } from "../../scripts/lib/hcp-configuration-upload";
import { synthesize } from "../../stacks/synth";
import { PROJECT_DIR, settingsWith } from "../helpers";
import { tempDir } from "../stacks/support";
import { readTarGz } from "../support/tar-reader";

/** A token shaped like HCP Terraform's (built by concatenation, so no scanner mistakes it for a leak). */
const TOKEN = ["stubtoken", "atlasv1", "Z".repeat(40)].join(".");

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/**
 * A stand-in for the HCP Terraform API on 127.0.0.1 that checks the request
 * shapes HashiCorp documents (configuration versions API, API-driven run
 * workflow) and answers like the service. A request it does not expect gets
 * 400 with the reason, which the upload script then reports.
 */
class StubHcp {
  readonly seen: Seen[] = [];
  readonly problems: string[] = [];
  uploaded?: Buffer;
  statusAnswers = ["uploaded"];
  executionMode = "remote";
  echoTokenInErrors = false;
  private server = http.createServer((req, res) => this.handle(req, res));

  get base(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  start(): Promise<void> {
    return new Promise((resolve) => this.server.listen(0, "127.0.0.1", resolve));
  }

  stop(): Promise<void> {
    // Also the keep-alive connections of the in-process client, which would hold the worker open.
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const seen = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) };
      this.seen.push(seen);
      const [status, body] = this.answer(seen);
      res.writeHead(status, { "Content-Type": JSON_API });
      res.end(body === undefined ? "" : JSON.stringify(body));
    });
  }

  private reject(reason: string): [number, unknown] {
    this.problems.push(reason);
    return [400, { errors: [{ status: "400", title: "stub rejected the request", detail: reason }] }];
  }

  private apiChecks(s: Seen): string | undefined {
    if (s.headers.authorization !== `Bearer ${TOKEN}`)
      return `expected Authorization: Bearer <token>, got ${s.headers.authorization ? "another value" : "none"}`;
    if (s.headers["content-type"] !== JSON_API) return `expected Content-Type ${JSON_API}, got ${s.headers["content-type"]}`;
    return undefined;
  }

  private answer(s: Seen): [number, unknown] {
    if (s.method === "GET" && s.url === "/api/v2/organizations/acme/workspaces/chat-prod") {
      // A server that repeats the credentials it got, as a misconfigured proxy might.
      if (this.echoTokenInErrors) return [403, { errors: [{ status: "403", title: "forbidden", detail: `not allowed with ${s.headers.authorization}` }] }];
      const problem = this.apiChecks(s);
      if (problem) return this.reject(problem);
      return [
        200,
        {
          data: {
            id: "ws-Stub123",
            type: "workspaces",
            attributes: { name: "chat-prod", "execution-mode": this.executionMode, "terraform-version": "1.11.4" },
          },
        },
      ];
    }
    if (s.method === "GET" && s.url === "/api/v2/organizations/acme/workspaces/missing") return [404, { errors: [{ status: "404", title: "not found" }] }];
    if (s.method === "POST" && s.url === "/api/v2/workspaces/ws-Stub123/configuration-versions") {
      const problem = this.apiChecks(s);
      if (problem) return this.reject(problem);
      const doc = JSON.parse(s.body.toString("utf8"));
      if (doc?.data?.type !== "configuration-versions")
        return this.reject(`expected data.type "configuration-versions", got ${JSON.stringify(doc?.data?.type)}`);
      const attrs = doc.data.attributes ?? {};
      if (typeof attrs["auto-queue-runs"] !== "boolean" || typeof attrs.speculative !== "boolean")
        return this.reject("expected boolean auto-queue-runs and speculative attributes");
      return [
        201,
        {
          data: {
            id: "cv-Stub456",
            type: "configuration-versions",
            attributes: {
              "auto-queue-runs": attrs["auto-queue-runs"],
              speculative: attrs.speculative,
              status: "pending",
              source: "tfe-api",
              "upload-url": `${this.base}/archivist/v1/object/stub-object`,
            },
          },
        },
      ];
    }
    if (s.method === "PUT" && s.url === "/archivist/v1/object/stub-object") {
      if (s.headers.authorization) return this.reject("the upload URL must get no Authorization header: it is a pre-signed URL on another host");
      if (s.headers["content-type"] !== "application/octet-stream")
        return this.reject(`expected Content-Type application/octet-stream, got ${s.headers["content-type"]}`);
      this.uploaded = s.body;
      return [200, undefined];
    }
    if (s.method === "GET" && s.url === "/api/v2/configuration-versions/cv-Stub456") {
      const problem = this.apiChecks(s);
      if (problem) return this.reject(problem);
      const status = this.uploaded ? (this.statusAnswers.shift() ?? "uploaded") : "pending";
      return [
        200,
        {
          data: {
            id: "cv-Stub456",
            type: "configuration-versions",
            attributes: { status, "error-message": status === "errored" ? "the archive has no configuration" : null },
          },
        },
      ];
    }
    return this.reject(`unexpected request ${s.method} ${s.url}`);
  }
}

/** Runs the upload command as CI does (`node scripts/run.js scripts/hcp-upload.ts ...`), without a shell. */
function runUpload(args: string[], env: Record<string, string>): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(PROJECT_DIR, "scripts", "run.js"), "scripts/hcp-upload.ts", ...args], {
      cwd: PROJECT_DIR,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}

describe("hcp-upload (scripts/hcp-upload.ts)", () => {
  let stub: StubHcp;
  let chatDir: string;
  beforeAll(() => {
    const out = tempDir("hcp-upload-");
    synthesize(settingsWith({}), out);
    chatDir = path.join(out, "stacks", "chat");
    // What a laptop's folder also holds after `cdktf deploy`: never uploaded.
    fs.mkdirSync(path.join(chatDir, ".terraform", "providers"), { recursive: true });
    fs.writeFileSync(path.join(chatDir, ".terraform", "providers", "big.bin"), "provider");
    fs.writeFileSync(path.join(chatDir, "terraform.tfstate"), "{}");
  }, 60_000);
  beforeEach(async () => {
    stub = new StubHcp();
    await stub.start();
  });
  afterEach(() => stub.stop());

  test("looks the workspace up, creates a configuration version, PUTs the chat stack to its upload-url and checks it is uploaded, never printing the token", async () => {
    const r = await runUpload(["--address", stub.base, "--organization", "acme", "--workspace", "chat-prod", chatDir], { TF_API_TOKEN: TOKEN });
    expect(stub.problems).toEqual([]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(stub.seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      "GET /api/v2/organizations/acme/workspaces/chat-prod",
      "POST /api/v2/workspaces/ws-Stub123/configuration-versions",
      "PUT /archivist/v1/object/stub-object",
      "GET /api/v2/configuration-versions/cv-Stub456",
    ]);
    expect(JSON.parse(stub.seen[1].body.toString("utf8"))).toEqual({
      data: { type: "configuration-versions", attributes: { "auto-queue-runs": true, speculative: false } },
    });
    expect(r.stdout).toMatch(
      /configuration version cv-Stub456 is uploaded; a run is queued: http:\/\/127\.0\.0\.1:\d+\/app\/acme\/workspaces\/chat-prod\/runs/,
    );
    expect(`${r.stdout}${r.stderr}`).not.toContain(TOKEN);

    // The archive: the stack folder at its root, cdk.tf.json and the Lambda asset it names, no local Terraform data.
    const members = readTarGz(stub.uploaded!);
    const files = members.filter((m) => m.type === "file").map((m) => m.path);
    expect(files).toContain("cdk.tf.json");
    const asset = files.find((f) => /^assets\/[a-z-]+_Code_[^/]+\/[^/]+\/deploy-actions\.zip$/.test(f));
    expect(asset).toBeDefined();
    const main = JSON.parse(members.find((m) => m.path === "cdk.tf.json")!.content.toString("utf8"));
    expect(JSON.stringify(main)).toContain(`"${asset}"`);
    expect(members.find((m) => m.path === asset)!.content.equals(fs.readFileSync(path.join(chatDir, asset!)))).toBe(true);
    expect(files.filter((f) => f.startsWith(".terraform/") || f.endsWith(".tfstate"))).toEqual([]);
  }, 60_000);

  test("sends speculative, no-queue versions when asked, with the token from Terraform's TF_TOKEN_<host> variable", async () => {
    const r = await runUpload(["--address", stub.base, "--speculative", "--no-queue", chatDir], {
      TF_CLOUD_ORGANIZATION: "acme",
      TF_WORKSPACE: "chat-prod",
      TF_TOKEN_127_0_0_1: TOKEN,
    });
    expect(stub.problems).toEqual([]);
    expect(r.status).toBe(0);
    expect(JSON.parse(stub.seen[1].body.toString("utf8")).data.attributes).toEqual({ "auto-queue-runs": false, speculative: true });
    expect(`${r.stdout}${r.stderr}`).not.toContain(TOKEN);
  }, 60_000);

  test("fails when the workspace is not found, saying so without the token", async () => {
    const r = await runUpload(["--address", stub.base, "--organization", "acme", "--workspace", "missing", chatDir], { TF_API_TOKEN: TOKEN });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /GET \/api\/v2\/organizations\/acme\/workspaces\/missing answered 404 \(404 not found\): it does not exist, or the token may not see it/,
    );
    expect(`${r.stdout}${r.stderr}`).not.toContain(TOKEN);
  }, 60_000);

  test("fails when the server repeats the token in an error, printing it redacted", async () => {
    stub.echoTokenInErrors = true;
    const r = await runUpload(["--address", stub.base, "--organization", "acme", "--workspace", "chat-prod", chatDir], { TF_API_TOKEN: TOKEN });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/answered 403 \(403 forbidden not allowed with Bearer \*\*\*\)/);
    expect(`${r.stdout}${r.stderr}`).not.toContain(TOKEN);
  }, 60_000);

  test("fails when no token is given", async () => {
    await expect(uploadConfiguration({ address: stub.base, organization: "acme", workspace: "chat-prod", token: "", dir: chatDir })).rejects.toThrow(
      "an API token must be given: set TF_API_TOKEN",
    );
    expect(stub.seen).toEqual([]);
  });

  test("waits while the configuration version is pending", async () => {
    stub.statusAnswers = ["pending", "pending", "uploaded"];
    const result = await uploadConfiguration({ address: stub.base, organization: "acme", workspace: "chat-prod", token: TOKEN, dir: chatDir, pollMs: 10 });
    expect(result).toMatchObject({ workspaceId: "ws-Stub123", configurationVersionId: "cv-Stub456", status: "uploaded" });
    expect(stub.seen.filter((s) => s.url === "/api/v2/configuration-versions/cv-Stub456")).toHaveLength(3);
  });

  test("fails when the workspace runs Terraform locally, before creating anything", async () => {
    stub.executionMode = "local";
    await expect(uploadConfiguration({ address: stub.base, organization: "acme", workspace: "chat-prod", token: TOKEN, dir: chatDir })).rejects.toThrow(
      'workspace acme/chat-prod must run Terraform remotely (execution mode "remote" or "agent"), got "local"',
    );
    expect(stub.seen.map((s) => s.method)).toEqual(["GET"]);
  });

  test("fails when the configuration version errors", async () => {
    stub.statusAnswers = ["errored"];
    await expect(
      uploadConfiguration({ address: stub.base, organization: "acme", workspace: "chat-prod", token: TOKEN, dir: chatDir, pollMs: 10 }),
    ).rejects.toThrow("configuration version cv-Stub456 errored: the archive has no configuration");
  });

  test("fails when the address is plain http to another host: the token would travel in clear text", async () => {
    await expect(
      uploadConfiguration({ address: "http://tfe.example.com", organization: "acme", workspace: "chat-prod", token: TOKEN, dir: chatDir }),
    ).rejects.toThrow("the API address must be an https URL (plain http only to 127.0.0.1), got http://tfe.example.com: use https");
  });

  test("fails when the folder is not a stack", async () => {
    await expect(
      uploadConfiguration({ address: stub.base, organization: "acme", workspace: "chat-prod", token: TOKEN, dir: path.join(chatDir, "assets") }),
    ).rejects.toThrow(/the stack folder must hold a \.tf or \.tf\.json file at its root/);
    expect(stub.seen).toEqual([]);
  });
});

describe("configurationArchive", () => {
  test("fails when cdk.tf.json names an asset the folder does not hold", () => {
    const dir = tempDir("cv-");
    fs.writeFileSync(path.join(dir, "cdk.tf.json"), JSON.stringify({ resource: { aws_lambda_function: { f: { filename: "assets/code/archive.zip" } } } }));
    expect(() => configurationArchive(dir)).toThrow("the stack folder must hold the assets cdk.tf.json uses, got assets/code/archive.zip missing");
  });

  test("skips Terraform's working folder and state files only", () => {
    expect(skipInUpload(".terraform", true)).toBe(true);
    expect(skipInUpload("terraform.tfstate.d", true)).toBe(true);
    expect(skipInUpload("terraform.tfstate", false)).toBe(true);
    expect(skipInUpload("terraform.tfstate.backup", false)).toBe(true);
    expect(skipInUpload(".terraform.lock.hcl", false)).toBe(false);
    expect(skipInUpload("assets", true)).toBe(false);
  });
});

describe("tokenFromEnv and redact", () => {
  test("reads TF_API_TOKEN first, then Terraform's TF_TOKEN_<host>", () => {
    expect(tokenFromEnv({ TF_API_TOKEN: "a", TF_TOKEN_app_terraform_io: "b" }, "app.terraform.io")).toBe("a");
    expect(tokenFromEnv({ TF_TOKEN_tfe__internal_example_com: "c" }, "tfe-internal.example.com")).toBe("c");
    expect(tokenFromEnv({}, "app.terraform.io")).toBeUndefined();
  });

  test("replaces every occurrence of the token", () => {
    expect(redact(`a ${TOKEN} b ${TOKEN}`, TOKEN)).toBe("a *** b ***");
  });
});
