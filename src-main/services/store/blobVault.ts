// Original instance bytes as AES-256-GCM files: blobs/ab/<30 hex>, random names (never derived from
// a UID). Each file has its own key, HKDF(blob master key, per-file salt), and the salt lives only in
// the database row: once a purge has deleted the row (secure_delete, VACUUM), whatever bytes of the
// file survive on the disk cannot be decrypted, even with the data key. The header and the name are
// authenticated, so a file that was altered, truncated or swapped fails its tag on read.
// Files are encrypted before they touch the disk, temp files included.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir } from './atomicFile';

const MAGIC = Buffer.from('ENCB', 'ascii');
const VERSION = 1;
const SALT = 16;
const IV = 12;
const TAG = 16;
const HEADER = 4 + 4 + IV; // magic, version + 3 reserved, iv
const BLOB_NAME = /^[0-9a-f]{32}$/;

/** A blob file's name and the salt of its key (kept in the database, never in the file). */
export interface BlobRef {
  name: string;
  salt: Buffer;
}

export type BlobReadFailure = 'missing' | 'malformed' | 'authentication';
export type BlobReadResult = { ok: true; bytes: Buffer } | { ok: false; reason: BlobReadFailure };

export class BlobVault {
  private readonly knownDirs = new Set<string>();

  constructor(
    readonly blobsDir: string,
    readonly tmpDir: string,
    private readonly masterKey: Buffer,
  ) {}

  static isBlobName(name: string): boolean {
    return BLOB_NAME.test(name);
  }

  /**
   * A fresh random name. Blobs written together share a `shard` (newShard()): their folder is then made and
   * fsynced once for the batch, not once per blob. Names stay random, and over many batches spread evenly.
   */
  newRef(shard: string = this.newShard()): BlobRef {
    return { name: shard + randomBytes(15).toString('hex'), salt: randomBytes(SALT) };
  }

  newShard(): string {
    return randomBytes(1).toString('hex');
  }

  /** What a blob writer thread needs to write as this vault does (store/blobWriterThread.ts); a copy of the key. */
  writerInput(): { blobsDir: string; tmpDir: string; masterKey: Uint8Array } {
    return { blobsDir: this.blobsDir, tmpDir: this.tmpDir, masterKey: Uint8Array.from(this.masterKey) };
  }

  pathOf(name: string): string {
    return join(this.blobsDir, name.slice(0, 2), name.slice(2));
  }

  async ensureDirs(): Promise<void> {
    await fsp.mkdir(this.blobsDir, { recursive: true, mode: 0o700 });
    await fsp.mkdir(this.tmpDir, { recursive: true, mode: 0o700 });
  }

  private fileKey(salt: Buffer): Buffer {
    return Buffer.from(hkdfSync('sha256', this.masterKey, salt, 'enclave/v1/blob-file', 32));
  }

  private aad(header: Buffer, name: string): Buffer {
    return Buffer.concat([header, Buffer.from(name, 'ascii')]);
  }

  /** Encrypted chunks ready to write: header, ciphertext, tag. */
  seal(ref: BlobRef, bytes: Uint8Array): Buffer[] {
    const header = Buffer.alloc(HEADER);
    MAGIC.copy(header, 0);
    header[4] = VERSION;
    const iv = randomBytes(IV);
    iv.copy(header, 8);
    const c = createCipheriv('aes-256-gcm', this.fileKey(ref.salt), iv);
    c.setAAD(this.aad(header, ref.name));
    const ct = c.update(bytes);
    const fin = c.final();
    return fin.length ? [header, ct, fin, c.getAuthTag()] : [header, ct, c.getAuthTag()];
  }

  open(ref: BlobRef, file: Buffer): BlobReadResult {
    if (file.length < HEADER + TAG || !file.subarray(0, 4).equals(MAGIC) || file[4] !== VERSION || ref.salt.length !== SALT) {
      return { ok: false, reason: 'malformed' };
    }
    const header = file.subarray(0, HEADER);
    const iv = file.subarray(8, HEADER);
    try {
      const d = createDecipheriv('aes-256-gcm', this.fileKey(ref.salt), iv);
      d.setAAD(this.aad(header, ref.name));
      d.setAuthTag(file.subarray(file.length - TAG));
      const pt = d.update(file.subarray(HEADER, file.length - TAG));
      const fin = d.final();
      return { ok: true, bytes: fin.length ? Buffer.concat([pt, fin]) : pt };
    } catch {
      return { ok: false, reason: 'authentication' };
    }
  }

