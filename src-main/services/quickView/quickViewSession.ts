// Quick view: a physician opens a patient's CD or a folder to look, without keeping anything. The
// files are read, hashed and parsed in the import worker and held in a MemoryStudyStore in main; the
// encrypted store, the data directory and temp folders are never touched. Closing drops everything.
import { runImport } from '../import/importEngine';
import { runImportInWorker, type WorkerImportOptions } from '../import/importRunner';
import { StudyStoreSink } from '../import/importSinks';
import type { ImportReport } from '../import/importTypes';
import { MemoryStudyStore } from '../store/memoryStudyStore';

export interface QuickViewOptions extends WorkerImportOptions {
  /** Parse in this thread instead of a worker (tests, tiny inputs). */
  inProcess?: boolean;
}

export class QuickViewSession {
  private closed = false;

  private constructor(
    readonly store: MemoryStudyStore,
    readonly report: ImportReport,
  ) {}

  static async open(paths: string[], options: QuickViewOptions = {}): Promise<QuickViewSession> {
    const store = new MemoryStudyStore();
    const report = options.inProcess
      ? await runImport(paths, new StudyStoreSink(store), options)
      : await runImportInWorker(paths, { kind: 'main', store }, options);
    return new QuickViewSession(store, report);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.store.close();
  }
}
