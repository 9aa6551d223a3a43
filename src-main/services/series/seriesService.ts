// Opens a stored series and serves its slices to the renderer over app://enclave/pixels/<seriesId>/<k>
// (or /<a>-<b> for a run of slices). Opening answers from the store's metadata: single-frame instances
// are placed from their InstanceMeta without reading their bytes; only multi-frame instances (whose
// frames live in functional groups) and ONE instance, the middle slice's, are read. That read gives the
// display header (LUTs, windows, calibration, cine) and is the first decode, started at open so the
// renderer's first fetch finds it in the cache. Slices go out as stored values in their native type
// (or float32 modality values, or rgb8), decoded in the worker pool on demand, cached (LRU by bytes),
// neighbours prefetched. A stack that needs resampling is still assembled at open.
import { parseDicom, type DicomFile } from '../../../src-shared/dicom/parse';
import type { CodecRegistry } from '../../../src-shared/dicom/codecs/codecTypes';
import { readDisplayHeader, readPatientOrientation, type DisplayHeader } from '../../../src-shared/dicom/pixels/displayHeader';
import { isBigEndian } from '../../../src-shared/dicom/pixels/elementValues';
import { readModalityTransform } from '../../../src-shared/dicom/pixels/modalityLut';
import { frameRefFromMeta, frameRefsOf, type FrameRef } from '../../../src-shared/dicom/volume/frameGeometry';
import { assembleVolumeAsync } from '../../../src-shared/dicom/volume/assembleVolume';
import type { InstanceMeta, Volume } from '../../../src-shared/dicom/types';
import type { DisplayInfo, FrameView, SeriesView } from '../../../src-shared/ipc/contract';
import { calibrationOf } from '../../../src-shared/measure/calibration';
import { MAX_FRAMES } from '../../../src-shared/dicom/pixels/pixelDescription';
import { AppError } from '../../../src-shared/errors';
import type { PixelSource } from '../protocol/appProtocol';
import type { StoredInstance, StudyStore } from '../store/studyStore';
import { DecodePool } from './decodePool';
import type { DecodePriority, FrameDecoder, FrameOutput, WireArray } from './decodeProtocol';
import { InProcessDecoder, needsCodecs } from './frameDecoding';
import {
  greyDisplay, IDENTITY_LUT, measure, modalityValues, nominalRange, paddingInModality, planPixels, rgbDisplay, wireConstructor, type PixelPlan,
} from './seriesDisplay';
import { checkServable, IMAGE_MODALITIES, layoutSeries, type SeriesLayout } from './seriesLayout';
import { SliceCache } from './sliceCache';

export interface SeriesServiceOptions {
  /** The decode worker bundle (dist/main/decodeWorker.cjs); without it frames decode on the calling thread. */
  workerScript?: string;
  /** A decoder to use instead (the service does not close it). */
  decoder?: FrameDecoder;
  /** Decoded slices kept, across open series (default 512 MiB). */
  sliceCacheBytes?: number;
  /** Instance bytes kept per open series between reading and decoding (default 256 MiB). */
  heldBytes?: number;
  /** Neighbours prefetched on each side of a served slice (default 4). */
  prefetch?: number;
}

type Bytes = ArrayBuffer | SharedArrayBuffer;

interface OpenSeries {
  seq: number;
  seriesId: string;
  store: StudyStore;
  instances: StoredInstance[];
  frames: FrameRef[];
  /** Slice k is frames[order[k]]. */
  order: number[];
  layout: SeriesLayout;
  view: SeriesView;
  output: FrameOutput;
  /**
   * Keep slices in the cache after serving them: only for compressed data, which is costly to decode again.
   * Uncompressed slices leave main once the renderer has them (it holds the series' volume), so main does not
   * hold a second copy of every volume open on screen.
   */
  keepServed: boolean;
  /** 1 for slices already served (not prefetched again when they have left the cache). */
  served: Uint8Array;
  /** Values per slice on the wire (components included) and their array type. */
  sliceLength: number;
  wire: ReturnType<typeof wireConstructor>;
  /** Only for stacks that needed resampling. */
  volume: Volume | null;
  /** Bytes read, waiting for their decode. Single-frame ones are handed to the decoder; multi-frame ones stay while open. */
  held: Map<number, Bytes>;
  heldBytes: number;
  /** Slice k -> its decode in progress, with the priority it will be queued at. */
  decoding: Map<number, { promise: Promise<WireArray>; priority: DecodePriority }>;
  closed: boolean;
}

