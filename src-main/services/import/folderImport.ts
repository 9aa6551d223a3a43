// In-process import into a StudyStore: the entry point for callers that already hold the store (tests,
// the foundation's memory store). The app and the CLI run the same engine in a worker (importRunner.ts).
import type { StudyStore } from '../store/studyStore';
import { runImport } from './importEngine';
import { sinkFor } from './importSinks';
import type { ImportOptions, ImportReport } from './importTypes';

export type { ImportOptions, ImportReport } from './importTypes';

/** Imports files, folders (recursively), DICOMDIRs and zip archives. */
export async function importPaths(store: StudyStore, paths: string[], options: ImportOptions = {}): Promise<ImportReport> {
  return runImport(paths, sinkFor(store), options);
}
