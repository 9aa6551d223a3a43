// The honest physical limit of an encrypting import (issue 13, item 5): the fastest this machine can
// read the bytes (plain synchronous reads), SHA-256 them, AES-256-GCM them, write the ciphertext and
// fsync it (flushing behind the writes), on one thread and split over `threads` worker threads; the limit is the
// faster of the two.
// (Awaited 1 MiB reads, as the first limit used, cost more than twice the work itself.)
import { Worker } from 'node:worker_threads';

/** One thread's share: runs in a worker (eval'd, so it works bundled and under tsx alike). */
const WORK = `
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync, openSync, writeSync, fsyncSync, fdatasync, closeSync } = require('node:fs');
const { createCipheriv, createHash, randomBytes } = require('node:crypto');
const { files, out } = workerData;
const key = randomBytes(32);
const fd = openSync(out, 'w');
let sink = 0;
let unsynced = 0;
const t0 = performance.now();
for (const f of files) {
  const bytes = readFileSync(f);
  const h = createHash('sha256').update(bytes).digest();
  const c = createCipheriv('aes-256-gcm', key, randomBytes(12));
  const ct = c.update(bytes);
  c.final();
  writeSync(fd, ct);
  writeSync(fd, c.getAuthTag());
  sink ^= h[0];
  // Write-behind: an fdatasync every 16 MiB runs on the thread pool while this loop goes on, so the last
  // fsync flushes only the tail (the fastest way to make the bytes durable).
  unsynced += bytes.length;
  if (unsynced >= 16 << 20) { unsynced = 0; fdatasync(fd, () => {}); }
}
fsyncSync(fd);
closeSync(fd);
parentPort.postMessage({ ms: performance.now() - t0, sink });
`;

function runShare(files: string[], out: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const w = new Worker(WORK, { eval: true, workerData: { files, out } });
    w.once('message', (m: { ms: number }) => resolve(m.ms));
    w.once('error', reject);
    w.once('exit', (code) => code !== 0 && reject(new Error(`limit worker exited ${code}`)));
  });
}

export interface PhysicalLimit {
  /** Seconds, one thread doing everything. */
  oneThread: number;
  /** Seconds, files dealt round-robin to `threads` threads (wall clock from start to the last fsync). */
  parallel: number;
  threads: number;
  /** The faster of the two: the figure an import is held against. */
  seconds: number;
}

export async function measurePhysicalLimit(files: string[], outDir: string, threads: number): Promise<PhysicalLimit> {
  const one = await runShare(files, `${outDir}/limit-1.bin`);
  const shares: string[][] = Array.from({ length: threads }, () => []);
  files.forEach((f, i) => shares[i % threads]!.push(f));
  const t0 = performance.now();
  await Promise.all(shares.map((s, i) => runShare(s, `${outDir}/limit-p${i}.bin`)));
  const parallel = (performance.now() - t0) / 1000;
  const oneThread = one / 1000;
  return { oneThread, parallel, threads, seconds: Math.min(oneThread, parallel) };
}