/** How many opened series stay ready at once. */
const OPEN_SERIES = 2;
const MiB = 2 ** 20;
/** Instances read concurrently while opening (the store decrypts and hashes each). */
const READ_CONCURRENCY = 4;
/** Frames decoding ahead of the volume assembly (resampled stacks). */
const ASSEMBLY_LOOKAHEAD = 4;
/** A range request: at most this many slices and bytes (a single slice may be bigger). */
export const MAX_RANGE_SLICES = 64;
export const MAX_RANGE_BYTES = 64 * MiB;

const isMultiFrame = (meta: InstanceMeta): boolean => Number.isInteger(meta.numberOfFrames) && meta.numberOfFrames > 1;

/** A private copy: the store may hand out memory it keeps (the memory store does), and transfer would detach it. */
function ownedCopy(bytes: Uint8Array, shared: boolean): Bytes {
  const out = shared ? new SharedArrayBuffer(bytes.byteLength) : new ArrayBuffer(bytes.byteLength);
  new Uint8Array(out).set(bytes);
  return out;
}

async function forEachLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/** Frames of a 2D instance from its metadata: no position (no slice arithmetic), frame order. */
function framesFromMeta(key: string, meta: InstanceMeta): FrameRef[] {
  const one = { ...frameRefFromMeta(key, meta), position: null };
  const n = Math.min(isMultiFrame(meta) ? meta.numberOfFrames : 1, MAX_FRAMES);
  return Array.from({ length: n }, (_, f) => ({ ...one, frameIndex: f }));
}

/** Instance number order (missing numbers last), the store's order among equals. */
function byInstanceNumber(list: StoredInstance[]): StoredInstance[] {
  const rank = (s: StoredInstance) => s.meta.instanceNumber ?? Number.POSITIVE_INFINITY;
  return list.map((s, i) => ({ s, i })).sort((a, b) => rank(a.s) - rank(b.s) || a.i - b.i).map((x) => x.s);
}

export class SeriesService implements PixelSource {
  private readonly open = new Map<string, OpenSeries>();
  private readonly opening = new Map<string, Promise<OpenSeries>>();
  private readonly cache: SliceCache<WireArray>;
  private readonly decoder: FrameDecoder;
  private readonly ownsDecoder: boolean;
  private readonly heldBudget: number;
  private readonly prefetch: number;
  private seq = 0;
  /** Bumped by closeAll: a load that started before does not register its series. */
  private generation = 0;

  /** `storeFor` picks the store an id belongs to (the encrypted cache or a quick view). */
  constructor(private readonly storeFor: (id: string) => StudyStore, codecs: CodecRegistry, options: SeriesServiceOptions = {}) {
    this.ownsDecoder = options.decoder === undefined;
    this.decoder = options.decoder ?? (options.workerScript ? new DecodePool(options.workerScript) : new InProcessDecoder(codecs));
    this.cache = new SliceCache<WireArray>(options.sliceCacheBytes ?? 512 * MiB);
    this.heldBudget = options.heldBytes ?? 256 * MiB;
    this.prefetch = Math.max(0, options.prefetch ?? 4);
  }

