// The import's side of the blob writer thread (workers/blobWriteWorker.ts): hands a batch's bytes over (no
// copy: the buffers move to the thread and are gone from the caller) and waits until every file of the batch
// is durable, as BlobVault.writeMany does in-thread. Started only where its bundled script exists (the app,
// the CLI, the import worker); elsewhere, and after the thread died, the vault writes in the calling thread.
import { Worker } from 'node:worker_threads';
import type { BlobRef, BlobVault } from './blobVault';
import type { BlobWriteReply, BlobWriteRequest } from '../workers/blobWriteWorker';
import { findBundledWorker, workerExecArgv } from '../workers/workerScript';

export class BlobWriterThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private dead = false;

  /** The thread over this vault's folders and key, or null when no script is at hand (running from source). */
  static start(vault: BlobVault, script: string | null = findBundledWorker('blobWriteWorker')): BlobWriterThread | null {
    return script ? new BlobWriterThread(vault, script) : null;
  }

  private constructor(
    private readonly vault: BlobVault,
    script: string,
  ) {
    this.worker = new Worker(script, { workerData: vault.writerInput(), execArgv: workerExecArgv(script) });
    this.worker.unref();
    this.worker.on('message', (m: BlobWriteReply) => {
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.settle(m.id);
      if (m.ok) w.resolve();
      else w.reject(Object.assign(new Error(`writing the encrypted files failed (${m.code})`), { code: m.code }));
    });
    const fail = () => {
      this.dead = true;
      for (const [id, w] of [...this.waiting]) {
        this.settle(id);
        w.reject(new Error('the blob writer thread stopped'));
      }
    };
    this.worker.on('error', fail);
    this.worker.on('exit', fail);
  }

  /** Keeps the caller's event loop alive only while a batch is out (an idle thread never holds a process open). */
  private settle(id: number): void {
    this.waiting.delete(id);
    if (this.waiting.size === 0) this.worker.unref();
  }

  /** Same contract as BlobVault.writeMany; the bytes are handed over (views into larger buffers are copied first). */
  async writeMany(items: { ref: BlobRef; bytes: Uint8Array }[]): Promise<void> {
    if (this.dead) return this.vault.writeMany(items);
    const moved = items.map((it) => {
      const whole = it.bytes.byteOffset === 0 && it.bytes.byteLength === it.bytes.buffer.byteLength && it.bytes.buffer instanceof ArrayBuffer;
      return { name: it.ref.name, salt: it.ref.salt, bytes: whole ? it.bytes : it.bytes.slice() };
    });
    const id = this.nextId++;
    const done = new Promise<void>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    this.worker.ref();
    this.worker.postMessage({ id, items: moved } satisfies BlobWriteRequest, moved.map((m) => m.bytes.buffer as ArrayBuffer));
    return done;
  }

  async close(): Promise<void> {
    this.dead = true;
    await this.worker.terminate();
  }
}
