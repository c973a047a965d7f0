/**
 * A small, deterministic writer of gzipped tar archives (POSIX ustar), for
 * the private-registry packages and the HCP Terraform configuration
 * uploads. Same input, same bytes: entries sorted, fixed mtime, uid/gid 0,
 * modes 0644/0755, no user names.
 */
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { compareText } from "./order";

/** One file of an archive: its path inside the archive (forward slashes, relative) and its content. */
export interface TarEntry {
  readonly path: string;
  readonly content: Buffer | string;
}

/** Modification time of every entry: 2000-01-01T00:00:00Z, so archives are reproducible. */
export const TAR_MTIME = 946684800;

const BLOCK = 512;

function octal(value: number, length: number): string {
  return value.toString(8).padStart(length - 1, "0") + "\0";
}

/** Splits a path into ustar's name (100 bytes) and prefix (155 bytes) fields. */
function nameFields(name: string): { name: string; prefix: string } {
  if (Buffer.byteLength(name) <= 100) return { name, prefix: "" };
  const cut = name.lastIndexOf("/", name.length - 1);
  for (let i = cut; i > 0; i = name.lastIndexOf("/", i - 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100) return { name: rest, prefix };
  }
  throw new Error(`archive path must fit the ustar name and prefix fields (100 + 155 bytes), got ${name}: shorten it`);
}

function header(name: string, size: number, type: "0" | "5"): Buffer {
  const block = Buffer.alloc(BLOCK, 0);
  const fields = nameFields(name);
  block.write(fields.name, 0, 100, "utf8");
  block.write(octal(type === "5" ? 0o755 : 0o644, 8), 100, 8, "ascii");
  block.write(octal(0, 8), 108, 8, "ascii"); // uid
  block.write(octal(0, 8), 116, 8, "ascii"); // gid
  block.write(octal(size, 12), 124, 12, "ascii");
  block.write(octal(TAR_MTIME, 12), 136, 12, "ascii");
  block.write("        ", 148, 8, "ascii"); // checksum placeholder: spaces while summing
  block.write(type, 156, 1, "ascii");
  block.write("ustar\0", 257, 6, "ascii");
  block.write("00", 263, 2, "ascii");
  block.write(fields.prefix, 345, 155, "utf8");
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(octal(sum, 7) + " ", 148, 8, "ascii");
  return block;
}

function checkPath(p: string): void {
  if (!p || p.startsWith("/") || p.split("/").some((part) => part === ".." || part === "." || part === "") || p.includes("\\")) {
    throw new Error(`archive path must be relative, with forward slashes and no "." or ".." parts, got ${JSON.stringify(p)}`);
  }
}

/** The uncompressed tar of `entries`, with a directory entry for every folder (as `tar czf` writes them). */
export function tar(entries: readonly TarEntry[]): Buffer {
  const files = new Map<string, Buffer>();
  for (const e of entries) {
    checkPath(e.path);
    if (files.has(e.path)) throw new Error(`archive path must be unique, got ${e.path} twice`);
    files.set(e.path, Buffer.isBuffer(e.content) ? e.content : Buffer.from(e.content, "utf8"));
  }
  const dirs = new Set<string>();
  for (const p of files.keys()) {
    const parts = p.split("/");
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join("/") + "/");
  }
  const names = [...dirs, ...files.keys()].sort(compareText);
  const chunks: Buffer[] = [];
  for (const name of names) {
    if (name.endsWith("/")) {
      chunks.push(header(name, 0, "5"));
      continue;
    }
    const content = files.get(name)!;
    chunks.push(header(name, content.length, "0"), content, Buffer.alloc((BLOCK - (content.length % BLOCK)) % BLOCK, 0));
  }
  chunks.push(Buffer.alloc(BLOCK * 2, 0));
  return Buffer.concat(chunks);
}

/** The gzipped tar of `entries` (Node's gzip header has no time stamp, so the bytes are reproducible). */
export function tarGz(entries: readonly TarEntry[]): Buffer {
  return zlib.gzipSync(tar(entries), { level: 9 });
}

/**
 * Every file under `dir` as archive entries (paths relative to `dir`),
 * skipping folders and files for which `skip(relativePath, isDirectory)`
 * is true. Symbolic links are refused: an archive must not point outside
 * its folder.
 */
export function entriesOfDir(dir: string, skip: (rel: string, isDir: boolean) => boolean = () => false): TarEntry[] {
  const out: TarEntry[] = [];
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isSymbolicLink()) throw new Error(`archive folder must hold no symbolic links, got ${path.join(dir, child)}: copy the file instead`);
      if (skip(child, entry.isDirectory())) continue;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) out.push({ path: child, content: fs.readFileSync(path.join(dir, child)) });
    }
  };
  walk("");
  return out;
}
