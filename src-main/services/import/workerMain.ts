// What the import worker runs, as a function of its port (so tests can drive it in-process too).
import type { MessagePort } from 'node:worker_threads';
import { AppError, toAppError } from '../../../src-shared/errors';
import { openStoreWithDataKey } from '../store/openStore';
import type { AddResult } from '../store/studyStore';
import { runImport } from './importEngine';
import { runImportInWorker } from './importRunner';
import { EncryptedStoreSink } from './importSinks';
import type { ImportSink, InstanceToStore } from './importTypes';
import type { FromWorker, ToWorker, WorkerInput } from './workerProtocol';

type Port = Pick<MessagePort, 'postMessage' | 'on'>;

class PostSink implements ImportSink {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (r: AddResult[]) => void; reject: (e: unknown) => void }>();

  private readonly jobId: Promise<string>;
  private gotJobId: (id: string) => void = () => undefined;

  constructor(private readonly port: Port) {
    this.jobId = new Promise((resolve) => (this.gotJobId = resolve));
  }

  settle(msg: ToWorker): void {
    if (msg.type === 'begin') this.gotJobId(msg.jobId);
    if (msg.type === 'cancel' || msg.type === 'begin') return;
    const w = this.waiting.get(msg.id);
    if (!w) return;
    this.waiting.delete(msg.id);
    if (msg.type === 'batchResult') w.resolve(msg.results);
    else w.reject(new AppError(msg.error.code, msg.error.message));
  }

  begin(): Promise<string> {
    return this.jobId;
  }

  add(batch: InstanceToStore[]): Promise<AddResult[]> {
    const id = this.nextId++;
    // Transfer the bytes (no copy); a view into a larger buffer is copied first so nothing else moves with it.
    const items = batch.map((b) => {
      const whole = b.bytes.byteOffset === 0 && b.bytes.byteLength === b.bytes.buffer.byteLength && b.bytes.buffer instanceof ArrayBuffer;
      return { ...b, bytes: whole ? b.bytes : b.bytes.slice() };
    });
    const transfer = items.map((b) => b.bytes.buffer as ArrayBuffer);
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.port.postMessage({ type: 'batch', id, items } satisfies FromWorker, transfer);
    });
  }

  async finish(): Promise<void> {}
}

export async function runImportWorker(port: Port, input: WorkerInput): Promise<void> {
  const controller = new AbortController();
  let postSink: PostSink | null = null;
  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'cancel') controller.abort();
    else postSink?.settle(msg);
  });
  const post = (m: FromWorker) => port.postMessage(m);
  try {
    let sink: ImportSink;
    let close: () => Promise<void> = async () => undefined;
    if (input.target.kind === 'store') {
      const key = Buffer.from(input.target.dataKey);
      // Another connection (main's) may be open: never sweep here, it could remove blobs being written.
      const opening = openStoreWithDataKey({ dataDir: input.target.dataDir, dataKey: key, sweepOrphans: false, unlockedVia: 'handoff', user: input.target.user });
      opening.finally(() => key.fill(0)).catch(() => undefined);
      if (input.workerScript) {
        // Two threads: the nested worker (started while the store opens) reads, hashes and parses; this one
        // encrypts, writes and commits.
        try {
          const report = await runImportInWorker(input.paths, { kind: 'main', store: opening }, {
            workerScript: input.workerScript,
            signal: controller.signal,
            onProgress: (progress) => post({ type: 'progress', progress }),
            ...(input.batchFiles ? { batchFiles: input.batchFiles } : {}),
            ...(input.batchBytes ? { batchBytes: input.batchBytes } : {}),
            ...(input.progressIntervalMs !== undefined ? { progressIntervalMs: input.progressIntervalMs } : {}),
            ...(input.batchesInFlight ? { batchesInFlight: input.batchesInFlight } : {}),
          });
          await (await opening).close();
          post({ type: 'done', report });
        } catch (e) {
          await opening.then((st) => st.close()).catch(() => undefined);
          throw e;
        }
        return;
      }
      const store = await opening;
      sink = new EncryptedStoreSink(store);
      close = () => store.close();
    } else {
      postSink = new PostSink(port);
      sink = postSink;
    }
    try {
      const report = await runImport(input.paths, sink, {
        signal: controller.signal,
        onProgress: (progress) => post({ type: 'progress', progress }),
        batchFiles: input.batchFiles,
        batchBytes: input.batchBytes,
        progressIntervalMs: input.progressIntervalMs,
        batchesInFlight: input.batchesInFlight,
      });
      await close();
      post({ type: 'done', report });
    } catch (e) {
      await close().catch(() => undefined);
      throw e;
    }
  } catch (e) {
    post({ type: 'error', error: toAppError(e, 'IMPORT_FAILED').toInfo() });
  }
}
