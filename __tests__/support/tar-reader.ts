import * as zlib from "zlib";

export interface TarMember {
  readonly path: string;
  readonly type: "file" | "directory";
  readonly mode: number;
  readonly mtime: number;
  readonly content: Buffer;
}

/**
 * Reads a gzipped ustar archive, checking every header's checksum: an
 * independent reader for the tests of the archives the scripts write.
 */
export function readTarGz(archive: Buffer): TarMember[] {
  const data = zlib.gunzipSync(archive);
  const members: TarMember[] = [];
  const field = (block: Buffer, start: number, length: number) =>
    block
      .subarray(start, start + length)
      .toString("utf8")
      .replace(/\0.*$/s, "");
  for (let offset = 0; offset + 512 <= data.length;) {
    const block = data.subarray(offset, offset + 512);
    if (block.every((b) => b === 0)) break;
    const stored = parseInt(field(block, 148, 8).trim(), 8);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : block[i];
    if (sum !== stored) throw new Error(`bad tar header checksum at offset ${offset}: stored ${stored}, computed ${sum}`);
    if (field(block, 257, 6) !== "ustar") throw new Error(`not a ustar header at offset ${offset}`);
    const name = field(block, 0, 100);
    const prefix = field(block, 345, 155);
    const size = parseInt(field(block, 124, 12).trim(), 8);
    const typeflag = field(block, 156, 1);
    const content = data.subarray(offset + 512, offset + 512 + size);
    members.push({
      path: prefix ? `${prefix}/${name}` : name,
      type: typeflag === "5" ? "directory" : "file",
      mode: parseInt(field(block, 100, 8).trim(), 8),
      mtime: parseInt(field(block, 136, 12).trim(), 8),
      content: Buffer.from(content),
    });
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return members;
}
