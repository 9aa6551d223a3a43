// What one fuzz input goes through: the engine's whole path from bytes to a volume, the way
// import, the viewer and the CLI use it. Typed failures (AppError) are the expected outcome for
// broken input; anything else escaping a stage is a finding.
import { AppError } from '../../src-shared/errors';
import type { CodecRegistry } from '../../src-shared/dicom/codecs/codecTypes';
import { parseDicom, type DicomFile } from '../../src-shared/dicom/parse';
import { readInstanceMeta } from '../../src-shared/dicom/instanceMeta';
import { dumpDataset } from '../../src-shared/dicom/dump';
import { decodeFrame } from '../../src-shared/dicom/pixels/decodeFrame';
import type { InstanceMeta } from '../../src-shared/dicom/types';
import { frameRefsOf, type FrameRef } from '../../src-shared/dicom/volume/frameGeometry';
import { computeSeriesGeometry } from '../../src-shared/dicom/volume/seriesGeometry';
import { assembleVolumeAsync, type FrameValues } from '../../src-shared/dicom/volume/assembleVolume';
import { modalityUnits } from '../../src-shared/dicom/volume/volumeUnits';
import { toModalityValues } from '../../src-shared/dicom/pixels/modalityLut';
import { writeTree } from '../../src-shared/dicom/write/writeTree';
import { parseTree } from '../../src-main/services/export/deidFiles';
import { assessBurnedIn, createDeidContext, deidentifyTree } from '../../src-shared/deid';
import { renderDecodedFrame } from '../../src-main/services/render/renderFrame';
import { CodestreamRefused } from '../../src-shared/dicom/pixels/codestreamRefused';

export type Stage = 'parseHeader' | 'parse' | 'tree' | 'deid' | 'meta' | 'dump' | 'decode' | 'render' | 'frames' | 'geometry' | 'assemble';

/** A non-AppError escaped a stage. */
export class UntypedFailure extends Error {
  constructor(
    readonly stage: Stage,
    readonly error: unknown,
  ) {
    super(`untyped ${describeError(error)} in ${stage}`);
  }
}

export interface TargetOutcome {
  /** Stage -> AppError code for every typed failure met. */
  typed: Array<{ stage: Stage; code: string }>;
  /** AppErrors that wrap an internal JS error (RangeError, TypeError...): typed, but worth a look. */
  wrapped: Array<{ stage: Stage; signature: string }>;
  /** Stages that completed. */
  passed: Stage[];
  /** Frames refused by the codestream structure check, before any codec ran. */
  structureRefused: number;
  /** Codec failures that were WebAssembly traps (RuntimeError: out of bounds, unreachable, abort). */
  traps: number;
  /** Codec failures thrown as Emscripten C++ exceptions (a bare number). */
  codecThrows: number;
}

const DEID_CONTEXT = createDeidContext(new TextEncoder().encode('enclave fuzz'));

/** Most frames per instance taken into assembly: a 96-frame cine costs time without new paths. */
const MAX_FRAMES_PER_INPUT = 8;
/** Largest volume the fuzzer lets assembly build (voxels); the engine's own cap is far larger. */
const MAX_FUZZ_VOXELS = 64 * 1024 * 1024;

export function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return `${typeof e}: ${String(e)}`;
}

/** First stack line inside the project (not node internals): the place to look. */
export function errorSignature(e: unknown): string {
  const head = e instanceof Error ? e.name + ': ' + e.message.replace(/\d+/g, 'N') : typeof e;
  const stack = e instanceof Error ? (e.stack ?? '') : '';
  const frame = stack.split('\n').slice(1).find((l) => /src-shared|src-main|tests\/fuzz/.test(l)) ?? stack.split('\n')[1] ?? '';
  return `${head} @ ${frame.trim().replace(/:\d+:\d+\)?$/, '')}`;
}

class Run {
  readonly outcome: TargetOutcome = { typed: [], wrapped: [], passed: [], structureRefused: 0, traps: 0, codecThrows: 0 };

