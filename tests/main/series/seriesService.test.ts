// The series service over a real store and the real decode worker pool: 'series:open' answers from the
// store's metadata and one instance's header, slices decode on demand (and neighbours in the background) to
// stored values in their native type, every slice's modality values equal what whole-volume assembly gives,
// and each instance is read from the store once.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeCodecs } from '../../../src-main/services/codecs/nodeCodecs';
import { importPaths } from '../../../src-main/services/import/folderImport';
import { DecodePool } from '../../../src-main/services/series/decodePool';
import type { DecodeOptions, DecodeRequest, FrameDecoder, WireArray } from '../../../src-main/services/series/decodeProtocol';
import { decodeWireFrame } from '../../../src-main/services/series/frameDecoding';
import { modalityValues, wireConstructor } from '../../../src-main/services/series/seriesDisplay';
import { SeriesService } from '../../../src-main/services/series/seriesService';
import { MemoryStudyStore } from '../../../src-main/services/store/memoryStudyStore';
import type { StudyStore } from '../../../src-main/services/store/studyStore';
import { readInstanceMeta } from '../../../src-shared/dicom/instanceMeta';
import { parseDicom } from '../../../src-shared/dicom/parse';
import type { Volume } from '../../../src-shared/dicom/types';
import type { SeriesView } from '../../../src-shared/ipc/contract';
import { robustWindow } from '../../../src-shared/dicom/pixels/defaultWindow';
import { assembleVolumeAsync } from '../../../src-shared/dicom/volume/assembleVolume';
import { frameRefsOf, type FrameRef } from '../../../src-shared/dicom/volume/frameGeometry';
import { computeSeriesGeometry } from '../../../src-shared/dicom/volume/seriesGeometry';
import { AppError } from '../../../src-shared/errors';
import { codeOfAsync } from '../../tools/errorCode';
import { buildDecodeWorker, CORPUS, PHANTOMS, type BuiltWorker } from './fixtures/decodeWorkerBuild';

/** Counts decodes on their way to the real pool. */
class CountingDecoder implements FrameDecoder {
  calls = 0;
  background = 0;
  busy = 0;
  constructor(private readonly inner: FrameDecoder) {}
  decode(request: DecodeRequest, options?: DecodeOptions): Promise<WireArray> {
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
    studyOfSeries: (s) => inner.studyOfSeries(s),
    listAnnotations: (s) => inner.listAnnotations(s),
    saveAnnotations: (s, a) => inner.saveAnnotations(s, a),
    searchStudies: (q) => inner.searchStudies(q),
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
    return decodeWireFrame({ bytes: bytes[Number(f.key)]!.slice().buffer, frameIndex: f.frameIndex, output: 'modality' }, codecs, null) as Promise<Float32Array>;
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

/** A served slice as the typed array its pixel type names. */
function wire(view: SeriesView, buffer: ArrayBuffer): WireArray {
  return new (wireConstructor(view.display.pixelType))(buffer);
}

/** A served slice's modality values (what the renderer computes with the modality LUT). */
function modality(view: SeriesView, buffer: ArrayBuffer): Float32Array {
  return modalityValues(wire(view, buffer), view.display.modalityLut);
}

async function allSlices(service: SeriesService, view: SeriesView): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let k = 0; k < view.dimensions[2]; k++) out.push(modality(view, await service.slice(view.seriesId, k)));
  return out;
}


/** The file in `dir` holding this SOP Instance UID. */
function fileWithUid(dir: string, uid: string): string {
  const f = filesIn(dir).find((p) => readInstanceMeta(parseDicom(new Uint8Array(readFileSync(p)), { untilPixelData: true })).sopInstanceUid === uid);
  if (!f) throw new Error(`no file with ${uid}`);
  return f;
}

/** pydicom's stored values of frame 0 (its pixel_array, little-endian, native type): an independent decoder. */
function pydicomStored(file: string): Buffer {
  const script = "import sys, pydicom; a = pydicom.dcmread(sys.argv[1]).pixel_array; sys.stdout.buffer.write(a.astype(a.dtype.newbyteorder('<')).tobytes())";
  const r = spawnSync('/usr/bin/python3', ['-c', script, file], { maxBuffer: 1 << 28 });
  if (r.error || r.status !== 0) throw new Error(`this test needs pydicom (Debian python3-pydicom): ${r.error?.message ?? r.stderr.toString()}`);
  return r.stdout;
}

const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

