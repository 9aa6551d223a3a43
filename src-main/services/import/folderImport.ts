// Imports every DICOM file under a folder into a StudyStore, reporting progress and honouring cancel.
// Non-DICOM files are skipped with a reason; nothing already stored is touched by a failure.
import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImportProgress, ImportSummary } from '../../../src-shared/ipc/contract';
import { parseDicom } from '../../../src-shared/dicom/parse';
import { readInstanceMeta } from '../../../src-shared/dicom/instanceMeta';
import { isAppError } from '../../../src-shared/errors';
import { sha256Hex } from '../hashing';
import type { StudyStore } from '../store/studyStore';

export interface ImportOptions {
  signal?: AbortSignal;
  onProgress?: (p: ImportProgress) => void;
  now?: () => number;
}

const MAX_FILE_BYTES = 2 * 1024 ** 3;

export async function listFilesRecursive(root: string): Promise<{ path: string; size: number }[]> {
  const out: { path: string; size: number }[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    const entries = await readdir(dir, { withFileTypes: true });
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile()) out.push({ path: p, size: (await stat(p)).size });
    }
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

export async function importFolder(store: StudyStore, root: string, options: ImportOptions = {}): Promise<ImportSummary> {
  const now = options.now ?? Date.now;
  const jobId = randomBytes(9).toString('base64url');
  const files = await listFilesRecursive(root);
  const bytesTotal = files.reduce((s, f) => s + f.size, 0);
  const skipped = new Map<string, number>();
  const studies = new Set<string>();
  const summary: ImportSummary = { jobId, filesSeen: files.length, added: 0, duplicates: 0, conflicts: 0, skipped: [], studies: 0, cancelled: false };
  const started = now();
  let bytesDone = 0;
  let filesDone = 0;
  let lastReport = 0;
  const report = (done: boolean) => {
    const elapsed = Math.max(1, now() - started) / 1000;
    const rate = bytesDone / elapsed;
    options.onProgress?.({ jobId, filesDone, filesTotal: files.length, bytesDone, bytesTotal, bytesPerSecond: rate, etaSeconds: rate > 0 ? (bytesTotal - bytesDone) / rate : null, done });
  };
  const skip = (reason: string) => skipped.set(reason, (skipped.get(reason) ?? 0) + 1);

  for (const file of files) {
    if (options.signal?.aborted) {
      summary.cancelled = true;
      break;
    }
    if (file.size > MAX_FILE_BYTES) skip('file too large');
    else {
      const bytes = new Uint8Array(await readFile(file.path));
      try {
        const parsed = parseDicom(bytes);
        const meta = readInstanceMeta(parsed);
        if (!meta.sopInstanceUid || !meta.seriesInstanceUid || !meta.studyInstanceUid) skip('missing UIDs');
        else if (meta.sopClassUid === '1.2.840.10008.1.3.10') skip('DICOMDIR (media directory)');
        else {
          const result = await store.addInstance(meta, bytes, sha256Hex(bytes));
          if (result === 'added') summary.added++;
          else if (result === 'duplicate') summary.duplicates++;
          else summary.conflicts++;
          studies.add(meta.studyInstanceUid);
        }
      } catch (e) {
        skip(isAppError(e) && (e.code === 'DICOM_NOT_DICOM') ? 'not a DICOM file' : isAppError(e) ? `unreadable DICOM (${e.code})` : 'unreadable file');
      }
    }
    filesDone++;
    bytesDone += file.size;
    if (now() - lastReport > 100) {
      lastReport = now();
      report(false);
    }
  }
  report(true);
  summary.skipped = [...skipped.entries()].map(([reason, count]) => ({ reason, count }));
  summary.studies = studies.size;
  return summary;
}
