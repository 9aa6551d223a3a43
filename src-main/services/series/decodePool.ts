// A pool of decode worker threads: a bounded two-level queue (what the user waits for first, then
// prefetch), one job per worker at a time, request ids, typed errors. A worker that crashes, runs
// out of memory or hangs past the time limit is terminated and replaced; only its job fails. Once a
// worker says how many samples a frame has, the frame gets a decode budget sized from it; a decode
// that overruns it is abandoned (worker terminated, a fresh one started) and fails as DICOM_DECODE.
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { decodeBudgetMs, DEFAULT_DECODE_BUDGET, type DecodeBudget } from '../../../src-shared/dicom/pixels/decodeBudget';
import { AppError, type ErrorCode } from '../../../src-shared/errors';
import { workerExecArgv } from '../workers/workerScript';
import { isWireArray, type DecodeOptions, type DecodeRequest, type FrameDecoder, type FromDecodeWorker, type ToDecodeWorker, type WireArray } from './decodeProtocol';

export interface DecodePoolOptions {
  /** Worker threads; default max(1, availableParallelism() - 1) so main keeps a core. */
  size?: number;
  /** Jobs waiting (not running) at most; beyond, background jobs are refused and urgent ones displace background ones. */
  maxQueue?: number;
  /** A job running longer than this (parsing and codec loading included) is taken as a hung decoder. */
  jobTimeoutMs?: number;
  /** How long decoding a frame may take, from its sample count (default DEFAULT_DECODE_BUDGET). */
  decodeBudget?: DecodeBudget;
  resourceLimits?: ResourceLimits;
}

interface Job {
  id: number;
  request: DecodeRequest;
  tag: string | undefined;
  resolve(values: WireArray): void;
  reject(error: AppError): void;
}

interface Slot {
  worker: Worker;
  job: Job | null;
  timer: NodeJS.Timeout | null;
  dead: boolean;
}

export function defaultPoolSize(): number {
  return Math.max(1, availableParallelism() - 1);
}

export class DecodePool implements FrameDecoder {
  private readonly size: number;
  private readonly maxQueue: number;
  private readonly jobTimeoutMs: number;
  private readonly slots: Slot[] = [];
  private readonly urgent: Job[] = [];
  private readonly background: Job[] = [];
  private nextId = 1;
  private closed = false;
  /** Workers lost to a crash or hang so far (each is replaced when work is waiting). */
  failedWorkers = 0;
  /** Decodes abandoned for overrunning their budget (each also counts in failedWorkers). */
  overBudget = 0;

  private readonly workerScript: string;

  constructor(workerScript: string, private readonly options: DecodePoolOptions = {}) {
    // Worker() takes only absolute or ./-relative paths.
    this.workerScript = resolve(workerScript);
    this.size = Math.max(1, Math.floor(options.size ?? defaultPoolSize()));
    this.maxQueue = Math.max(1, options.maxQueue ?? 256);
    this.jobTimeoutMs = options.jobTimeoutMs ?? 60_000;
  }

  get workerCount(): number {
    return this.slots.length;
  }

  decode(request: DecodeRequest, options: DecodeOptions = {}): Promise<WireArray> {
    return new Promise<WireArray>((resolve, reject) => {
      if (this.closed) return reject(new AppError('CANCELLED', 'The decoder was closed.'));
      const job: Job = { id: this.nextId++, request, tag: options.tag, resolve, reject };
      const background = options.priority === 'background';
      if (this.urgent.length + this.background.length >= this.maxQueue) {
        const displaced = background ? undefined : this.background.pop();
        if (!displaced) return reject(new AppError('DECODE_BUSY', 'Too many images are waiting to be decoded.'));
        displaced.reject(new AppError('DECODE_BUSY', 'Prefetch dropped for more urgent images.'));
      }
      (background ? this.background : this.urgent).push(job);
      this.pump();
    });
  }

  warm(options: { codecs?: boolean } = {}): void {
    if (this.closed) return;
    try {
      while (this.slots.length < this.size) this.spawn();
    } catch {
      // Jobs will report it: pump() turns a failed start into a typed error.
    }
    if (options.codecs) for (const s of this.slots) if (!s.dead) s.worker.postMessage({ type: 'loadCodecs' } satisfies ToDecodeWorker);
  }

  promote(tag: string): void {
    const i = this.background.findIndex((j) => j.tag === tag);
    if (i < 0) return;
    this.urgent.push(this.background.splice(i, 1)[0]!);
  }

