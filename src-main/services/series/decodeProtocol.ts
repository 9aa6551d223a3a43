// Messages between main and a decode worker. Pixel bytes travel by transfer (single-frame instances)
// or by sharing (multi-frame instances, read once and decoded frame by frame); nothing is logged.
import type { ErrorInfo } from '../../../src-shared/errors';

export type ToDecodeWorker =
  | { type: 'decode'; id: number; bytes: ArrayBuffer | SharedArrayBuffer; frameIndex: number; cacheKey?: string }
  /** The parsed files kept for these keys are no longer needed (their series closed). */
  | { type: 'forget'; keys: string[] }
  /** Compressed frames are coming: load the codecs now. */
  | { type: 'loadCodecs' };

export type FromDecodeWorker =
  | { type: 'done'; id: number; values: Float32Array }
  | { type: 'failed'; id: number; error: ErrorInfo };

/** One frame to decode into modality values (HU for CT). */
export interface DecodeRequest {
  /** The whole instance. An ArrayBuffer is handed over (transferred: the caller gives it up); a SharedArrayBuffer is shared. */
  bytes: ArrayBuffer | SharedArrayBuffer;
  frameIndex: number;
  /** For shared multi-frame bytes: lets the decoder keep the parsed file between frames of the instance. */
  cacheKey?: string;
}

export type DecodePriority = 'now' | 'background';

export interface DecodeOptions {
  priority?: DecodePriority;
  /** Names a background job so promote() can move it ahead once someone waits for it. */
  tag?: string;
}

/** Decodes frames off (or, as a fallback, on) the main thread. */
export interface FrameDecoder {
  decode(request: DecodeRequest, options?: DecodeOptions): Promise<Float32Array>;
  /** Start decoders ahead of the first job, with their codecs loaded when `codecs` (threads start while main reads headers). */
  warm?(options?: { codecs?: boolean }): void;
  /** A queued background job with this tag becomes urgent. */
  promote(tag: string): void;
  /** Drop parsed files kept for these cache keys. */
  forget(keys: string[]): void;
  close(): Promise<void>;
}
