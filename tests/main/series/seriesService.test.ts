// The series service over a real store and the real decode worker pool: 'series:open' answers from
// headers alone, slices decode on demand (and neighbours in the background), every slice equals what
// whole-volume assembly (the previous implementation) gives, and each instance is read from the store once.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeCodecs } from '../../../src-main/services/codecs/nodeCodecs';
import { importPaths } from '../../../src-main/services/import/folderImport';
import { DecodePool } from '../../../src-main/services/series/decodePool';
import type { DecodeOptions, DecodeRequest, FrameDecoder } from '../../../src-main/services/series/decodeProtocol';
import { decodeModalityFrame } from '../../../src-main/services/series/frameDecoding';
import { SeriesService } from '../../../src-main/services/series/seriesService';
import { MemoryStudyStore } from '../../../src-main/services/store/memoryStudyStore';
import type { StudyStore } from '../../../src-main/services/store/studyStore';
import { readInstanceMeta } from '../../../src-shared/dicom/instanceMeta';
import { parseDicom } from '../../../src-shared/dicom/parse';
import type { Volume } from '../../../src-shared/dicom/types';
import { assembleVolumeAsync } from '../../../src-shared/dicom/volume/assembleVolume';
import { frameRefsOf, type FrameRef } from '../../../src-shared/dicom/volume/frameGeometry';
import { computeSeriesGeometry } from '../../../src-shared/dicom/volume/seriesGeometry';
import { AppError } from '../../../src-shared/errors';
import { buildDecodeWorker, CORPUS, PHANTOMS, type BuiltWorker } from './fixtures/decodeWorkerBuild';

/** Counts decodes on their way to the real pool. */
class CountingDecoder implements FrameDecoder {
  calls = 0;
  background = 0;
  busy = 0;
  constructor(private readonly inner: FrameDecoder) {}
  decode(request: DecodeRequest, options?: DecodeOptions): Promise<Float32Array> {
    this.calls++;
    if (options?.priority === 'background') this.background++;
    return this.inner.decode(request, options).catch((e: unknown) => {
      if (e instanceof AppError && e.code === 'DECODE_BUSY') this.busy++;
      throw e;
    });
  }
  warm(options?: { codecs?: boolean }): void {
    this.inner.warm?.(options);
  }
  promote(tag: string): void {
    this.inner.promote(tag);
  }
  forget(keys: string[]): void {
    this.inner.forget(keys);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** The store as the service sees it, counting reads of each instance's bytes. */
function countingStore(inner: StudyStore): { store: StudyStore; reads: Map<string, number> } {
  const reads = new Map<string, number>();
  const store: StudyStore = {
    addInstance: (m, b, h) => inner.addInstance(m, b, h),
    listStudies: () => inner.listStudies(),
    listSeries: (s) => inner.listSeries(s),
    listInstances: (s) => inner.listInstances(s),
    readInstanceBytes: (id) => {
      reads.set(id, (reads.get(id) ?? 0) + 1);
      return inner.readInstanceBytes(id);
    },
    purgeStudy: (s) => inner.purgeStudy(s),
    purgeAll: () => inner.purgeAll(),
    close: () => inner.close(),
  };
  return { store, reads };
}

function filesIn(dir: string): string[] {
  return readdirSync(dir).map((f) => path.join(dir, f)).filter((f) => statSync(f).isFile() && !f.endsWith('DICOMDIR'));
}

/** The previous implementation: decode every frame on this thread, then assemble the whole volume. */
async function referenceVolume(dirOrFiles: string | string[]): Promise<Volume> {
  const codecs = await createNodeCodecs();
  const bytes = (typeof dirOrFiles === 'string' ? filesIn(dirOrFiles) : dirOrFiles).map((f) => new Uint8Array(readFileSync(f)));
  const frames: FrameRef[] = [];
  bytes.forEach((b, i) => {
    const file = parseDicom(b);
    frames.push(...frameRefsOf(String(i), file, readInstanceMeta(file)));
  });
  const geometry = computeSeriesGeometry(frames);
  const first = readInstanceMeta(parseDicom(bytes[0]!));
  const units = first.modality === 'CT' ? 'HU' : first.rescaleType || '';
  return assembleVolumeAsync(geometry, frames, (i) => {
    const f = frames[i]!;
    return decodeModalityFrame({ bytes: bytes[Number(f.key)]!.slice().buffer, frameIndex: f.frameIndex }, codecs, null);
  }, units);
}

function sliceOf(v: Volume, k: number): Float32Array {
  const n = v.dimensions[0] * v.dimensions[1];
  return Float32Array.from(v.scalars.subarray(k * n, (k + 1) * n));
}

function same(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 20));
}

