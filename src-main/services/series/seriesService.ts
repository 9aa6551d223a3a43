// Opens a stored series and serves its slices to the renderer over app://enclave/pixels/<seriesId>/<k>.
// Opening reads and parses headers only (each instance's bytes once), so 'series:open' answers before
// any pixel is decoded. A regular stack maps slice k to one frame: it is decoded on demand in the
// worker pool, cached (LRU by bytes) and its neighbours are prefetched. A stack that needs resampling
// is decoded in the pool (several frames at a time) and assembled into a volume at open.
import { parseDicom } from '../../../src-shared/dicom/parse';
import type { CodecRegistry } from '../../../src-shared/dicom/codecs/codecTypes';
import { frameRefsOf, type FrameRef } from '../../../src-shared/dicom/volume/frameGeometry';
import { computeSeriesGeometry, type SeriesGeometry } from '../../../src-shared/dicom/volume/seriesGeometry';
import { assembleVolumeAsync, MAX_VOLUME_VOXELS } from '../../../src-shared/dicom/volume/assembleVolume';
import type { InstanceMeta, Volume } from '../../../src-shared/dicom/types';
import type { SeriesView } from '../../../src-shared/ipc/contract';
import { AppError } from '../../../src-shared/errors';
import type { PixelSource } from '../protocol/appProtocol';
import type { StoredInstance, StudyStore } from '../store/studyStore';
import { DecodePool } from './decodePool';
import type { DecodePriority, FrameDecoder } from './decodeProtocol';
import { InProcessDecoder, needsCodecs } from './frameDecoding';
import { SliceCache } from './sliceCache';
import { headerWindow, measuredWindow, nominalRange, type WindowAndRange } from './seriesWindow';

export interface SeriesServiceOptions {
  /** The decode worker bundle (dist/main/decodeWorker.cjs); without it frames decode on the calling thread. */
  workerScript?: string;
  /** A decoder to use instead (the service does not close it). */
  decoder?: FrameDecoder;
  /** Decoded slices kept, across open series (default 512 MiB). */
  sliceCacheBytes?: number;
  /** Instance bytes kept per open series between reading the header and decoding (default 256 MiB). */
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
  geometry: SeriesGeometry;
  view: SeriesView;
  /** Only for stacks that needed resampling. */
  volume: Volume | null;
  /** Bytes read at open, waiting for their decode. Single-frame ones are handed to the decoder; multi-frame ones stay while open. */
  held: Map<number, Bytes>;
  heldBytes: number;
  /** Slice k -> its decode in progress, with the priority it will be queued at. */
  decoding: Map<number, { promise: Promise<Float32Array>; priority: DecodePriority }>;
  closed: boolean;
}

/** How many opened series stay ready at once. */
const OPEN_SERIES = 2;
const MiB = 2 ** 20;
/** Instances read concurrently while opening (the store decrypts and hashes each). */
const READ_CONCURRENCY = 4;
/** Frames decoding ahead of the volume assembly (resampled stacks). */
const ASSEMBLY_LOOKAHEAD = 4;

const isMultiFrame = (meta: InstanceMeta): boolean => Number.isInteger(meta.numberOfFrames) && meta.numberOfFrames > 1;

/** A private copy: the store may hand out memory it keeps (the memory store does), and transfer would detach it. */
function ownedCopy(bytes: Uint8Array, shared: boolean): Bytes {
  const out = shared ? new SharedArrayBuffer(bytes.byteLength) : new ArrayBuffer(bytes.byteLength);
  new Uint8Array(out).set(bytes);
  return out;
}

