// The import pipeline: discover -> read (a few files ahead) -> SHA-256 -> parse the header -> batch ->
// sink. It runs the same in a worker thread (the app, the CLI) and in-process (tests, small imports).
// Nothing is written anywhere but through the sink: zip entries are inflated in memory, and no path,
// name or UID is logged. A failure of one file is a skip with a reason, never the end of the import.
import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../hashing';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { readInstanceMeta } from '../../../src-shared/dicom/instanceMeta';
import { parseDicom } from '../../../src-shared/dicom/parse';
import { AppError, isAppError } from '../../../src-shared/errors';
import type { ImportProgress } from '../../../src-shared/ipc/contract';
import { isDicomdirDataSet, MEDIA_STORAGE_DIRECTORY } from './dicomdir';
import { discoverSources, type SourceFile } from './importSources';
import { MAX_SKIPPED_LISTED, type ImportOptions, type ImportReport, type ImportSink, type ImportSourceDescription, type InstanceToStore } from './importTypes';
import { SKIP } from '../../../src-shared/ipc/skipReasons';
import { looksLikeZip, ZipArchive } from './zipReader';

const MAX_FILE_BYTES = 1024 ** 3;
/** Files at least this big are sniffed (first bytes) before being read whole. */
const SNIFF_FROM_BYTES = 1024 * 1024;
const READ_AHEAD_FILES = 6;
const READ_AHEAD_BYTES = 96 * 1024 * 1024;


type Loaded = { ok: true; bytes: Uint8Array } | { ok: false; reason: string };


/** What a source hands the engine: each instance's bytes (or a zip) and its bookkeeping; the engine hashes, parses, batches and commits. */
interface ImportFeedContext {
  report: ImportReport;
  signal: AbortSignal | undefined;
  handleBytes(where: string, bytes: Uint8Array): Promise<void>;
  handleZip(file: SourceFile): Promise<void>;
  skip(where: string, reason: string): void;
  /** One file (or buffer) handled: counted (not a zip: its entries were) and reported. */
  fileDone(bytes: number, counted?: boolean): void;
  emit(done: boolean): void;
}

export async function runImport(paths: string[], sink: ImportSink, options: ImportOptions = {}): Promise<ImportReport> {
  return runImportFeed({ paths }, (ctx) => feedPaths(paths, ctx), sink, options);
}

/** One instance from a source that is not a file (a network retrieve): `where` names it in skip reports, never a path with PHI. */
export interface BytesItem {
  where: string;
  bytes: Uint8Array;
}

/**
 * Imports instances that arrive as bytes (a PACS retrieve): nothing is written but through the sink (the
 * encrypted store), so no plaintext copy ever touches the disk. `label` describes the source on the job row.
 */
export async function runBytesImport(label: string, items: AsyncIterable<BytesItem>, sink: ImportSink, options: ImportOptions = {}): Promise<ImportReport> {
  return runImportFeed(
    { paths: [label] },
    async (ctx) => {
      for await (const item of items) {
        ctx.report.filesTotal++;
        ctx.report.bytesTotal += item.bytes.byteLength;
        // Read before handing over: a full batch moves its bytes to the blob writer thread.
        const size = item.bytes.byteLength;
        await ctx.handleBytes(item.where, item.bytes);
        ctx.fileDone(size);
        if (ctx.signal?.aborted) break;
      }
    },
    sink,
    options,
  );
}