let built: BuiltWorker;
let pool: DecodePool;
beforeAll(async () => {
  built = await buildDecodeWorker();
  pool = new DecodePool(built.script);
});
afterAll(async () => {
  await pool?.close();
  built?.cleanup();
});

async function setUp(dir: string) {
  const memory = new MemoryStudyStore();
  const report = await importPaths(memory, [dir]);
  expect(report.added).toBeGreaterThan(0);
  const { store, reads } = countingStore(memory);
  const decoder = new CountingDecoder(pool);
  const service = new SeriesService(() => store, await createNodeCodecs(), { decoder });
  const [study] = await memory.listStudies();
  const [series] = await memory.listSeries(study!.studyId);
  return { service, decoder, reads, seriesId: series!.seriesId, instances: await memory.listInstances(series!.seriesId) };
}

async function allSlices(service: SeriesService, seriesId: string, n: number): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let k = 0; k < n; k++) out.push(new Float32Array(await service.slice(seriesId, k)));
  return out;
}

describe('series service', () => {
  it('opens ct-axial from headers alone, then serves slice 45 in HU and prefetches its neighbours', async () => {
    const dir = path.join(PHANTOMS, 'ct-axial');
    const { service, decoder, reads, seriesId, instances } = await setUp(dir);
    const view = await service.openSeries(seriesId);
    expect(decoder.calls).toBe(0);
    expect(view).toMatchObject({ dimensions: [256, 256, 80], spacing: [0.75, 0.75, 2], origin: [-95.625, -95.625, -79], units: 'HU', defaultWindow: { center: 40, width: 400 } });
    expect(view.instanceNumbers.indexOf(46)).toBe(45);
    // 12 bits stored, intercept -1024, window 400 wide: the drag range is what the stored bits can hold.
    expect(view.valueRange).toEqual([-1024, 3071]);
    expect(await service.openSeries(seriesId)).toBe(view);

    const hu = new Float32Array(await service.slice(seriesId, 45));
    expect(decoder.calls - decoder.background).toBe(1);
    const at = (x: number, y: number) => hu[Math.round((y + 95.625) / 0.75) * 256 + Math.round((x + 95.625) / 0.75)];
    expect(at(20, -20)).toBe(200);
    expect(at(0, 45)).toBe(700);
    expect(at(-40, -10)).toBe(-800);

    // Neighbours 41..49 are decoded in the background; asking for them costs no further decode.
    await until(() => decoder.background === 8);
    for (const k of [41, 42, 43, 44, 46, 47, 48, 49]) await service.slice(seriesId, k);
    expect(decoder.calls - decoder.background).toBe(1);
    const ref = await referenceVolume(dir);
    const slices = await allSlices(service, seriesId, 80);
    expect(slices.filter((s, k) => !same(s, sliceOf(ref, k))).length).toBe(0);
    // Read once per instance for this open, although headers were parsed at open and pixels later.
    expect(reads.size).toBe(instances.length);
    expect([...reads.values()].every((n) => n === 1)).toBe(true);
    // Every slice decoded once: served from the cache the second time.
    const decoded = decoder.calls;
    await service.slice(seriesId, 10);
    expect(decoder.calls).toBe(decoded);
    expect(decoded).toBe(80);
  });

  it('serves every slice to a renderer fetching 4 at a time even when the pool refuses prefetches, reading each instance once', async () => {
    const dir = path.join(PHANTOMS, 'ct-axial');
    const memory = new MemoryStudyStore();
    await importPaths(memory, [dir]);
    const { store, reads } = countingStore(memory);
    const tight = new DecodePool(built.script, { size: 1, maxQueue: 3 });
    const counting = new CountingDecoder(tight);
    const service = new SeriesService(() => store, await createNodeCodecs(), { decoder: counting });
    try {
      const [study] = await memory.listStudies();
      const [series] = await memory.listSeries(study!.studyId);
      const view = await service.openSeries(series!.seriesId);
      const n = view.dimensions[2];
      const queue = Array.from({ length: n }, (_, i) => (40 + (i % 2 ? -1 : 1) * Math.ceil(i / 2) + n) % n);
      const got = new Map<number, Float32Array>();
      await Promise.all([0, 1, 2, 3].map(async () => {
        for (let k = queue.shift(); k !== undefined; k = queue.shift()) got.set(k, new Float32Array(await service.slice(series!.seriesId, k)));
      }));
      const ref = await referenceVolume(dir);
      expect(got.size).toBe(n);
      expect([...got].filter(([k, s]) => !same(s, sliceOf(ref, k))).length).toBe(0);
      expect(counting.busy).toBeGreaterThan(0);
      expect([...reads.values()].every((c) => c === 1)).toBe(true);
    } finally {
      await service.close();
      await tight.close();
    }
  });

  it('serves ct-oblique slice by slice along its tilted normal, equal to the assembled volume', async () => {
    const dir = path.join(PHANTOMS, 'ct-oblique');
    const { service, decoder, seriesId } = await setUp(dir);
    const view = await service.openSeries(seriesId);
    expect(decoder.calls).toBe(0);
    expect(view.warnings.map((w) => w.code)).not.toContain('RESAMPLED');
    expect(view.direction[4]).toBeCloseTo(Math.cos((20 * Math.PI) / 180), 6);
    const ref = await referenceVolume(dir);
    expect(view.dimensions).toEqual(ref.dimensions);
    const slices = await allSlices(service, seriesId, view.dimensions[2]);
    expect(slices.filter((s, k) => !same(s, sliceOf(ref, k))).length).toBe(0);
  });

  it('resamples an irregular stack (a missing slice) in the pool at open, as whole-volume assembly did', async () => {
    const dir = path.join(CORPUS, 'icometrix-dicom2nifti/failing/sliceincrement/001');
    const { service, decoder, seriesId } = await setUp(dir);
    const view = await service.openSeries(seriesId);
    expect(view.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(['MISSING_SLICES', 'RESAMPLED']));
    expect(view.dimensions).toEqual([512, 512, 5]);
    expect(decoder.calls).toBe(4);
    const ref = await referenceVolume(dir);
    const slices = await allSlices(service, seriesId, 5);
    expect(slices.filter((s, k) => !same(s, sliceOf(ref, k))).length).toBe(0);
    expect(decoder.calls).toBe(4);
    expect(view.valueRange[0]).toBeLessThan(view.valueRange[1]);
  });

  it('reads a multi-frame instance once and decodes its frames one by one', async () => {
    const dir = path.join(CORPUS, 'dcm_qa_enh/In/Siemens/XA10');
    const { service, decoder, reads, seriesId, instances } = await setUp(dir);
    expect(instances.every((i) => i.meta.numberOfFrames > 1)).toBe(true);
    const view = await service.openSeries(seriesId);
    const slices = await allSlices(service, seriesId, view.dimensions[2]);
    const mine = filesIn(dir).filter((f) => readInstanceMeta(parseDicom(new Uint8Array(readFileSync(f)))).seriesInstanceUid === instances[0]!.meta.seriesInstanceUid);
    const ref = await referenceVolume(mine);
    expect(view.dimensions).toEqual(ref.dimensions);
    expect(slices.filter((s, k) => !same(s, sliceOf(ref, k))).length).toBe(0);
    expect(slices.some((s) => s.some((v) => v > 0))).toBe(true);
    expect(decoder.calls).toBe(view.dimensions[2]);
    expect(reads.size).toBe(instances.length);
    expect([...reads.values()].every((n) => n === 1)).toBe(true);
  });

  it('measures the window from the middle slice when the header has none', async () => {
    const dir = path.join(CORPUS, 'icometrix-dicom2nifti/generic/anatomical/001');
    const { service, decoder, seriesId } = await setUp(dir);
    const view = await service.openSeries(seriesId);
    expect(decoder.calls).toBe(1);
    const mid = new Float32Array(await service.slice(seriesId, Math.floor(view.dimensions[2] / 2)));
    expect(decoder.calls - decoder.background).toBe(1);
    let min = Infinity;
    let max = -Infinity;
    for (const v of mid) [min, max] = [Math.min(min, v), Math.max(max, v)];
    expect(view.valueRange).toEqual([min, max]);
    expect(view.defaultWindow).toEqual({ center: (min + max) / 2, width: max - min });
  });

  it('refuses slices of a series that is not open or out of range, with typed errors', async () => {
    const { service, seriesId } = await setUp(path.join(CORPUS, 'icometrix-dicom2nifti/generic/compressed_jpegls/001'));
    const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof AppError ? e.code : 'untyped'));
    expect(await code(service.slice(seriesId, 0))).toBe('NOT_FOUND');
    await service.openSeries(seriesId);
    expect(await code(service.slice(seriesId, 4))).toBe('NOT_FOUND');
    expect(await code(service.slice(seriesId, 3))).toBe('ok');
    service.closeAll();
    expect(await code(service.slice(seriesId, 3))).toBe('NOT_FOUND');
    // Closed while opening (a quick view ended): the open answers but nothing is kept.
    const opening = service.openSeries(seriesId);
    service.closeAll();
    expect((await opening).dimensions).toEqual([256, 256, 4]);
    expect(await code(service.slice(seriesId, 0))).toBe('NOT_FOUND');
    await service.openSeries(seriesId);
    expect(await code(service.slice(seriesId, 0))).toBe('ok');
    expect(await code(service.openSeries('no-such-series'))).toBe('NOT_FOUND');
  });
});