  forget(keys: string[]): void {
    if (keys.length === 0) return;
    for (const s of this.slots) if (!s.dead) s.worker.postMessage({ type: 'forget', keys } satisfies ToDecodeWorker);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const cancelled = new AppError('CANCELLED', 'The decoder was closed.');
    for (const j of this.urgent.splice(0)) j.reject(cancelled);
    for (const j of this.background.splice(0)) j.reject(cancelled);
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((s) => this.retire(s, cancelled)));
  }

  private pump(): void {
    while (!this.closed && (this.urgent.length > 0 || this.background.length > 0)) {
      let slot = this.slots.find((s) => !s.job);
      if (!slot && this.slots.length < this.size) {
        try {
          slot = this.spawn();
        } catch (e) {
          // No thread could start (resources, a bad path): fail the next job rather than throw untyped.
          const job = (this.urgent.shift() ?? this.background.shift())!;
          job.reject(new AppError('DECODE_WORKER_FAILED', 'No decoder thread could be started.', { cause: e }));
          continue;
        }
      }
      if (!slot) return;
      this.run(slot, (this.urgent.shift() ?? this.background.shift())!);
    }
  }

  private spawn(): Slot {
    const worker = new Worker(this.workerScript, {
      execArgv: workerExecArgv(this.workerScript),
      ...(this.options.resourceLimits ? { resourceLimits: this.options.resourceLimits } : {}),
    });
    const slot: Slot = { worker, job: null, timer: null, dead: false };
    worker.on('message', (m: FromDecodeWorker) => this.onMessage(slot, m));
    worker.on('error', (e) => this.fail(slot, `a decoder thread failed (${e.name})`));
    worker.on('messageerror', () => this.fail(slot, 'a decoder thread sent an unreadable message'));
    worker.on('exit', (code) => this.fail(slot, `a decoder thread stopped (exit code ${code})`));
    worker.unref();
    this.slots.push(slot);
    return slot;
  }

  private run(slot: Slot, job: Job): void {
    slot.job = job;
    slot.worker.ref();
    const { bytes, frameIndex, output, cacheKey } = job.request;
    const message: ToDecodeWorker = { type: 'decode', id: job.id, bytes, frameIndex, output, ...(cacheKey ? { cacheKey } : {}) };
    try {
      slot.worker.postMessage(message, bytes instanceof ArrayBuffer ? [bytes] : []);
    } catch (e) {
      // A detached or otherwise untransferable buffer: this job's fault, not the worker's.
      slot.job = null;
      slot.worker.unref();
      job.reject(new AppError('DICOM_DECODE', 'The image bytes could not be handed to a decoder.', { cause: e }));
      queueMicrotask(() => this.pump());
      return;
    }
    slot.timer = setTimeout(() => this.fail(slot, `a decoder thread did not answer within ${Math.round(this.jobTimeoutMs / 1000)} s`), this.jobTimeoutMs);
    slot.timer.unref();
  }

  private onMessage(slot: Slot, m: FromDecodeWorker): void {
    const job = slot.job;
    if (slot.dead || !job || m.id !== job.id) return;
    if (m.type === 'decoding') {
      this.startBudget(slot, m.samples);
      return;
    }
    this.finishSlot(slot);
    if (m.type === 'done') {
      if (isWireArray(m.values)) job.resolve(m.values);
      else job.reject(new AppError('DICOM_DECODE', 'A decoder thread answered with something other than pixel values.'));
    } else {
      job.reject(new AppError(m.error.code, m.error.message));
    }
    this.pump();
  }

  /** From now on the job has its frame's budget (not the generous start-up limit) to answer. */
  private startBudget(slot: Slot, samples: number): void {
    if (slot.timer) clearTimeout(slot.timer);
    const ms = Math.min(this.jobTimeoutMs, decodeBudgetMs(Number.isFinite(samples) ? samples : 0, 1, 1, this.options.decodeBudget ?? DEFAULT_DECODE_BUDGET));
    slot.timer = setTimeout(() => {
      this.overBudget++;
      this.fail(slot, `decoding took longer than its ${(ms / 1000).toFixed(ms < 1000 ? 3 : 0)} s budget and was abandoned`, 'DICOM_DECODE');
      // Replace the thread at once, not when the next frame comes: that frame should not wait for one to start.
      // (Only here: a thread that died on its own may fail again on start, and must not be restarted in a loop.)
      if (!this.closed && this.slots.length < this.size) {
        try {
          this.spawn();
        } catch {
          // pump() reports a thread that cannot start to the job that needs it.
        }
      }
    }, ms);
    slot.timer.unref();
  }

  private finishSlot(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.job = null;
    if (!slot.dead) slot.worker.unref();
  }

  /** The worker is unusable: its job fails with a typed error, a fresh worker takes the queue. */
  private fail(slot: Slot, why: string, code: ErrorCode = 'DECODE_WORKER_FAILED'): void {
    if (slot.dead) return;
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    this.failedWorkers++;
    void this.retire(slot, new AppError(code, `The image could not be decoded: ${why}.`));
    this.pump();
  }

  private async retire(slot: Slot, error: AppError): Promise<void> {
    const job = slot.job;
    slot.dead = true;
    this.finishSlot(slot);
    job?.reject(error);
    await slot.worker.terminate().catch(() => undefined);
  }
}