  async stage<T>(name: Stage, fn: () => T | Promise<T>): Promise<T | undefined> {
    try {
      const v = await fn();
      this.outcome.passed.push(name);
      return v;
    } catch (e) {
      if (!(e instanceof AppError)) throw new UntypedFailure(name, e);
      this.outcome.typed.push({ stage: name, code: e.code });
      if (e instanceof CodestreamRefused) this.outcome.structureRefused++;
      if (e.cause instanceof WebAssembly.RuntimeError) this.outcome.traps++;
      else if (typeof e.cause === 'number') this.outcome.codecThrows++;
      if (e.cause !== undefined && !(e.cause instanceof AppError) && e.cause instanceof Error) {
        this.outcome.wrapped.push({ stage: name, signature: errorSignature(e.cause) });
      }
      return undefined;
    }
  }
}

interface Parsed {
  file: DicomFile;
  meta: InstanceMeta;
}

/**
 * Runs parse -> metadata -> dump -> decode -> render (modality LUT, VOI) of the first and last frame
 * of each input, then series geometry and volume assembly over all inputs together.
 * Throws UntypedFailure when anything but an AppError escapes.
 */
export async function runTarget(inputs: readonly Uint8Array[], codecs: CodecRegistry): Promise<TargetOutcome> {
  const run = new Run();
  const parsed: Parsed[] = [];
  const decoded = new Map<string, FrameValues>();
  for (const bytes of inputs) {
    await run.stage('parseHeader', () => parseDicom(bytes, { untilPixelData: true }));
    // The de-identifying export's own reader and writer see the same hostile bytes.
    const tree = await run.stage('tree', () => {
      const t = parseTree(bytes);
      writeTree(t);
      return t;
    });
    if (tree) {
      await run.stage('deid', () => {
        assessBurnedIn(tree);
        deidentifyTree(tree, DEID_CONTEXT);
        return writeTree(tree);
      });
    }
    const file = await run.stage('parse', () => parseDicom(bytes));
    if (!file) continue;
    const meta = await run.stage('meta', () => readInstanceMeta(file));
    await run.stage('dump', () => dumpDataset(file, { maxNodes: 20_000 }));
    if (!meta) continue;
    parsed.push({ file, meta });
    if (!meta.hasPixelData) continue;
    const key = String(parsed.length - 1);
    const last = Math.min(meta.numberOfFrames, MAX_FRAMES_PER_INPUT) - 1;
    for (const f of last > 0 ? [0, last] : [0]) {
      const frame = await run.stage('decode', () => decodeFrame(file, f, codecs));
      if (frame) {
        if (frame.samplesPerPixel === 1) decoded.set(`${key}/${f}`, toModalityValues(frame, file, f));
        await run.stage('render', () => renderDecodedFrame(frame, file, f, {}));
      }
    }
  }
  const frames: FrameRef[] = [];
  for (const [i, p] of parsed.entries()) {
    if (!p.meta.hasPixelData) continue;
    const refs = await run.stage('frames', () => frameRefsOf(String(i), p.file, p.meta));
    if (refs) frames.push(...refs.filter((r) => r.frameIndex < MAX_FRAMES_PER_INPUT));
  }
  if (frames.length === 0) return run.outcome;
  const geometry = await run.stage('geometry', () => computeSeriesGeometry(frames));
  if (!geometry) return run.outcome;
  await run.stage('assemble', () =>
    assembleVolumeAsync(
      geometry,
      frames,
      async (idx) => {
        const ref = frames[idx]!;
        const k = `${ref.key}/${ref.frameIndex}`;
        const cached = decoded.get(k);
        if (cached) return cached;
        const p = parsed[Number(ref.key)]!;
        return toModalityValues(await decodeFrame(p.file, ref.frameIndex, codecs), p.file, ref.frameIndex);
      },
      modalityUnits(parsed[Number(frames[0]!.key)]!.meta),
      { maxVoxels: MAX_FUZZ_VOXELS },
    ),
  );
  return run.outcome;
}
