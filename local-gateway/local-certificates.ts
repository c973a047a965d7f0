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

/**
 * Makes (once, with openssl) a local CA and a server certificate for
 * 127.0.0.1, ::1 and localhost signed by it, in `dir`, created when missing.
 * The files are reused while both certificates stay valid for another week,
 * so a backend can keep trusting the same CA file across runs. The CA's key
 * never leaves `dir` and signs nothing else.
 */
export function ensureLocalCertificates(dir: string, openssl = process.env.WSGW_OPENSSL ?? "openssl"): LocalCertificates {
  const files = { caFile: path.join(dir, "ca.pem"), certFile: path.join(dir, "server.pem"), keyFile: path.join(dir, "server-key.pem") };
  const valid = (file: string) => fs.existsSync(file) && run(openssl, ["x509", "-checkend", String(ONE_WEEK_S), "-noout", "-in", file]).status === 0;
  if (valid(files.caFile) && valid(files.certFile) && fs.existsSync(files.keyFile)) {
    return { ...files, cert: fs.readFileSync(files.certFile), key: fs.readFileSync(files.keyFile), created: false };
  }
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const scratch = fs.mkdtempSync(`${dir}.partial-`);
  try {
    make(openssl, scratch);
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

function make(openssl: string, dir: string): void {
  const f = (name: string) => path.join(dir, name);
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  check(openssl, [
    "req",
    "-x509",
    ...ec,
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
  check(openssl, ["req", ...ec, "-keyout", f("server-key.pem"), "-out", f("server.csr"), "-subj", "/CN=localhost"]);
  // Clients check the subjectAltName (Go ignores the common name); 365 days
  // stays within what browsers and Go accept for a leaf certificate.
  fs.writeFileSync(
    f("server.ext"),
    [
      "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost",
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature",
      "extendedKeyUsage=serverAuth",
    ].join("\n") + "\n",
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
  for (const key of ["ca-key.pem", "server-key.pem"]) fs.chmodSync(f(key), 0o600);
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
