// Messages between main and a decode worker. Pixel bytes travel by transfer (single-frame instances)
// or by sharing (multi-frame instances, read once and decoded frame by frame); decoded frames come back
// transferred, in the wire type the series is served in. Nothing is logged.
import type { ErrorInfo } from '../../../src-shared/errors';

/**
 * What a decode produces:
 * - 'stored': stored values in their native type (Uint8 / Int8 / Uint16 / Int16), greyscale only;
 * - 'modality': modality values (HU for CT) as Float32 (float pixel data, per-frame rescale, assembly);
 * - 'rgb8': colour of any model as interleaved 8-bit RGB.
 */
export type FrameOutput = 'stored' | 'modality' | 'rgb8';

/** A decoded frame as it goes on the wire (and into the slice cache). */
export type WireArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Float32Array;

export type ToDecodeWorker =
  | { type: 'decode'; id: number; bytes: ArrayBuffer | SharedArrayBuffer; frameIndex: number; output: FrameOutput; cacheKey?: string }
  /** The parsed files kept for these keys are no longer needed (their series closed). */
  | { type: 'forget'; keys: string[] }
  /** Compressed frames are coming: load the codecs now. */
  | { type: 'loadCodecs' };

export type FromDecodeWorker =
  /** Parsed, codecs loaded: decoding this many samples starts now (main starts the frame's decode budget). */
  | { type: 'decoding'; id: number; samples: number }
  | { type: 'done'; id: number; values: WireArray }
  | { type: 'failed'; id: number; error: ErrorInfo };

/** One frame to decode. */
export interface DecodeRequest {
  /** The whole instance. An ArrayBuffer is handed over (transferred: the caller gives it up); a SharedArrayBuffer is shared. */
  bytes: ArrayBuffer | SharedArrayBuffer;
  frameIndex: number;
  output: FrameOutput;
  /** For shared multi-frame bytes: lets the decoder keep the parsed file between frames of the instance. */
  cacheKey?: string;
}

export type DecodePriority = 'now' | 'background';

export interface DecodeOptions {
  priority?: DecodePriority;
  /** Names a background job so promote() can move it ahead once someone waits for it. */
  tag?: string;
}

export function isWireArray(v: unknown): v is WireArray {
  return v instanceof Uint8Array || v instanceof Int8Array || v instanceof Uint16Array || v instanceof Int16Array || v instanceof Float32Array;
}

/** Decodes frames off (or, as a fallback, on) the main thread. */
export interface FrameDecoder {
  decode(request: DecodeRequest, options?: DecodeOptions): Promise<WireArray>;
  /** Start decoders ahead of the first job, with their codecs loaded when `codecs` (threads start while main reads headers). */
  warm?(options?: { codecs?: boolean }): void;
  /** A queued background job with this tag becomes urgent. */
  promote(tag: string): void;
  /** Drop parsed files kept for these cache keys. */
  forget(keys: string[]): void;
  close(): Promise<void>;
}
