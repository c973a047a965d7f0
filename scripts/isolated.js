#!/usr/bin/env node
// Runs a command in a private network namespace that has only loopback, so
// nothing it starts (terraform, the emulator, the SDK) can reach any address
// but 127.0.0.1: a forgotten provider endpoint fails instead of calling AWS.
// Needs `unshare -n` (root, or user namespaces); where that is not possible
// the command runs as is, with a warning, and the tests' own checks (every
// endpoint is http://127.0.0.1:<port>) still hold.
//
//   node scripts/isolated.js <command> [args...]
"use strict";
const { spawnSync } = require("child_process");

const args = process.argv.slice(2);
if (args.length === 0) {
  console.error("usage: node scripts/isolated.js <command> [args...]");
  process.exit(2);
}
const quoted = args.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
const probe = spawnSync("unshare", ["-n", "sh", "-c", "ip link set lo up"], { stdio: "ignore" });
if (probe.status === 0 && process.env.WSGW_NO_ISOLATION !== "1") {
  const r = spawnSync("unshare", ["-n", "sh", "-c", `ip link set lo up && exec ${quoted}`], { stdio: "inherit" });
  process.exit(r.status ?? 1);
}
console.warn("warning: cannot create a private network namespace (unshare -n); running without network isolation");
const r = spawnSync(args[0], args.slice(1), { stdio: "inherit" });
process.exit(r.status ?? 1);