  /** Opens (or returns the open) series; each call is one access, audited once. */
  async openSeries(seriesId: string): Promise<SeriesView> {
    let entry = this.open.get(seriesId);
    if (entry) {
      this.open.delete(seriesId);
      this.open.set(seriesId, entry);
    } else {
      let loading = this.opening.get(seriesId);
      if (!loading) {
        const mine: Promise<OpenSeries> = this.load(seriesId).finally(() => {
          if (this.opening.get(seriesId) === mine) this.opening.delete(seriesId);
        });
        loading = mine;
        this.opening.set(seriesId, loading);
      }
      entry = await loading;
    }
    entry.store.markSeriesAccessed?.(seriesId);
    return entry.view;
  }

  /** Slice `index` of an opened series, as `display.pixelType` values. */
  slice(seriesId: string, index: number): Promise<ArrayBuffer> {
    return this.slices(seriesId, index, index);
  }

  /** Slices first..last (inclusive) concatenated: at most MAX_RANGE_SLICES of them and MAX_RANGE_BYTES in all. */
  async slices(seriesId: string, first: number, last: number): Promise<ArrayBuffer> {
    const entry = this.open.get(seriesId);
    if (!entry) throw new AppError('NOT_FOUND', 'Series is not open.');
    const count = entry.view.dimensions[2];
    if (!Number.isInteger(first) || !Number.isInteger(last) || first > last) throw new AppError('INVALID_REQUEST', 'Invalid slice range.');
    if (first < 0 || last >= count) throw new AppError('NOT_FOUND', 'Slice out of range.');
    const n = last - first + 1;
    const sliceBytes = entry.sliceLength * entry.wire.BYTES_PER_ELEMENT;
    if (n > 1 && (n > MAX_RANGE_SLICES || n * sliceBytes > MAX_RANGE_BYTES)) {
      throw new AppError('INVALID_REQUEST', `Ask for at most ${MAX_RANGE_SLICES} slices and ${MAX_RANGE_BYTES / MiB} MiB at a time.`);
    }
    const out = new Uint8Array(n * sliceBytes);
    if (entry.volume) {
      const s = entry.volume.scalars;
      out.set(new Uint8Array(s.buffer, s.byteOffset + first * sliceBytes, n * sliceBytes));
      return out.buffer;
    }
    const parts = await Promise.all(Array.from({ length: n }, (_, i) => this.sliceValues(entry, first + i, 'now')));
    parts.forEach((p, i) => out.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), i * sliceBytes));
    entry.served.fill(1, first, last + 1);
    if (!entry.keepServed) for (let k = first; k <= last; k++) this.cache.delete(`${entry.seq}/${k}`);
    this.prefetchAround(entry, first, last);
    return out.buffer;
  }

  /** Forgets every open series (their decoded slices and held bytes). */
  closeAll(): void {
    this.generation++;
    this.opening.clear();
    for (const entry of this.open.values()) this.release(entry);
    this.open.clear();
  }

  /** closeAll, then stops the decode workers (app quit). */
  async close(): Promise<void> {
    this.closeAll();
    if (this.ownsDecoder) await this.decoder.close();
  }

  private async load(seriesId: string): Promise<OpenSeries> {
    const generation = this.generation;
    const store = this.storeFor(seriesId);
    const instances = byInstanceNumber(await store.listInstances(seriesId));
    if (instances.length === 0) throw new AppError('NOT_FOUND', 'Series not found.');
    const studyId = (await store.studyOfSeries(seriesId)) ?? '';
    const first = instances[0]!.meta;
    const modality = first.modality.toUpperCase();
    this.decoder.warm?.({ codecs: needsCodecs(first.transferSyntaxUid) });
    const seq = ++this.seq;
    const held = new Map<number, Bytes>();
    let heldBytes = 0;
    const hold = (i: number, bytes: Bytes): void => {
      if (held.has(i) || heldBytes + bytes.byteLength > this.heldBudget) return;
      held.set(i, bytes);
      heldBytes += bytes.byteLength;
    };
    const forgetKeys = () => instances.map((_, i) => `${seq}:${i}`);

    // Cross-sectional multi-frame instances (and single-frame ones whose metadata has no position: enhanced
    // files keep it in functional groups) are read for their frames' geometry. 2D modalities need none:
    // their frames are placed from the metadata, in frame order.
    const imagesModality = IMAGE_MODALITIES.has(modality);
    const parsed = new Map<number, DicomFile>();
    const refs: FrameRef[][] = instances.map((inst, i) => {
      if (imagesModality) return framesFromMeta(String(i), inst.meta);
      return isMultiFrame(inst.meta) || inst.meta.imagePositionPatient === null ? [] : [frameRefFromMeta(String(i), inst.meta)];
    });
    try {
      const toRead = instances.map((_, i) => i).filter((i) => refs[i]!.length === 0);
      await forEachLimit(toRead, READ_CONCURRENCY, async (i) => {
        const inst = instances[i]!;
        const multi = isMultiFrame(inst.meta);
        const bytes = ownedCopy(await store.readInstanceBytes(inst.instanceId), multi);
        const file = parseDicom(new Uint8Array(bytes), { untilPixelData: true });
        refs[i] = frameRefsOf(String(i), file, inst.meta);
        // Shared bytes stay readable after a decode: keep multi-frame files parsed for their per-frame headers.
        if (multi) parsed.set(i, file);
        hold(i, bytes);
      });
    } catch (e) {
      this.decoder.forget(forgetKeys());
      throw e;
    }
    const frames = refs.flat();
    const layout = layoutSeries(modality, frames);
    checkServable(layout, frames);
    for (const i of [...held.keys()]) {
      if (layout.order.some((f) => Number(frames[f]!.key) === i)) continue;
      heldBytes -= held.get(i)!.byteLength;
      held.delete(i);
    }

    // The one header read: the middle slice's instance (its bytes then go to that slice's decode).
    const middle = Math.floor(layout.order.length / 2);
    const midRef = frames[layout.order[middle]!]!;
    const midInst = Number(midRef.key);
    let header: DisplayHeader;
    try {
      header = await this.readHeader(store, instances[midInst]!, parsed.get(midInst), held.get(midInst), midRef.frameIndex, modality, (b) => hold(midInst, b));
    } catch (e) {
      this.decoder.forget(forgetKeys());
      throw e;
    }

    const used = layout.order.map((f) => frames[f]!);
    const metas = [...new Set(used.map((f) => Number(f.key)))].map((i) => instances[i]!.meta);
    const plan = planPixels(header, metas, this.transformKeys(used, instances, parsed, header).size === 1);
    const calibration = calibrationOf(header.calibration);
    const spacing: SeriesView['spacing'] = layout.kind === 'images' ? [calibration.spacing[1], calibration.spacing[0], 1] : layout.spacing;
    const units = plan.pixelType === 'rgb8' ? '' : modality === 'CT' ? 'HU' : first.rescaleType || '';
    const orientations = new Map<number, [string, string] | null>([[midInst, header.patientOrientation]]);
    for (const [i, file] of parsed) if (i !== midInst) orientations.set(i, readPatientOrientation(file.dataSet));
    const frameViews: FrameView[] = used.map((ref) => {
      const i = Number(ref.key);
      const inst = instances[i]!;
      return {
        instanceId: inst.instanceId,
        sopInstanceUid: inst.meta.sopInstanceUid,
        frameIndex: ref.frameIndex,
        instanceNumber: inst.meta.instanceNumber,
        patientOrientation: orientations.get(i) ?? null,
      };
    });
    const display: DisplayInfo = plan.pixelType === 'rgb8' ? rgbDisplay(header) : greyDisplay(header, plan.pixelType, plan.output === 'stored' ? header.modalityLut : IDENTITY_LUT, null, null);
    const view: SeriesView = {
      seriesId,
      studyId,
      modality: first.modality,
      seriesDescription: first.seriesDescription,
      frameOfReferenceUid: first.frameOfReferenceUid,
      kind: layout.kind,
      dimensions: layout.dimensions,
      spacing,
      origin: layout.origin,
      direction: layout.direction,
      frames: frameViews,
      units,
      display,
      calibration,
      cine: layout.kind === 'images' && header.frameTimeMs !== null && isMultiFrame(instances[midInst]!.meta) ? { frameTimeMs: header.frameTimeMs } : null,
      warnings: layout.warnings,
      pixelPath: `pixels/${seriesId}`,
    };
    const [cols, rows] = layout.dimensions;
    const entry: OpenSeries = {
      seq, seriesId, store, instances, frames, order: layout.order, layout, view, output: plan.output, keepServed: needsCodecs(first.transferSyntaxUid), served: new Uint8Array(layout.dimensions[2]),
      sliceLength: cols * rows * plan.components, wire: wireConstructor(plan.pixelType), volume: null, held, heldBytes, decoding: new Map(), closed: false,
    };

    try {
      if (layout.geometry && !layout.geometry.regular) await this.assembleInto(entry, header, units);
      else await this.finishDisplay(entry, header, plan, metas[0]!, middle);
    } catch (e) {
      this.release(entry);
      throw e;
    }
    if (generation !== this.generation) {
      // Closed (a quick view ended) while opening: answer, but keep nothing.
      this.release(entry);
      return entry;
    }
    this.open.set(seriesId, entry);
    while (this.open.size > OPEN_SERIES) {
      const oldest = this.open.keys().next().value!;
      this.release(this.open.get(oldest)!);
      this.open.delete(oldest);
    }
    return entry;
  }

  /** The display header from a parsed multi-frame file, held bytes, or one read (whose bytes `keep` holds for the decode). */
  private async readHeader(
    store: StudyStore, inst: StoredInstance, parsedFile: DicomFile | undefined, heldBytes: Bytes | undefined, frameIndex: number, modality: string, keep: (b: Bytes) => void,
  ): Promise<DisplayHeader> {
    if (parsedFile) return readDisplayHeader(parsedFile.dataSet, parsedFile.transferSyntaxUid, modality, frameIndex);
    const bytes = heldBytes ?? ownedCopy(await store.readInstanceBytes(inst.instanceId), isMultiFrame(inst.meta));
    const file = parseDicom(new Uint8Array(bytes), { untilPixelData: true });
    // Everything is copied out of the file here: the bytes may be handed (transferred) to a decoder next.
    const header = readDisplayHeader(file.dataSet, file.transferSyntaxUid, modality, frameIndex);
    keep(bytes);
    return header;
  }

  /** One key per distinct modality transform among the used frames (per-frame for parsed multi-frame files). */
  private transformKeys(used: FrameRef[], instances: StoredInstance[], parsed: Map<number, DicomFile>, header: DisplayHeader): Set<string> {
    const keys = new Set<string>();
    for (const ref of used) {
      const i = Number(ref.key);
      const file = parsed.get(i);
      if (file) {
        const t = readModalityTransform(file.dataSet, isBigEndian(file.transferSyntaxUid), ref.frameIndex);
        keys.add(t.kind === 'lut' ? 'table' : `${t.slope}/${t.intercept}`);
      } else {
        const m = instances[i]!.meta;
        keys.add(header.modalityLut.kind === 'table' ? 'table' : `${m.rescaleSlope}/${m.rescaleIntercept}`);
      }
    }
    return keys;
  }

  /**
   * Starts the middle slice's decode at 'now' (the renderer asks for it first). The open waits for it only
   * when the display needs its values: no window in the file, or no nominal range (float data).
   */
  private async finishDisplay(entry: OpenSeries, header: DisplayHeader, plan: PixelPlan, meta: InstanceMeta, middle: number): Promise<void> {
    const firstDecode = this.sliceValues(entry, middle, 'now');
    firstDecode.catch(() => undefined);
    if (plan.pixelType === 'rgb8') return;
    const lut = entry.view.display.modalityLut;
    const nominal = plan.output === 'stored' ? nominalRange(meta.bitsStored, meta.pixelRepresentation === 1, lut) : null;
    const stated = header.windows[0];
    if (stated && nominal) {
      entry.view.display = greyDisplay(header, plan.pixelType, lut, nominal, null);
      return;
    }
    const values = await firstDecode;
    const modality = plan.output === 'stored' ? modalityValues(values, lut) : values;
    entry.view.display = greyDisplay(header, plan.pixelType, lut, nominal, measure(modality, paddingInModality(header, plan.output === 'stored' ? lut : IDENTITY_LUT)));
  }

  /** Resampled stacks: modality values assembled at open; served as the volume holds them (int16 or float32). */
  private async assembleInto(entry: OpenSeries, header: DisplayHeader, units: string): Promise<void> {
    entry.output = 'modality';
    const volume = await this.assemble(entry, units);
    entry.volume = volume;
    entry.view.warnings = volume.warnings;
    const pixelType = volume.scalars instanceof Int16Array ? 'int16' : 'float32';
    entry.wire = wireConstructor(pixelType);
    entry.sliceLength = volume.dimensions[0] * volume.dimensions[1];
    entry.view.display = greyDisplay(header, pixelType, IDENTITY_LUT, null, measure(volume.scalars, paddingInModality(header, header.modalityLut)));
    this.dropSources(entry);
  }

  /** Frames decode a few ahead of the assembly, which holds at most two at a time. */
  private assemble(entry: OpenSeries, units: string): Promise<Volume> {
    const geometry = entry.layout.geometry!;
    const sequence = geometry.order;
    const pending: Array<{ idx: number; promise: Promise<WireArray> }> = [];
    let next = 0;
    const launch = () => {
      while (next < sequence.length && pending.length < ASSEMBLY_LOOKAHEAD) {
        const idx = sequence[next++]!;
        const promise = this.decodeFrame(entry, idx, 'now');
        promise.catch(() => undefined);
        pending.push({ idx, promise });
      }
    };
    const float = async (p: Promise<WireArray>): Promise<Float32Array> => {
      const v = await p;
      if (!(v instanceof Float32Array)) throw new AppError('DICOM_PIXEL_MISMATCH', 'The assembly needs modality values.');
      return v;
    };
    return assembleVolumeAsync(geometry, entry.frames, async (idx) => {
      launch();
      // The assembly asks in `order` order; frames it skips are dropped from the queue.
      while (pending.length > 0 && pending[0]!.idx !== idx && pending.some((p) => p.idx === idx)) pending.shift();
      const mine = pending[0]?.idx === idx ? pending.shift()!.promise : this.decodeFrame(entry, idx, 'now');
      launch();
      return float(mine);
    }, units);
  }

  private sliceValues(entry: OpenSeries, k: number, priority: DecodePriority): Promise<WireArray> {
    const first = this.sliceValuesOnce(entry, k, priority);
    if (priority !== 'now') return first;
    // Someone waits for this slice: a prefetch of it the pool dropped (queue full) is no reason to fail.
    return first.catch((e: unknown) => {
      if (e instanceof AppError && e.code === 'DECODE_BUSY' && !entry.closed) return this.sliceValuesOnce(entry, k, 'now');
      throw e;
    });
  }

  private sliceValuesOnce(entry: OpenSeries, k: number, priority: DecodePriority): Promise<WireArray> {
    const key = `${entry.seq}/${k}`;
    const hit = this.cache.get(key);
    if (hit) return Promise.resolve(hit);
    const running = entry.decoding.get(k);
    if (running) {
      if (priority === 'now' && running.priority !== 'now') {
        running.priority = 'now';
        this.decoder.promote(key);
      }
      return running.promise;
    }
    const state: { priority: DecodePriority; promise: Promise<WireArray> } = { priority, promise: Promise.resolve(new Uint8Array(0)) };
    state.promise = this.decodeFrame(entry, entry.order[k]!, () => state.priority, key)
      .then((values) => {
        if (!(values instanceof entry.wire) || values.length !== entry.sliceLength) {
          throw new AppError('DICOM_PIXEL_MISMATCH', `Slice ${k} holds ${values.length} ${values.constructor.name} values, expected ${entry.sliceLength} ${entry.view.display.pixelType}.`);
        }
        if (!entry.closed) this.cache.put(key, values);
        return values;
      })
      .finally(() => entry.decoding.delete(k));
    entry.decoding.set(k, state);
    return state.promise;
  }

  private prefetchAround(entry: OpenSeries, first: number, last: number): void {
    const slices = entry.view.dimensions[2];
    for (let d = 1; d <= this.prefetch; d++) {
      for (const j of [last + d, first - d]) {
        if (j < 0 || j >= slices || entry.closed || entry.served[j] || entry.decoding.has(j) || this.cache.has(`${entry.seq}/${j}`)) continue;
        this.sliceValues(entry, j, 'background').catch(() => undefined);
      }
    }
  }

  /** Frame `frameIdx` (index into entry.frames) through the decoder. */
  private async decodeFrame(entry: OpenSeries, frameIdx: number, priority: DecodePriority | (() => DecodePriority), tag?: string): Promise<WireArray> {
    const ref = entry.frames[frameIdx]!;
    const inst = Number(ref.key);
    const multi = isMultiFrame(entry.instances[inst]!.meta);
    const bytes = await this.bytesOf(entry, inst, multi);
    if (entry.closed) throw new AppError('NOT_FOUND', 'Series is not open.');
    try {
      return await this.decoder.decode(
        { bytes, frameIndex: ref.frameIndex, output: entry.output, ...(multi ? { cacheKey: `${entry.seq}:${inst}` } : {}) },
        { priority: typeof priority === 'function' ? priority() : priority, ...(tag ? { tag } : {}) },
      );
    } catch (e) {
      // Refused before it was handed over (queue full): keep the bytes for the next try instead of reading them again.
      if (!multi && bytes instanceof ArrayBuffer && bytes.byteLength > 0 && !entry.closed && !entry.held.has(inst)) {
        entry.held.set(inst, bytes);
        entry.heldBytes += bytes.byteLength;
      }
      throw e;
    }
  }

  /** The instance's bytes: held since open when within budget, else read (and verified) again. */
  private async bytesOf(entry: OpenSeries, inst: number, multi: boolean): Promise<Bytes> {
    const held = entry.held.get(inst);
    if (held) {
      if (!multi) {
        // Single-frame bytes are handed over (transferred) to the decoder: one slice, one use.
        entry.held.delete(inst);
        entry.heldBytes -= held.byteLength;
      }
      return held;
    }
    const bytes = ownedCopy(await entry.store.readInstanceBytes(entry.instances[inst]!.instanceId), multi);
    if (multi && !entry.closed && entry.heldBytes + bytes.byteLength <= this.heldBudget) {
      entry.held.set(inst, bytes);
      entry.heldBytes += bytes.byteLength;
    }
    return bytes;
  }

  private release(entry: OpenSeries): void {
    entry.closed = true;
    this.cache.deletePrefix(`${entry.seq}/`);
    this.dropSources(entry);
  }

  /** Held instance bytes, here and parsed in the decoders. */
  private dropSources(entry: OpenSeries): void {
    entry.held.clear();
    entry.heldBytes = 0;
    const keys: string[] = [];
    entry.instances.forEach((inst, i) => {
      if (isMultiFrame(inst.meta)) keys.push(`${entry.seq}:${i}`);
    });
    this.decoder.forget(keys);
  }
}