async function runImportFeed(source: ImportSourceDescription, feed: (ctx: ImportFeedContext) => Promise<void>, sink: ImportSink, options: ImportOptions): Promise<ImportReport> {
  const now = options.now ?? Date.now;
  const started = now();
  const batchFiles = options.batchFiles ?? 32;
  const batchBytes = options.batchBytes ?? 32 * 1024 * 1024;
  const interval = options.progressIntervalMs ?? 100;
  const maxInFlight = Math.max(1, options.batchesInFlight ?? 3);
  const signal = options.signal;

  const jobId = await sink.begin(source);
  const report: ImportReport = {
    jobId,
    filesSeen: 0,
    added: 0,
    duplicates: 0,
    conflicts: 0,
    skipped: [],
    studies: 0,
    cancelled: false,
    filesTotal: 0,
    bytesTotal: 0,
    bytesDone: 0,
    seconds: 0,
    missing: [],
    dicomdirs: [],
    conflictFiles: [],
    skippedFiles: [],
    notFound: [],
  };
  const skipped = { counts: new Map<string, number>() };
  const studies = new Set<string>();
  let filesDone = 0;
  let lastEmit = -Infinity;

  const emit = (done: boolean) => {
    const t = now();
    if (!done && t - lastEmit < interval) return;
    lastEmit = t;
    const elapsed = Math.max(1, t - started) / 1000;
    const rate = report.bytesDone / elapsed;
    const p: ImportProgress = {
      jobId,
      filesDone,
      filesTotal: report.filesTotal,
      bytesDone: report.bytesDone,
      bytesTotal: report.bytesTotal,
      bytesPerSecond: rate,
      etaSeconds: done ? 0 : rate > 0 ? Math.max(0, report.bytesTotal - report.bytesDone) / rate : null,
      done,
    };
    options.onProgress?.(p);
  };
  const skip = (where: string, reason: string) => {
    skipped.counts.set(reason, (skipped.counts.get(reason) ?? 0) + 1);
    if (report.skippedFiles.length < MAX_SKIPPED_LISTED) report.skippedFiles.push({ path: where, reason });
  };
  const finishReport = () => {
    report.skipped = [...skipped.counts.entries()].map(([reason, count]) => ({ reason, count }));
    report.studies = studies.size;
    report.filesSeen = filesDone;
    report.seconds = (now() - started) / 1000;
  };

  let batch: { item: InstanceToStore; where: string }[] = [];
  let batchSize = 0;
  // Several batches commit at once: each is its own transaction, and blob writes are bound by fsync
  // latency, which the file system amortises when more of them are outstanding.
  const inFlight = new Set<Promise<void>>();
  let commitError: unknown = null;
  const drain = async (keep: number) => {
    while (inFlight.size > keep) await Promise.race(inFlight);
    if (commitError) throw commitError;
  };
  const flush = async () => {
    if (batch.length === 0) return;
    const items = batch;
    batch = [];
    batchSize = 0;
    await drain(maxInFlight - 1);
    const p: Promise<void> = (async () => {
      const results = await sink.add(items.map((b) => b.item));
      results.forEach((r, i) => {
        if (r === 'added') report.added++;
        else if (r === 'duplicate') report.duplicates++;
        else {
          report.conflicts++;
          report.conflictFiles.push(items[i]!.where);
        }
      });
      finishReport();
      await sink.progress?.(report);
    })()
      .catch((e: unknown) => {
        commitError ??= e;
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };

  const handleBytes = async (where: string, bytes: Uint8Array): Promise<void> => {
    const sha256 = sha256Hex(bytes);
    let meta;
    try {
      const parsed = parseDicom(bytes, { untilPixelData: true });
      if (isDicomdirDataSet(parsed.dataSet)) {
        skip(where, SKIP.dicomdir);
        return;
      }
      meta = readInstanceMeta(parsed);
    } catch (e) {
      skip(where, isAppError(e) && e.code === 'DICOM_NOT_DICOM' ? SKIP.notDicom : `damaged DICOM file (${isAppError(e) ? e.code : 'unreadable'})`);
      return;
    }
    if (meta.sopClassUid === MEDIA_STORAGE_DIRECTORY) {
      skip(where, SKIP.dicomdir);
      return;
    }
    if (!meta.sopInstanceUid || !meta.seriesInstanceUid || !meta.studyInstanceUid) {
      skip(where, SKIP.noUids);
      return;
    }
    studies.add(meta.studyInstanceUid);
    batch.push({ item: { meta, bytes, sha256 }, where });
    batchSize += bytes.byteLength;
    if (batch.length >= batchFiles || batchSize >= batchBytes) await flush();
  };

  const handleZip = async (file: SourceFile): Promise<void> => {
    let zip: ZipArchive;
    try {
      zip = await ZipArchive.open(file.path);
    } catch {
      skip(file.path, SKIP.zipDamaged);
      return;
    }
    try {
      const entries = zip.files();
      report.filesTotal += entries.length;
      for (const entry of entries) {
        if (signal?.aborted) return;
        const where = `${file.path}${path.sep}${entry.name}`;
        const limit = zip.checkLimits(entry);
        if (limit) skip(where, limit);
        else {
          try {
            const bytes = await zip.read(entry);
            // Archives inside archives are not opened: one level covers exported studies, and it bounds the work.
            if (looksLikeZip(bytes.subarray(0, 4))) skip(where, SKIP.zipNested);
            else await handleBytes(where, bytes);
          } catch (e) {
            skip(where, entry.encrypted ? SKIP.zipEncrypted : isAppError(e) ? SKIP.zipDamaged : SKIP.unreadable);
          }
        }
        filesDone++;
        emit(false);
      }
    } finally {
      await zip.close();
    }
  };

  let outcome: 'done' | 'cancelled' | 'failed' = 'done';
  try {
    await feed({
      report,
      signal,
      handleBytes,
      handleZip,
      skip,
      fileDone: (bytes, counted = true) => {
        if (counted) filesDone++;
        report.bytesDone += bytes;
        emit(false);
      },
      emit,
    }).catch((e: unknown) => {
      // A source that fails because it was cancelled (a network stream torn down) is a cancel, not a failure.
      if (!signal?.aborted) throw e;
    });
    if (signal?.aborted) {
      report.cancelled = true;
      outcome = 'cancelled';
    }
    await flush();
    await drain(0);
  } catch (e) {
    outcome = 'failed';
    await Promise.allSettled([...inFlight]);
    finishReport();
    await sink.finish(report, outcome).catch(() => undefined);
    throw e instanceof AppError ? e : new AppError('IMPORT_FAILED', 'The import failed.', { cause: e });
  }
  finishReport();
  await sink.finish(report, outcome);
  emit(true);
  return report;
}

/** Files and folders: discovered, read a few ahead, zips opened in memory. */
async function feedPaths(paths: string[], ctx: ImportFeedContext): Promise<void> {
  const found = await discoverSources(paths, ctx.signal);
  ctx.report.notFound = found.notFound;
  ctx.report.filesTotal = found.files.length;
  ctx.report.bytesTotal = found.files.reduce((s, f) => s + f.size, 0);
  for (const d of found.dicomdirs) {
    ctx.report.dicomdirs.push({
      path: d.dicomdir,
      records: d.records,
      recordsByType: d.recordsByType,
      referencedFiles: d.files.length + d.missing.length,
      missingFiles: d.missing.length,
      nestedDirectories: d.nestedDirectories,
      resolvedLeniently: d.resolvedLeniently,
      broken: d.broken,
      fallbackScan: d.fallbackScan,
    });
    for (const m of d.missing) ctx.report.missing.push({ dicomdir: d.dicomdir, fileId: m.fileId });
  }
  ctx.emit(false);

  // Read a few files ahead of the one being hashed and parsed, bounded in count and bytes.
  const queue: { file: SourceFile; load: Promise<Loaded | 'zip'> }[] = [];
  let queuedBytes = 0;
  let next = 0;
  const load = async (f: SourceFile): Promise<Loaded | 'zip'> => {
    if (f.size > MAX_FILE_BYTES) {
      // A zip may be bigger than any one file: it is read entry by entry.
      return (await sniff(f.path)) === 'zip' ? 'zip' : { ok: false, reason: SKIP.tooLarge };
    }
    try {
      if (f.size >= SNIFF_FROM_BYTES) {
        const kind = await sniff(f.path);
        if (kind === 'zip') return 'zip';
        if (kind === 'other') return { ok: false, reason: SKIP.notDicom };
      }
      const buf = await fsp.readFile(f.path);
      if (looksLikeZip(buf.subarray(0, 4))) return 'zip';
      return { ok: true, bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) };
    } catch {
      return { ok: false, reason: SKIP.unreadable };
    }
  };
  const fill = () => {
    while (next < found.files.length && queue.length < READ_AHEAD_FILES && (queue.length === 0 || queuedBytes < READ_AHEAD_BYTES)) {
      const f = found.files[next++]!;
      queuedBytes += Math.min(f.size, MAX_FILE_BYTES);
      queue.push({ file: f, load: load(f) });
    }
  };
  fill();
  while (queue.length > 0) {
    if (ctx.signal?.aborted) break;
    const { file, load: pending } = queue.shift()!;
    const loaded = await pending;
    queuedBytes -= Math.min(file.size, MAX_FILE_BYTES);
    fill();
    if (loaded === 'zip') {
      ctx.report.filesTotal--; // the archive's entries are counted instead
      await ctx.handleZip(file);
    } else if (!loaded.ok) ctx.skip(file.path, loaded.reason);
    else await ctx.handleBytes(file.path, loaded.bytes);
    ctx.fileDone(file.size, loaded !== 'zip');
  }
  // Whatever was read stays consistent: the current batch is committed, nothing more is read.
  if (ctx.signal?.aborted) await Promise.allSettled(queue.map((q) => q.load));
}

/** 'dicom' when the first bytes say so (or could: a raw data set), 'zip', or 'other'. */
async function sniff(file: string): Promise<'dicom' | 'zip' | 'other'> {
  const fh = await fsp.open(file, 'r');
  try {
    const head = Buffer.alloc(132);
    const { bytesRead } = await fh.read(head, 0, 132, 0);
    if (looksLikeZip(head.subarray(0, bytesRead))) return 'zip';
    if (bytesRead >= 132 && head.toString('latin1', 128, 132) === 'DICM') return 'dicom';
    // A data set without preamble starts with a group 0002 or 0008 tag (either byte order).
    const g = head.readUInt16LE(0);
    if (bytesRead >= 8 && (g === 0x0002 || g === 0x0008 || g === 0x0200 || g === 0x0800)) return 'dicom';
    return 'other';
  } finally {
    await fh.close();
  }
}

export function randomJobId(): string {
  return `job-${randomBytes(16).toString('hex')}`;
}