  /**
   * The shard folders of these blobs, made durable before any blob lands in them: the new ones made together,
   * then one fsync of their parent (one per new shard cost a journal commit each: a first import into a fresh
   * store spent seconds here).
   */
  private async ensureShards(names: string[]): Promise<Set<string>> {
    const dirs = new Set(names.map((name) => join(this.blobsDir, name.slice(0, 2))));
    const fresh = [...dirs].filter((d) => !this.knownDirs.has(d));
    if (fresh.length > 0) {
      await Promise.all(fresh.map((d) => fsp.mkdir(d, { recursive: true, mode: 0o700 })));
      await fsyncDir(this.blobsDir);
      for (const d of fresh) this.knownDirs.add(d);
    }
    return dirs;
  }

  /**
   * Writes each blob durably and then fsyncs the directories, so once this resolves a database row may
   * safely point at any of them. Group commit: every encrypted temp file of the batch is written first,
   * then all are fdatasync'ed together (the disk flushes them in one go instead of one flush per file),
   * then renamed into place.
   */
  async writeMany(items: { ref: BlobRef; bytes: Uint8Array }[]): Promise<void> {
    const pending: { tmp: string; target: string; handle: FileHandle }[] = [];
    const dirs = await this.ensureShards(items.map((it) => it.ref.name));
    try {
      // All writes in flight at once: each await is a thread-pool round trip, and on a busy machine
      // doing them one after another costs more than the disk does.
      await Promise.all(
        items.map(async (it) => {
          const chunks = this.seal(it.ref, it.bytes);
          const tmp = join(this.tmpDir, `${randomBytes(12).toString('hex')}.tmp`);
          const handle = await fsp.open(tmp, 'wx', 0o600);
          pending.push({ tmp, target: this.pathOf(it.ref.name), handle });
          await handle.writev(chunks);
        }),
      );
      await Promise.all(pending.map((p) => p.handle.datasync()));
    } catch (e) {
      await Promise.all(pending.map((p) => p.handle.close().catch(() => undefined)));
      await Promise.all(pending.map((p) => fsp.rm(p.tmp, { force: true })));
      throw e;
    }
    await Promise.all(pending.map((p) => p.handle.close()));
    await Promise.all(pending.map((p) => fsp.rename(p.tmp, p.target)));
    await Promise.all([...dirs].map((d) => fsyncDir(d)));
  }

  async read(ref: BlobRef): Promise<BlobReadResult> {
    let file: Buffer;
    try {
      file = await fsp.readFile(this.pathOf(ref.name));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { ok: false, reason: 'missing' };
      throw e;
    }
    return this.open(ref, file);
  }

  async remove(names: Iterable<string>): Promise<void> {
    for (const n of names) await fsp.rm(this.pathOf(n), { force: true });
  }

  /** Every blob name on disk (files that do not look like blobs are ignored). */
  async listNames(): Promise<string[]> {
    const out: string[] = [];
    let shards: string[];
    try {
      shards = await fsp.readdir(this.blobsDir);
    } catch {
      return out;
    }
    for (const s of shards) {
      if (!/^[0-9a-f]{2}$/.test(s)) continue;
      for (const f of await fsp.readdir(join(this.blobsDir, s))) {
        const name = s + f;
        if (BLOB_NAME.test(name)) out.push(name);
      }
    }
    return out;
  }

  /** Deletes blobs no row refers to (left by a killed import) and every temp file. Returns how many blobs went. */
  async sweep(referenced: (name: string) => boolean): Promise<number> {
    let removed = 0;
    for (const n of await this.listNames()) {
      if (!referenced(n)) {
        await fsp.rm(this.pathOf(n), { force: true });
        removed++;
      }
    }
    for (const f of await fsp.readdir(this.tmpDir).catch(() => [] as string[])) {
      await fsp.rm(join(this.tmpDir, f), { force: true, recursive: true });
    }
    return removed;
  }
}
