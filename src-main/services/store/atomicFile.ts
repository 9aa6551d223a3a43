// Write-then-rename with fsync of the file and its directory: after a crash the target is either
// the old file or the complete new one, never a torn mix.
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export async function fsyncDir(dir: string): Promise<void> {
  const h = await fsp.open(dir, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

/** Writes bytes to `tmpPath`, fsyncs, renames onto `target`; the caller fsyncs target's directory (batched). */
export async function writeDurable(tmpPath: string, target: string, chunks: Uint8Array[], mode = 0o600): Promise<void> {
  const h = await fsp.open(tmpPath, 'wx', mode);
  try {
    await h.writev(chunks);
    await h.sync();
  } finally {
    await h.close();
  }
  try {
    await fsp.rename(tmpPath, target);
  } catch (e) {
    await fsp.rm(tmpPath, { force: true });
    throw e;
  }
}

/** Replaces a small file atomically (tmp beside it, fsync, rename, fsync directory). */
export async function writeFileAtomic(target: string, data: Uint8Array, mode = 0o600): Promise<void> {
  const dir = dirname(target);
  const tmp = join(dir, `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  await writeDurable(tmp, target, [data], mode);
  await fsyncDir(dir);
}