async function forEachLimit<T>(items: T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

export class SeriesService implements PixelSource {
  private readonly open = new Map<string, OpenSeries>();
  private readonly opening = new Map<string, Promise<OpenSeries>>();
  private readonly cache: SliceCache;
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
    this.cache = new SliceCache(options.sliceCacheBytes ?? 512 * MiB);
    this.heldBudget = options.heldBytes ?? 256 * MiB;
    this.prefetch = Math.max(0, options.prefetch ?? 4);
  }

  async openSeries(seriesId: string): Promise<SeriesView> {
    const ready = this.open.get(seriesId);
    if (ready) {
      this.open.delete(seriesId);
      this.open.set(seriesId, ready);
      return ready.view;
    }
    let loading = this.opening.get(seriesId);
    if (!loading) {
      const mine: Promise<OpenSeries> = this.load(seriesId).finally(() => {
        if (this.opening.get(seriesId) === mine) this.opening.delete(seriesId);
      });
      loading = mine;
      this.opening.set(seriesId, loading);
    }
    return (await loading).view;
  }

  async slice(seriesId: string, index: number): Promise<ArrayBuffer> {
    const entry = this.open.get(seriesId);
    if (!entry) throw new AppError('NOT_FOUND', 'Series is not open.');
    const [cols, rows, slices] = entry.view.dimensions;
    if (!Number.isInteger(index) || index < 0 || index >= slices) throw new AppError('NOT_FOUND', 'Slice out of range.');
    const n = cols * rows;
    const out = new Float32Array(n);
    if (entry.volume) {
      out.set(entry.volume.scalars.subarray(index * n, (index + 1) * n));
      return out.buffer;
    }
    out.set(await this.sliceValues(entry, index, 'now'));
    this.prefetchAround(entry, index);
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
    const instances = await store.listInstances(seriesId);
    if (instances.length === 0) throw new AppError('NOT_FOUND', 'Series not found.');
    this.decoder.warm?.({ codecs: needsCodecs(instances[0]!.meta.transferSyntaxUid) });
    const seq = ++this.seq;
    const held = new Map<number, Bytes>();
    let heldBytes = 0;
    const refs: FrameRef[][] = new Array<FrameRef[]>(instances.length);
    let nominal: [number, number] | null = null;

    try {
      await forEachLimit(instances, READ_CONCURRENCY, async (inst, i) => {
        const bytes = ownedCopy(await store.readInstanceBytes(inst.instanceId), isMultiFrame(inst.meta));
        const file = parseDicom(new Uint8Array(bytes), { untilPixelData: true });
        refs[i] = frameRefsOf(String(i), file, inst.meta);
        if (i === 0) nominal = nominalRange(file.dataSet, inst.meta, file.transferSyntaxUid === '1.2.840.10008.1.2.2');
        if (heldBytes + bytes.byteLength <= this.heldBudget) {
          held.set(i, bytes);
          heldBytes += bytes.byteLength;
        }
      });
    } catch (e) {
      this.decoder.forget(instances.map((_, i) => `${seq}:${i}`));
      throw e;
    }
    const frames = refs.flat();
    const geometry = computeSeriesGeometry(frames);
    const first = instances[0]!.meta;
    checkDisplayable(geometry, frames, instances);

    // Bytes of instances the geometry left out are never decoded.
    const used = new Set(geometry.order.map((f) => Number(frames[f]!.key)));
    for (const [i, b] of held) {
      if (used.has(i)) continue;
      held.delete(i);
      heldBytes -= b.byteLength;
    }

    const units = first.modality === 'CT' ? 'HU' : first.rescaleType || '';
    const view: SeriesView = {
      seriesId,
      modality: first.modality,
      seriesDescription: first.seriesDescription,
      dimensions: geometry.dimensions,
      spacing: geometry.spacing,
      origin: geometry.origin,
      direction: geometry.direction,
      instanceNumbers: geometry.order.map((i) => instances[Number(frames[i]!.key)]?.meta.instanceNumber ?? null),
      units,
      defaultWindow: { center: 0, width: 1 },
      valueRange: [0, 1],
      warnings: [...geometry.warnings],
      pixelPath: `pixels/${seriesId}`,
    };
    const entry: OpenSeries = { seq, seriesId, store, instances, frames, geometry, view, volume: null, held, heldBytes, decoding: new Map(), closed: false };

    let wr: WindowAndRange;
    try {
      if (geometry.regular) {
        wr = headerWindow(first, nominal) ?? measuredWindow(first, await this.sliceValues(entry, Math.floor(geometry.dimensions[2] / 2), 'now'));
      } else {
        entry.volume = await this.assemble(entry, units);
        view.warnings = entry.volume.warnings;
        wr = measuredWindow(first, entry.volume.scalars);
        this.dropSources(entry);
      }
    } catch (e) {
      this.release(entry);
      throw e;
    }
    view.defaultWindow = wr.window;
    view.valueRange = wr.range;
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

  /** Resampled stacks: frames decode a few ahead of the assembly, which holds at most two at a time. */
  private assemble(entry: OpenSeries, units: string): Promise<Volume> {
    const sequence = entry.geometry.order;
    const pending: Array<{ idx: number; promise: Promise<Float32Array> }> = [];
    let next = 0;
    const launch = () => {
      while (next < sequence.length && pending.length < ASSEMBLY_LOOKAHEAD) {
        const idx = sequence[next++]!;
        const promise = this.decodeFrame(entry, idx, 'now');
        promise.catch(() => undefined);
        pending.push({ idx, promise });
      }
    };
    return assembleVolumeAsync(entry.geometry, entry.frames, async (idx) => {
      launch();
      // The assembly asks in `order` order; frames it skips are dropped from the queue.
      while (pending.length > 0 && pending[0]!.idx !== idx && pending.some((p) => p.idx === idx)) pending.shift();
      const mine = pending[0]?.idx === idx ? pending.shift()!.promise : this.decodeFrame(entry, idx, 'now');
      launch();
      return mine;
    }, units);
  }

  private sliceValues(entry: OpenSeries, k: number, priority: DecodePriority): Promise<Float32Array> {
    const first = this.sliceValuesOnce(entry, k, priority);
    if (priority !== 'now') return first;
    // Someone waits for this slice: a prefetch of it the pool dropped (queue full) is no reason to fail.
    return first.catch((e: unknown) => {
      if (e instanceof AppError && e.code === 'DECODE_BUSY' && !entry.closed) return this.sliceValuesOnce(entry, k, 'now');
      throw e;
    });
  }

  private sliceValuesOnce(entry: OpenSeries, k: number, priority: DecodePriority): Promise<Float32Array> {
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
    const [cols, rows] = entry.geometry.dimensions;
    const state: { priority: DecodePriority; promise: Promise<Float32Array> } = { priority, promise: Promise.resolve(new Float32Array(0)) };
    state.promise = this.decodeFrame(entry, entry.geometry.order[k]!, () => state.priority, key)
      .then((values) => {
        if (values.length !== cols * rows) throw new AppError('DICOM_PIXEL_MISMATCH', `Slice ${k} holds ${values.length} values, expected ${cols * rows}.`);
        if (!entry.closed) this.cache.put(key, values);
        return values;
      })
      .finally(() => entry.decoding.delete(k));
    entry.decoding.set(k, state);
    return state.promise;
  }

  private prefetchAround(entry: OpenSeries, k: number): void {
    const slices = entry.geometry.dimensions[2];
    for (let d = 1; d <= this.prefetch; d++) {
      for (const j of [k + d, k - d]) {
        if (j < 0 || j >= slices || entry.closed || entry.decoding.has(j) || this.cache.has(`${entry.seq}/${j}`)) continue;
        this.sliceValues(entry, j, 'background').catch(() => undefined);
      }
    }
  }

  /** Frame `frameIdx` (index into entry.frames) through the decoder. */
  private async decodeFrame(entry: OpenSeries, frameIdx: number, priority: DecodePriority | (() => DecodePriority), tag?: string): Promise<Float32Array> {
    const ref = entry.frames[frameIdx]!;
    const inst = Number(ref.key);
    const multi = isMultiFrame(entry.instances[inst]!.meta);
    const bytes = await this.bytesOf(entry, inst, multi);
    if (entry.closed) throw new AppError('NOT_FOUND', 'Series is not open.');
    try {
      return await this.decoder.decode(
        { bytes, frameIndex: ref.frameIndex, ...(multi ? { cacheKey: `${entry.seq}:${inst}` } : {}) },
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

/** What assembleVolume would refuse, refused at open (before any decode): colour, mismatched frames, absurd sizes. */
function checkDisplayable(geometry: SeriesGeometry, frames: FrameRef[], instances: StoredInstance[]): void {
  const [nx, ny, nz] = geometry.dimensions;
  const total = nx * ny * nz;
  if (![nx, ny, nz].every((v) => Number.isInteger(v) && v > 0) || !Number.isSafeInteger(total)) {
    throw new AppError('VOLUME_ASSEMBLY', 'Invalid volume dimensions.');
  }
  if (total > MAX_VOLUME_VOXELS) {
    throw new AppError('DICOM_LIMIT_EXCEEDED', `Volume of ${nx}x${ny}x${nz} voxels exceeds the limit of ${MAX_VOLUME_VOXELS}.`);
  }
  if (geometry.order.length === 0 || (geometry.regular && geometry.order.length !== nz)) {
    throw new AppError('VOLUME_ASSEMBLY', 'Series geometry and frame list disagree.');
  }
  for (const idx of geometry.order) {
    const ref = frames[idx];
    if (!ref || ref.rows !== ny || ref.columns !== nx) throw new AppError('VOLUME_ASSEMBLY', `Frame ${idx} does not match the volume's ${nx}x${ny} grid.`);
    const meta = instances[Number(ref.key)]!.meta;
    if (meta.samplesPerPixel !== 1 || meta.photometricInterpretation === 'PALETTE COLOR') {
      throw new AppError('DICOM_PIXEL_MISMATCH', 'Colour images cannot be shown as a stack yet.');
    }
  }
}
