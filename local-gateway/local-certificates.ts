import { spawnSync } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";

/** A local certificate authority and the gateway's server certificate, as PEM files. */
export interface LocalCertificates {
  /** The CA certificate a backend trusts: NODE_EXTRA_CA_CERTS (Node.js) or SSL_CERT_FILE (Go). */
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: Buffer;
  readonly key: Buffer;
  /** Whether this call made them (false: reused). */
  readonly created: boolean;
}

const ONE_WEEK_S = 7 * 24 * 3600;
/** Names every server certificate has: the gateway's own addresses. */
const BASE_NAMES = ["IP:127.0.0.1", "IP:::1", "DNS:localhost"];

/**
 * Makes (with openssl) a local CA and a server certificate signed by it, in
 * `dir`, when missing: the server certificate names 127.0.0.1, ::1,
 * localhost and each of `hostNames` (the API's execute-api host, its custom
 * domains: the names a client or backend may reach the gateway by with a
 * Host header and SNI). The CA is reused while it stays valid for another
 * week, so a backend keeps trusting the same CA file across runs; the server
 * certificate is made again when it would expire within a week or lacks a
 * name. The CA's key never leaves `dir` and signs nothing else.
 */
export function ensureLocalCertificates(dir: string, hostNames: readonly string[] = [], openssl = process.env.WSGW_OPENSSL ?? "openssl"): LocalCertificates {
  const files = { caFile: path.join(dir, "ca.pem"), certFile: path.join(dir, "server.pem"), keyFile: path.join(dir, "server-key.pem") };
  const caKey = path.join(dir, "ca-key.pem");
  const namesFile = path.join(dir, "server.names");
  const names = [...new Set([...BASE_NAMES, ...hostNames.map((n) => `DNS:${n.toLowerCase()}`)])];
  const valid = (file: string) => fs.existsSync(file) && run(openssl, ["x509", "-checkend", String(ONE_WEEK_S), "-noout", "-in", file]).status === 0;
  const caValid = valid(files.caFile) && fs.existsSync(caKey);
  const named = fs.existsSync(namesFile) && names.every((n) => fs.readFileSync(namesFile, "utf8").split("\n").includes(n));
  if (caValid && valid(files.certFile) && fs.existsSync(files.keyFile) && named) {
    return { ...files, cert: fs.readFileSync(files.certFile), key: fs.readFileSync(files.keyFile), created: false };
  }
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const scratch = fs.mkdtempSync(`${dir}.partial-`);
  try {
    if (caValid) for (const f of ["ca.pem", "ca-key.pem"]) fs.copyFileSync(path.join(dir, f), path.join(scratch, f));
    else makeCa(openssl, scratch);
    makeServer(openssl, scratch, names);
    fs.writeFileSync(path.join(scratch, "server.names"), names.join("\n") + "\n");
    // Read before publishing: the pair stays matched even if another run replaces the folder.
    const cert = fs.readFileSync(path.join(scratch, "server.pem"));
    const key = fs.readFileSync(path.join(scratch, "server-key.pem"));
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(scratch, dir);
    return { ...files, cert, key, created: true };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function makeCa(openssl: string, dir: string): void {
  const f = (name: string) => path.join(dir, name);
  check(openssl, [
    "req",
    "-x509",
    ...EC,
    "-keyout",
    f("ca-key.pem"),
    "-out",
    f("ca.pem"),
    "-days",
    "825",
    "-subj",
    "/CN=websocket-gateway-cdktf local CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  fs.chmodSync(f("ca-key.pem"), 0o600);
}

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];

function makeServer(openssl: string, dir: string, names: readonly string[]): void {
  const f = (name: string) => path.join(dir, name);
  check(openssl, ["req", ...EC, "-keyout", f("server-key.pem"), "-out", f("server.csr"), "-subj", "/CN=localhost"]);
  // Clients check the subjectAltName (Go ignores the common name); 365 days
  // stays within what browsers and Go accept for a leaf certificate.
  fs.writeFileSync(
    f("server.ext"),
    [`subjectAltName=${names.join(",")}`, "basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature", "extendedKeyUsage=serverAuth"].join(
      "\n",
    ) + "\n",
  );
  check(openssl, [
    "x509",
    "-req",
    "-in",
    f("server.csr"),
    "-CA",
    f("ca.pem"),
    "-CAkey",
    f("ca-key.pem"),
    "-set_serial",
    `0x${randomBytes(12).toString("hex")}`,
    "-days",
    "365",
    "-extfile",
    f("server.ext"),
    "-out",
    f("server.pem"),
  ]);
  fs.chmodSync(f("server-key.pem"), 0o600);
  for (const scratch of ["server.csr", "server.ext"]) fs.rmSync(f(scratch));
}

function run(command: string, args: string[]) {
  return spawnSync(command, args, { encoding: "utf8" });
}

function check(command: string, args: string[]): void {
  const r = run(command, args);
  if (r.error)
    throw new Error(`${command} is needed to make the local gateway's TLS certificate (${r.error.message}): install OpenSSL or set WSGW_OPENSSL to its path`);
  if (r.status !== 0) throw new Error(`${command} ${args[0]} failed (exit ${r.status}): ${r.stderr.trim()}`);
}
