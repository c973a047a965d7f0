import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * The deploy-actions handler as a zip whose bytes depend on the files alone:
 * entries sorted by name, one fixed time (1980-01-01, the zip format's
 * first), stored uncompressed (the handler is some 30 KB), no extra fields.
 * cdktf's own archives (AssetType.ARCHIVE) carry each file's mtime, which a
 * fresh clone sets to the checkout time: the function's source_code_hash
 * then differed between clones and machines, updating the function on every
 * deploy from another one, and a module could not commit its archive. Written
 * once per content under the system's temporary folder; the stacks use it as
 * a file asset.
 */
export function deployActionsArchive(dir: string): string {
  const zip = zipFolder(dir);
  const file = path.join(
    os.tmpdir(),
    "websocket-gateway-deploy-actions",
    `${createHash("sha256").update(zip).digest("hex").slice(0, 32)}`,
    "deploy-actions.zip",
  );
  if (!fs.existsSync(file) || !fs.readFileSync(file).equals(zip)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // Written aside and renamed: a concurrent synth never reads half a file.
    const partial = `${file}.${process.pid}.partial`;
    fs.writeFileSync(partial, zip);
    fs.renameSync(partial, file);
  }
  return file;
}

/** The files under `dir`, relative, with forward slashes, sorted. */
function filesOf(dir: string, at = ""): string[] {
  return fs
    .readdirSync(path.join(dir, at), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesOf(dir, `${at}${e.name}/`) : e.isFile() ? [`${at}${e.name}`] : []))
    .sort();
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** DOS date of 1980-01-01 (year 0, month 1, day 1); time 00:00:00. */
const DOS_DATE = (1 << 5) | 1;
const DOS_TIME = 0;

/** A zip (PKWARE APPNOTE 4.3: local headers, central directory, end record) of the folder's files, stored. */
export function zipFolder(dir: string): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const name of filesOf(dir)) {
    const data = fs.readFileSync(path.join(dir, name));
    const nameBytes = Buffer.from(name, "utf8");
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, 2.0 (so the mode below is read)
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // regular file, rw-r--r--
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(centrals.length / 2, 8);
  end.writeUInt16LE(centrals.length / 2, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
