// Reads zip archives entry by entry, in memory only: an archive of patient images must never be
// unpacked to a temp folder. Every offset and size from the archive is checked against the file and
// against caps (entry count, entry size, expansion ratio) before anything is allocated or inflated.
import { promises as fsp } from 'node:fs';
import { inflateSync } from 'fflate';
import { AppError } from '../../../src-shared/errors';

export interface ZipEntry {
  name: string;
  method: number;
  encrypted: boolean;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

export interface ZipLimits {
  maxEntries: number;
  maxEntryBytes: number;
  /** Largest uncompressed/compressed ratio accepted for one entry (zip bombs). */
  maxRatio: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxEntries: 200_000, maxEntryBytes: 1024 ** 3, maxRatio: 1000 };

const EOCD_SIG = 0x06054b50;
const EOCD64_LOCATOR_SIG = 0x07064b50;
const EOCD64_SIG = 0x06064b50;
const CDH_SIG = 0x02014b50;
const LFH_SIG = 0x04034b50;

function bad(why: string): AppError {
  return new AppError('IMPORT_FAILED', `The zip archive is damaged (${why}).`);
}

/** True when the bytes start like a zip archive (local file header or an empty archive's end record). */
export function looksLikeZip(head: Uint8Array): boolean {
  if (head.length < 4) return false;
  const sig = head[0]! | (head[1]! << 8) | (head[2]! << 16) | (head[3]! << 24);
  return sig >>> 0 === LFH_SIG || sig >>> 0 === EOCD_SIG;
}

async function readAt(fh: fsp.FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  if (done !== length) throw bad('unexpected end of file');
  return buf;
}

function u64(b: Buffer, off: number): number {
  const v = b.readBigUInt64LE(off);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw bad('size out of range');
  return Number(v);
}

export class ZipArchive {
  private constructor(
    private readonly fh: fsp.FileHandle,
    readonly size: number,
    readonly entries: ZipEntry[],
    private readonly limits: ZipLimits,
  ) {}

  static async open(path: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<ZipArchive> {
    const fh = await fsp.open(path, 'r');
    try {
      const size = (await fh.stat()).size;
      const entries = await readCentralDirectory(fh, size, limits);
      return new ZipArchive(fh, size, entries, limits);
    } catch (e) {
      await fh.close();
      throw e instanceof AppError ? e : bad('unreadable');
    }
  }

  /** The entry's bytes, inflated in memory and size-checked. */
  async read(entry: ZipEntry): Promise<Uint8Array> {
    if (entry.encrypted) throw new AppError('IMPORT_FAILED', 'This zip entry is password-protected.');
    if (entry.method !== 0 && entry.method !== 8) throw new AppError('IMPORT_FAILED', `Unsupported zip compression method ${entry.method}.`);
    if (entry.localHeaderOffset + 30 > this.size) throw bad('entry header outside the file');
    const lfh = await readAt(this.fh, entry.localHeaderOffset, 30);
    if (lfh.readUInt32LE(0) !== LFH_SIG) throw bad('bad local header');
    const dataStart = entry.localHeaderOffset + 30 + lfh.readUInt16LE(26) + lfh.readUInt16LE(28);
    if (dataStart + entry.compressedSize > this.size) throw bad('entry data outside the file');
    const data = await readAt(this.fh, dataStart, entry.compressedSize);
    if (entry.method === 0) {
      if (entry.compressedSize !== entry.uncompressedSize) throw bad('stored entry size mismatch');
      return data;
    }
    const out = new Uint8Array(entry.uncompressedSize);
    let inflated: Uint8Array;
    try {
      inflated = inflateSync(data, { out });
    } catch {
      throw bad('entry does not inflate');
    }
    if (inflated.length !== entry.uncompressedSize) throw bad('entry size mismatch');
    return inflated;
  }

  /** Entries that are files (not folders), with the archive's caps applied. */
  files(): ZipEntry[] {
    return this.entries.filter((e) => !e.name.endsWith('/'));
  }

  checkLimits(entry: ZipEntry): string | null {
    if (entry.uncompressedSize > this.limits.maxEntryBytes) return 'zip entry too large';
    if (entry.compressedSize > 0 && entry.uncompressedSize / entry.compressedSize > this.limits.maxRatio) return 'zip entry expands too much';
    if (entry.compressedSize === 0 && entry.uncompressedSize > 0) return 'zip entry expands too much';
    return null;
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

async function readCentralDirectory(fh: fsp.FileHandle, size: number, limits: ZipLimits): Promise<ZipEntry[]> {
  if (size < 22) throw bad('too short');
  const tailLen = Math.min(size, 22 + 0xffff);
  const tail = await readAt(fh, size - tailLen, tailLen);
  let eocd = -1;
  for (let i = tailLen - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIG) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw bad('no end of central directory');
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locPos = size - tailLen + eocd - 20;
    if (locPos < 0) throw bad('zip64 locator missing');
    const loc = await readAt(fh, locPos, 20);
    if (loc.readUInt32LE(0) !== EOCD64_LOCATOR_SIG) throw bad('zip64 locator missing');
    const e64Pos = u64(loc, 8);
    if (e64Pos + 56 > size) throw bad('zip64 record outside the file');
    const e64 = await readAt(fh, e64Pos, 56);
    if (e64.readUInt32LE(0) !== EOCD64_SIG) throw bad('bad zip64 record');
    count = u64(e64, 32);
    cdSize = u64(e64, 40);
    cdOffset = u64(e64, 48);
  }
  if (count > limits.maxEntries) throw new AppError('IMPORT_FAILED', 'The zip archive has too many entries.');
  if (cdOffset + cdSize > size) throw bad('central directory outside the file');
  const cd = await readAt(fh, cdOffset, cdSize);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CDH_SIG) throw bad('bad central directory entry');
    const flags = cd.readUInt16LE(p + 8);
    const method = cd.readUInt16LE(p + 10);
    let compressedSize = cd.readUInt32LE(p + 20);
    let uncompressedSize = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    let localHeaderOffset = cd.readUInt32LE(p + 42);
    const end = p + 46 + nameLen + extraLen + commentLen;
    if (end > cd.length) throw bad('central directory entry overruns');
    // Bit 11: UTF-8 names; otherwise CP437, of which ASCII is the common part.
    const name = cd.toString(flags & 0x800 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLen);
    let x = p + 46 + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const id = cd.readUInt16LE(x);
      const len = cd.readUInt16LE(x + 2);
      if (x + 4 + len > xEnd) throw bad('extra field overruns');
      if (id === 0x0001) {
        let q = x + 4;
        const take = (): number => {
          if (q + 8 > x + 4 + len) throw bad('short zip64 extra field');
          const v = u64(cd, q);
          q += 8;
          return v;
        };
        if (uncompressedSize === 0xffffffff) uncompressedSize = take();
        if (compressedSize === 0xffffffff) compressedSize = take();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = take();
      }
      x += 4 + len;
    }
    entries.push({ name, method, encrypted: (flags & 1) !== 0, compressedSize, uncompressedSize, localHeaderOffset });
    p = end;
  }
  return entries;
}
