// The decode worker pool against in-process decoding of the same corpus files, and its failure modes:
// hostile bytes, a thread that dies mid-job, a flood of requests, closing with work queued.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeCodecs } from '../../../src-main/services/codecs/nodeCodecs';
import { DecodePool, defaultPoolSize } from '../../../src-main/services/series/decodePool';
import { decodeWireFrame } from '../../../src-main/services/series/frameDecoding';
import type { FrameOutput } from '../../../src-main/services/series/decodeProtocol';
import { AppError } from '../../../src-shared/errors';
import { buildDecodeWorker, CORPUS, CRASH_FRAME, STUCK_FRAME, type BuiltWorker } from './fixtures/decodeWorkerBuild';
import { decodeBudgetMs } from '../../../src-shared/dicom/pixels/decodeBudget';

const FILES = {
  uncompressed: 'icometrix-dicom2nifti/generic/anatomical/001/IM-0001-0002-0001.dcm',
  jpegLs: 'icometrix-dicom2nifti/generic/compressed_jpegls/001/IM-0001-0002-0001.dcm',
  jpeg2000: 'icometrix-dicom2nifti/generic/compressed_j2k/001/IM-0001-0002-0001.dcm',
};

/** A fresh, exclusively owned copy of a file (the pool transfers it away). */
function bytesOf(file: string): ArrayBuffer {
  const b = readFileSync(file);
  const out = new ArrayBuffer(b.byteLength);
  new Uint8Array(out).set(b);
  return out;
}

async function inProcess(file: string, frameIndex = 0, output: FrameOutput = 'modality') {
  return decodeWireFrame({ bytes: bytesOf(file), frameIndex, output }, await createNodeCodecs(), null);
}