describe('series service', () => {
  it('opens ct-axial from the store metadata and one header, then serves slice 45 as pydicom\'s stored Uint16 values (HU = stored - 1024)', async () => {
    const dir = path.join(PHANTOMS, 'ct-axial');
    const { service, decoder, reads, seriesId } = await setUp(dir);
    const view = await service.openSeries(seriesId);
    // One instance read (the middle slice's: its header, then its decode, started at open for the first fetch).
    expect(sum(reads)).toBe(1);
    expect(decoder.calls).toBe(1);
    expect(view).toMatchObject({
      kind: 'volume', dimensions: [256, 256, 80], spacing: [0.75, 0.75, 2], origin: [-95.625, -95.625, -79], units: 'HU', cine: null, warnings: [],
      pixelPath: `pixels/${seriesId}`, modality: 'CT',
    });
    expect(view.studyId).toMatch(/.+/);
    expect(view.display).toMatchObject({
      pixelType: 'uint16', components: 1, photometric: 'MONOCHROME2', modalityLut: { kind: 'linear', slope: 1, intercept: -1024 },
      inverted: false, voiLuts: [], defaultWindow: { center: 40, width: 400, function: 'LINEAR' },
    });
    expect(view.display.windows[0]).toMatchObject({ center: 40, width: 400 });
    // 12 bits stored, intercept -1024, window 400 wide: the drag range is what the stored bits can hold.
    expect(view.display.valueRange).toEqual([-1024, 3071]);
    expect(view.calibration).toEqual({ unit: 'mm', spacing: [0.75, 0.75], regions: [] });
    expect(view.frames.map((f) => f.instanceNumber).indexOf(46)).toBe(45);
    expect(view.frames[45]).toMatchObject({ frameIndex: 0, patientOrientation: null });
    expect(await service.openSeries(seriesId)).toBe(view);

    const raw = await service.slice(seriesId, 45);
    expect(raw.byteLength).toBe(256 * 256 * 2);
    expect(Buffer.from(raw).equals(pydicomStored(fileWithUid(dir, view.frames[45]!.sopInstanceUid)))).toBe(true);
    const stored = new Uint16Array(raw);
    const hu = (x: number, y: number) => stored[Math.round((y + 95.625) / 0.75) * 256 + Math.round((x + 95.625) / 0.75)]! - 1024;
    expect(hu(20, -20)).toBe(200);
    expect(hu(0, 45)).toBe(700);
    expect(hu(-40, -10)).toBe(-800);
    expect(decoder.calls - decoder.background).toBe(2);

    // Neighbours 41..49 are decoded in the background; asking for them costs no further decode.
    await until(() => decoder.background === 8);
    for (const k of [41, 42, 43, 44, 46, 47, 48, 49]) await service.slice(seriesId, k);
    expect(decoder.calls - decoder.background).toBe(2);
    const ref = await referenceVolume(dir);
    const slices = await allSlices(service, view);
    expect(slices.filter((s, k) => !same(s, sliceOf(ref, k))).length).toBe(0);
    // Every instance read once for this open, the header's included, except the slices served twice (41..49):
    // uncompressed slices leave main's cache once served (the renderer holds the volume), so a second ask reads
    // and decodes again instead of main keeping a second copy of the volume.
    const twice = new Set([41, 42, 43, 44, 45, 46, 47, 48, 49].map((k) => view.frames[k]!.instanceId));
    expect([...reads.entries()].filter(([id, n]) => n !== (twice.has(id) ? 2 : 1))).toEqual([]);
    expect(reads.size).toBe(80);
    const decoded = decoder.calls;
    expect(decoded).toBe(80 + 9);
    await service.slice(seriesId, 10);
    expect(decoder.calls).toBe(decoded + 1);
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
        for (let k = queue.shift(); k !== undefined; k = queue.shift()) got.set(k, modality(view, await service.slice(series!.seriesId, k)));
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
    const { service, reads, seriesId } = await setUp(dir);
    const view = await service.openSeries(seriesId);
    expect(sum(reads)).toBe(1);
    expect(view.warnings.map((w) => w.code)).not.toContain('RESAMPLED');
    expect(view.direction[4]).toBeCloseTo(Math.cos((20 * Math.PI) / 180), 6);
    const ref = await referenceVolume(dir);
    expect(view.dimensions).toEqual(ref.dimensions);
    const slices = await allSlices(service, view);
    expect(slices.filter((s, k) => !same(s, sliceOf(ref, k))).length).toBe(0);
  });

  it('resamples an irregular stack (a missing slice) in the pool at open and serves the volume\'s own values', async () => {
    const dir = path.join(CORPUS, 'icometrix-dicom2nifti/failing/sliceincrement/001');
    const { service, decoder, seriesId } = await setUp(dir);
    const view = await service.openSeries(seriesId);
    expect(view.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(['MISSING_SLICES', 'RESAMPLED']));
    expect(view.dimensions).toEqual([512, 512, 5]);
    expect(decoder.calls).toBe(4);
    const ref = await referenceVolume(dir);
    expect(view.display.pixelType).toBe(ref.scalars instanceof Int16Array ? 'int16' : 'float32');
    expect(view.display.modalityLut).toEqual({ kind: 'linear', slope: 1, intercept: 0 });
    const slices = await allSlices(service, view);
    expect(slices.filter((s, k) => !same(s, sliceOf(ref, k))).length).toBe(0);
    expect(decoder.calls).toBe(4);
    expect(view.display.valueRange[0]).toBeLessThan(view.display.valueRange[1]);
  });

  it('reads an enhanced multi-frame instance once and decodes its frames one by one, as a volume in position order', async () => {
    const dir = path.join(CORPUS, 'dcm_qa_enh/In/Siemens/XA10');
    const { service, decoder, reads, seriesId, instances } = await setUp(dir);
    expect(instances.every((i) => i.meta.numberOfFrames > 1)).toBe(true);
    const view = await service.openSeries(seriesId);
    expect(view.kind).toBe('volume');
    const slices = await allSlices(service, view);
    const mine = filesIn(dir).filter((f) => readInstanceMeta(parseDicom(new Uint8Array(readFileSync(f)))).seriesInstanceUid === instances[0]!.meta.seriesInstanceUid);
    const ref = await referenceVolume(mine);
    expect(view.dimensions).toEqual(ref.dimensions);
    expect(slices.filter((s, k) => !same(s, sliceOf(ref, k))).length).toBe(0);
    expect(slices.some((s) => s.some((v) => v > 0))).toBe(true);
    expect(decoder.calls).toBe(view.dimensions[2]);
    expect(reads.size).toBe(instances.length);
    expect([...reads.values()].every((n) => n === 1)).toBe(true);
  });

  it('opens the NEMA enhanced CT (per-frame positions in functional groups) as a two-slice volume', async () => {
    const { service, seriesId } = await setUp(path.join(CORPUS, 'pydicom-data/eCT_Supplemental.dcm'));
    const view = await service.openSeries(seriesId);
    expect(view).toMatchObject({ kind: 'volume', dimensions: [512, 512, 2], warnings: [] });
    expect(view.frames.map((f) => f.frameIndex).sort()).toEqual([0, 1]);
    expect(view.spacing[2]).toBeCloseTo(10, 3);
    expect(new Uint8Array(await service.slices(seriesId, 0, 1)).length).toBe(2 * 512 * 512 * 2);
  });

  it('computes the default window from robust percentiles of the middle slice when the header has none', async () => {
    const dir = path.join(CORPUS, 'icometrix-dicom2nifti/generic/anatomical/001');
    const { service, decoder, seriesId } = await setUp(dir);
    const view = await service.openSeries(seriesId);
    expect(decoder.calls).toBe(1);
    expect(view.display.windows).toEqual([]);
    const mid = modality(view, await service.slice(seriesId, Math.floor(view.dimensions[2] / 2)));
    expect(decoder.calls - decoder.background).toBe(1);
    const r = robustWindow(mid)!;
    expect(view.display.valueRange).toEqual([r.min, r.max]);
    expect(view.display.defaultWindow).toEqual({ center: r.center, width: r.width, function: 'LINEAR', explanation: 'Default' });
    // Percentiles, not the extremes: narrower than min..max.
    expect(r.width).toBeLessThan(r.max - r.min);
  });

  it('serves runs of slices a..b concatenated and refuses bad ranges or closed series with typed errors', async () => {
    const { service, seriesId } = await setUp(path.join(CORPUS, 'icometrix-dicom2nifti/generic/compressed_jpegls/001'));
    expect(await codeOfAsync(service.slice(seriesId, 0))).toBe('NOT_FOUND');
    const view = await service.openSeries(seriesId);
    const one = await Promise.all([0, 1, 2, 3].map((k) => service.slice(seriesId, k)));
    const run = await service.slices(seriesId, 1, 3);
    expect(Buffer.from(run).equals(Buffer.concat(one.slice(1).map((b) => Buffer.from(b))))).toBe(true);
    expect(run.byteLength).toBe(3 * 256 * 256 * wireConstructor(view.display.pixelType).BYTES_PER_ELEMENT);
    expect(await codeOfAsync(service.slices(seriesId, 2, 1))).toBe('INVALID_REQUEST');
    expect(await codeOfAsync(service.slices(seriesId, 0, 4))).toBe('NOT_FOUND');
    expect(await codeOfAsync(service.slice(seriesId, 4))).toBe('NOT_FOUND');
    expect(await codeOfAsync(service.slice(seriesId, -1))).toBe('NOT_FOUND');
    expect(await codeOfAsync(service.slice(seriesId, 3))).toBe('no error');
    service.closeAll();
    expect(await codeOfAsync(service.slice(seriesId, 3))).toBe('NOT_FOUND');
    // Closed while opening (a quick view ended): the open answers but nothing is kept.
    const opening = service.openSeries(seriesId);
    service.closeAll();
    expect((await opening).dimensions).toEqual([256, 256, 4]);
    expect(await codeOfAsync(service.slice(seriesId, 0))).toBe('NOT_FOUND');
    await service.openSeries(seriesId);
    expect(await codeOfAsync(service.slice(seriesId, 0))).toBe('no error');
    expect(await codeOfAsync(service.openSeries('no-such-series'))).toBe('NOT_FOUND');
  });
});
