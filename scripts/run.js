#!/usr/bin/env node
// Runs a TypeScript entry point of this project (main.ts, scripts/*.ts)
// fast: transpiles only the sources that changed since the last run into
// dist/ with TypeScript's transpileModule (no type-checking: `npm run
// typecheck` and the tests do that), then runs the compiled entry. A warm
// run costs a few milliseconds over plain `node dist/main.js`.
//
//   node scripts/run.js main.ts [args...]
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const dist = path.join(root, "dist");
const SOURCE_DIRS = ["stacks", "constructs", "scripts", "local-gateway"];

function listSources() {
  const out = [path.join(root, "main.ts")];
  const walk = (dir) => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(full);
    }
  };
  for (const d of SOURCE_DIRS) walk(path.join(root, d));
  return out;
}

function compiledPath(source) {
  return path.join(dist, path.relative(root, source)).replace(/\.ts$/, ".js");
}

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

/**
 * Transpiles each of `sources` whose output, `targetOf(source)`, is missing or
 * older than it (TypeScript's transpileModule, CommonJS, ES2022). Each output
 * is written aside and renamed: processes building at once (several
 * `node scripts/run.js` started together on a fresh clone, or test workers)
 * never load a half-written file. Also used for the tests' Lambda stand-in
 * (__tests__/support/stand-ins/deploy-actions-runtime.ts).
 */
function transpileStale(sources, targetOf) {
  const stale = sources.filter((s) => mtime(targetOf(s)) < mtime(s));
  if (stale.length === 0) return;
  const ts = require("typescript");
  const compilerOptions = {
    module: ts.ModuleKind.CommonJS,
    target: ts.ScriptTarget.ES2022,
    esModuleInterop: true,
    isolatedModules: true,
  };
  for (const source of stale) {
    const result = ts.transpileModule(fs.readFileSync(source, "utf8"), { compilerOptions, fileName: source, reportDiagnostics: false });
    const target = targetOf(source);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(`${target}.${process.pid}`, result.outputText);
    fs.renameSync(`${target}.${process.pid}`, target);
  }
}

module.exports = { transpileStale };

// Run as a command, not when required for transpileStale.
if (require.main === module) {
  const [entry, ...args] = process.argv.slice(2);
  if (!entry || !entry.endsWith(".ts")) {
    console.error("usage: node scripts/run.js <entry.ts> [args...]");
    process.exit(2);
  }
  transpileStale(listSources(), compiledPath);
  const compiledEntry = compiledPath(path.resolve(root, entry));
  process.argv = [process.argv[0], compiledEntry, ...args];
  require(compiledEntry);
}