/** Bit-identical (toEqual walks 65,536 elements one by one; this compares bytes). */
function same(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return a.byteLength === b.byteLength && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

async function rejection(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(AppError);
  return e as AppError;
}

let built: BuiltWorker;
beforeAll(async () => {
  built = await buildDecodeWorker();
});
afterAll(() => built?.cleanup());

describe('decode pool', () => {
  it('sizes itself to leave main a core', () => {
    expect(defaultPoolSize()).toBeGreaterThanOrEqual(1);
    expect(new DecodePool('/nonexistent').workerCount).toBe(0);
  });

  it('decodes the same modality values as in-process decoding (uncompressed, JPEG-LS, JPEG 2000)', async () => {
    const pool = new DecodePool(built.script, { size: 2 });
    try {
      for (const [kind, rel] of Object.entries(FILES)) {
        const file = path.join(CORPUS, rel);
        const bytes = bytesOf(file);
        const got = await pool.decode({ bytes, frameIndex: 0, output: 'modality' });
        // Transferred, not copied: main no longer holds the bytes.
        expect(bytes.byteLength, kind).toBe(0);
        const want = await inProcess(file);
        expect(got.length, kind).toBe(256 * 256);
        expect(got, kind).toEqual(want);
        expect(Math.max(...got.subarray(0, 4096)), kind).toBeGreaterThanOrEqual(0);
        // Stored values come back in their native type (these are 16-bit), transferred whole.
        const stored = await pool.decode({ bytes: bytesOf(file), frameIndex: 0, output: 'stored' });
        expect(stored.constructor.name, kind).toMatch(/^(Ui|I)nt16Array$/);
        expect(stored.byteLength, kind).toBe(stored.buffer.byteLength);
        expect(stored, kind).toEqual(await inProcess(file, 0, 'stored'));
      }
    } finally {
      await pool.close();
    }
  });

  it('decodes frames of shared multi-frame bytes by frame index', async () => {
    const file = path.join(CORPUS, 'dcm_qa_enh/In/Siemens/XA10/6_1.dcm');
    const b = readFileSync(file);
    const shared = new SharedArrayBuffer(b.byteLength);
    new Uint8Array(shared).set(b);
    const pool = new DecodePool(built.script, { size: 1 });
    try {
      for (const f of [0, 3, 5]) {
        const got = await pool.decode({ bytes: shared, frameIndex: f, output: 'modality', cacheKey: 'enh' });
        expect(got).toEqual(await inProcess(file, f));
      }
      expect(new Uint8Array(shared).subarray(0, 132)).toEqual(new Uint8Array(b.subarray(0, 132)));
      expect((await rejection(pool.decode({ bytes: shared, frameIndex: 6, output: 'modality', cacheKey: 'enh' }))).code).toMatch(/^DICOM_/);
    } finally {
      await pool.close();
    }
  });

  it('answers hostile bytes with a typed error and keeps working', async () => {
    const pool = new DecodePool(built.script, { size: 1 });
    try {
      const junk = new Uint8Array(4096).map((_, i) => (i * 7919) & 0xff);
      const e1 = await rejection(pool.decode({ bytes: junk.buffer, frameIndex: 0, output: 'modality' }));
      expect(e1.code).toMatch(/^DICOM_/);
      // A real file with its J2K codestream cut short.
      const j2k = readFileSync(path.join(CORPUS, FILES.jpeg2000));
      const cut = new Uint8Array(j2k.subarray(0, j2k.length - 40_000)).slice().buffer;
      expect((await rejection(pool.decode({ bytes: cut, frameIndex: 0, output: 'modality' }))).code).toMatch(/^DICOM_/);
      const e3 = await rejection(pool.decode({ bytes: bytesOf(path.join(CORPUS, FILES.jpegLs)), frameIndex: 3, output: 'modality' }));
      expect(e3.code).toMatch(/^DICOM_/);
      expect(pool.failedWorkers).toBe(0);
      expect(await pool.decode({ bytes: bytesOf(path.join(CORPUS, FILES.jpegLs)), frameIndex: 0, output: 'modality' })).toEqual(await inProcess(path.join(CORPUS, FILES.jpegLs)));
    } finally {
      await pool.close();
    }
  });

  it('fails only the job of a worker that dies, replaces the worker and goes on', async () => {
    const pool = new DecodePool(built.crashingScript, { size: 1 });
    const file = path.join(CORPUS, FILES.uncompressed);
    try {
      const before = pool.decode({ bytes: bytesOf(file), frameIndex: 0, output: 'modality' });
      const crash = pool.decode({ bytes: bytesOf(file), frameIndex: CRASH_FRAME, output: 'modality' });
      const after = pool.decode({ bytes: bytesOf(file), frameIndex: 0, output: 'modality' });
      const want = await inProcess(file);
      expect(await before).toEqual(want);
      const e = await rejection(crash);
      expect(e.code).toBe('DECODE_WORKER_FAILED');
      expect(await after).toEqual(want);
      expect(pool.failedWorkers).toBe(1);
      expect(pool.workerCount).toBe(1);
    } finally {
      await pool.close();
    }
  });

  it('fails a job whose decoder hangs past the time limit, or whose worker cannot start, with a typed error', async () => {
    const file = path.join(CORPUS, FILES.uncompressed);
    const hanging = new DecodePool(built.hangingScript, { size: 1, jobTimeoutMs: 1500 });
    const missing = new DecodePool(path.join(path.dirname(built.script), 'no-such-worker.cjs'), { size: 1 });
    try {
      expect((await rejection(hanging.decode({ bytes: bytesOf(file), frameIndex: 0, output: 'modality' }))).code).toBe('DECODE_WORKER_FAILED');
      expect(hanging.failedWorkers).toBe(1);
      expect((await rejection(missing.decode({ bytes: bytesOf(file), frameIndex: 0, output: 'modality' }))).code).toBe('DECODE_WORKER_FAILED');
    } finally {
      await hanging.close();
      await missing.close();
    }
  });

  it('abandons a decode that overruns its frame budget (DICOM_DECODE), replaces the thread at once and goes on', async () => {
    const file = path.join(CORPUS, FILES.jpegLs);
    // The job limit is far away: only the frame's budget (2 s for 512 x 512) can end the stuck decode.
    const pool = new DecodePool(built.stuckScript, { size: 1, jobTimeoutMs: 60_000 });
    try {
      const t0 = performance.now();
      const e = await rejection(pool.decode({ bytes: bytesOf(file), frameIndex: STUCK_FRAME, output: 'modality' }));
      const ms = performance.now() - t0;
      console.log(`stuck decode abandoned after ${ms.toFixed(0)} ms: ${e.message}`);
      expect(e.code).toBe('DICOM_DECODE');
      expect(e.message).toMatch(/budget/);
      expect(ms).toBeGreaterThanOrEqual(decodeBudgetMs(512, 512, 1) - 50);
      expect(ms).toBeLessThan(30_000);
      expect(pool.overBudget).toBe(1);
      // Already replaced: the next frame does not wait for a thread to start from scratch.
      expect(pool.workerCount).toBe(1);
      expect(await pool.decode({ bytes: bytesOf(file), frameIndex: 0, output: 'modality' })).toEqual(await inProcess(file));
    } finally {
      await pool.close();
    }
  });

  it('sizes the decode budget from the frame: two seconds at least, 3 µs per sample beyond', () => {
    expect(decodeBudgetMs(512, 512, 1)).toBe(2000);
    expect(decodeBudgetMs(4096, 4096, 1)).toBe(50_332);
    expect(decodeBudgetMs(4096, 4096, 3)).toBe(150_995);
    expect(decodeBudgetMs(0, 0, 0)).toBe(2000);
  });

  it('completes many concurrent requests, and refuses background work beyond its queue bound', async () => {
    const files = Object.values(FILES).map((r) => path.join(CORPUS, r));
    const wants = await Promise.all(files.map((f) => inProcess(f)));
    const pool = new DecodePool(built.script, { size: 2, maxQueue: 200 });
    try {
      const jobs = Array.from({ length: 60 }, (_, i) => pool.decode({ bytes: bytesOf(files[i % 3]!), frameIndex: 0, output: 'modality' }, { priority: i % 2 ? 'background' : 'now' }));
      const results = await Promise.all(jobs);
      expect(results.filter((r, i) => !same(r, wants[i % 3]!))).toHaveLength(0);

      const small = new DecodePool(built.script, { size: 1, maxQueue: 2 });
      const queued = [0, 1, 2].map(() => small.decode({ bytes: bytesOf(files[0]!), frameIndex: 0, output: 'modality' }, { priority: 'background' }));
      const refused = small.decode({ bytes: bytesOf(files[0]!), frameIndex: 0, output: 'modality' }, { priority: 'background' });
      expect((await rejection(refused)).code).toBe('DECODE_BUSY');
      // An urgent job displaces the newest background one instead of being refused.
      const urgent = small.decode({ bytes: bytesOf(files[1]!), frameIndex: 0, output: 'modality' });
      const settled = await Promise.allSettled(queued);
      expect(settled.filter((s) => s.status === 'rejected')).toHaveLength(1);
      expect(same(await urgent, wants[1]!)).toBe(true);
      await small.close();
    } finally {
      await pool.close();
    }
  });

  it('runs urgent work before background work, and a promoted background job with it', async () => {
    const pool = new DecodePool(built.script, { size: 1 });
    const file = path.join(CORPUS, FILES.uncompressed);
    const order: string[] = [];
    const track = (name: string, p: Promise<unknown>) => p.then(() => order.push(name));
    try {
      const jobs = [track('first', pool.decode({ bytes: bytesOf(file), frameIndex: 0, output: 'modality' }))];
      for (const b of ['b1', 'b2', 'b3']) jobs.push(track(b, pool.decode({ bytes: bytesOf(file), frameIndex: 0, output: 'modality' }, { priority: 'background', tag: b })));
      pool.promote('b3');
      jobs.push(track('urgent', pool.decode({ bytes: bytesOf(file), frameIndex: 0, output: 'modality' })));
      await Promise.all(jobs);
      expect(order).toEqual(['first', 'b3', 'urgent', 'b1', 'b2']);
    } finally {
      await pool.close();
    }
  });

  it('rejects queued work when closed, and refuses new work after', async () => {
    const pool = new DecodePool(built.script, { size: 1 });
    const file = path.join(CORPUS, FILES.uncompressed);
    const jobs = Array.from({ length: 5 }, () => pool.decode({ bytes: bytesOf(file), frameIndex: 0, output: 'modality' }));
    const settling = Promise.allSettled(jobs);
    await pool.close();
    const settled = await settling;
    for (const s of settled) if (s.status === 'rejected') expect((s.reason as AppError).code).toBe('CANCELLED');
    expect((await rejection(pool.decode({ bytes: bytesOf(file), frameIndex: 0, output: 'modality' }))).code).toBe('CANCELLED');
    expect(pool.workerCount).toBe(0);
  });
});
