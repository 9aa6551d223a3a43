// Builds the handlers and the protocol from services: the one composition that Electron's main.ts,
// the browser harness and tests share, so all three run the same code.
import { isAbsolute } from 'node:path';
import type { CodecRegistry } from '../../../src-shared/dicom/codecs/codecTypes';
import { AppError } from '../../../src-shared/errors';
import type { ImportProgress, ImportSummary, StudyListItem } from '../../../src-shared/ipc/contract';
import { importPaths } from '../import/folderImport';
import { runImportInWorker } from '../import/importRunner';
import { createDispatcher, type Dispatch, type Handlers } from '../ipc/dispatch';
import type { Dialogs, EventSink } from '../platformPorts';
import { APP_ORIGIN, createAppProtocol, type AppProtocol } from '../protocol/appProtocol';
import { SeriesService } from '../series/seriesService';
import { MemoryStudyStore } from '../store/memoryStudyStore';
import { searchInOrder, type StudySearchSource } from '../store/studySearch';
import type { StudyStore } from '../store/studyStore';
import { readInstanceTags } from '../tags/instanceTags';
import { pacsHandlers } from './pacsHandlers';
import { defaultAppPolicy, guardHandlers, type AppPolicy } from './policyWiring';
import { settingsStatus } from './settingsStatus';
import type { CacheSession } from './storeSession';

export interface AppServicesOptions {
  cache: CacheSession;
  storeKind: 'memory' | 'encrypted';
  codecs: CodecRegistry;
  dialogs: Dialogs;
  events: EventSink;
  rendererDir: string;
  version: string;
  appOrigin?: string;
  /** The decode worker bundle (dist/main/decodeWorker.cjs); without it pixels decode on the calling thread. */
  decodeWorkerPath?: string;
  /** The import worker bundle (dist/main/importWorker.cjs); without it files are read and parsed on the calling thread. */
  importWorkerPath?: string;
  /** The machine policy and network services (policyWiring.ts); default: no policy, no network. */
  policy?: AppPolicy;
}

export interface AppServices {
  dispatch: Dispatch;
  appProtocol: AppProtocol;
  handlers: Handlers;
  series: SeriesService;
  /** The quick-view store of this session (memory only), if one is open. */
  quickView(): MemoryStudyStore | null;
}

const QUICK_VIEW_PREFIX = 'qv-';

function searchOf(store: StudyStore, source: StudyListItem['source']): StudySearchSource {
  return async (q) => {
    const r = await store.searchStudies(q);
    return { studies: r.studies.map((s) => ({ ...s, source })), total: r.total };
  };
}

export function createAppServices(o: AppServicesOptions): AppServices {
  let quick: MemoryStudyStore | null = null;
  // Ids tell which store they belong to: quick-view ids carry a prefix the cache's ids never have.
  const storeFor = (id: string): StudyStore => (id.startsWith(QUICK_VIEW_PREFIX) ? quick ?? missing() : o.cache.get());
  const missing = (): never => { throw new AppError('NOT_FOUND', 'That quick view was closed.'); };
  const series = new SeriesService(storeFor, o.codecs, o.decodeWorkerPath ? { workerScript: o.decodeWorkerPath } : {});
  const jobs = new Map<string, AbortController>();

  /** One import job over the chosen folder or the dropped paths: one progress bar, one audit event. */
  const runImport = async (target: StudyStore, chosen?: string[]): Promise<ImportSummary | null> => {
    const paths = chosen ?? [await o.dialogs.chooseFolder()].filter((p): p is string => p !== null);
    if (paths.length === 0) return null;
    const controller = new AbortController();
    let jobId = '';
    try {
      const options = {
        signal: controller.signal,
        onProgress: (p: ImportProgress) => {
          if (!jobId) {
            jobId = p.jobId;
            jobs.set(jobId, controller);
          }
          o.events.emit('import:progress', p);
        },
      };
      // The worker reads, hashes and parses; batches come back to `target` here (one transaction each).
      return o.importWorkerPath
        ? await runImportInWorker(paths, { kind: 'main', store: target }, { ...options, workerScript: o.importWorkerPath })
        : await importPaths(target, paths, options);
    } finally {
      jobs.delete(jobId);
      o.events.emit('studies:changed', {});
    }
  };

  const policy = o.policy ?? defaultAppPolicy();
  const allHandlers: Handlers = {
    'app:info': async () => ({ name: 'Enclave', version: o.version, storeKind: o.storeKind }),
    'store:status': async () => o.cache.current(),
    'store:init': async () => o.cache.init(),
    'store:unlock': async ({ recoveryKey }) => o.cache.unlockWithRecoveryKey(recoveryKey),
    'studies:list': async () => {
      const out: StudyListItem[] = [];
      if (o.cache.current().state === 'open') out.push(...(await o.cache.get().listStudies()).map((s) => ({ ...s, source: 'cache' as const })));
      if (quick) out.push(...(await quick.listStudies()).map((s) => ({ ...s, source: 'quickview' as const })));
      return out;
    },
    'studies:search': async (q) => {
      const sources: StudySearchSource[] = [];
      if (quick) sources.push(searchOf(quick, 'quickview'));
      if (o.cache.current().state === 'open') sources.push(searchOf(o.cache.get(), 'cache'));
      return searchInOrder(sources, q);
    },
    'import:chooseFolder': async () => runImport(o.cache.get()),
    'import:paths': async ({ paths }) => {
      // Dropped paths come from the preload's webUtils.getPathForFile; still, accept only absolute ones.
      if (paths.some((p) => !isAbsolute(p) || p.includes('\0'))) throw new AppError('INVALID_REQUEST', 'Only files and folders dropped on the window can be imported.');
      return (await runImport(o.cache.get(), paths))!;
    },
    'studies:purge': async ({ studyId }) => {
      series.closeAll();
      await storeFor(studyId).purgeStudy(studyId);
      o.events.emit('studies:changed', {});
      return { purged: true as const };
    },
    'studies:purgeAll': async () => {
      series.closeAll();
      const result = await o.cache.get().purgeAll();
      o.events.emit('studies:changed', {});
      return result;
    },
    'import:cancel': async ({ jobId }) => {
      const job = jobs.get(jobId);
      job?.abort();
      return { cancelled: job !== undefined };
    },
    'quickview:chooseFolder': async () => {
      const fresh = new MemoryStudyStore(QUICK_VIEW_PREFIX);
      const summary = await runImport(fresh);
      if (summary) {
        await quick?.close();
        quick = fresh;
        series.closeAll();
        o.events.emit('studies:changed', {});
      }
      return summary;
    },
    'quickview:close': async () => {
      const had = quick !== null;
      await quick?.close();
      quick = null;
      series.closeAll();
      o.events.emit('studies:changed', {});
      return { closed: had };
    },
    'series:list': async ({ studyId }) => {
      const store = storeFor(studyId);
      const list = await store.listSeries(studyId);
      if (list.length === 0) throw new AppError('NOT_FOUND', 'Study not found.');
      store.markAccessed?.(studyId);
      return list.map(({ seriesId, seriesNumber, seriesDescription, modality, instanceCount }) => ({ seriesId, seriesNumber, seriesDescription, modality, instanceCount }));
    },
    'series:open': async ({ seriesId }) => series.openSeries(seriesId),
    // Quick-view series keep theirs in memory (gone when it closes); cache series in the encrypted store.
    'annotations:list': async ({ seriesId }) => storeFor(seriesId).listAnnotations(seriesId),
    'annotations:save': async ({ seriesId, annotations }) => storeFor(seriesId).saveAnnotations(seriesId, annotations),
    'instance:tags': async ({ instanceId, frameIndex }) => readInstanceTags(storeFor(instanceId), instanceId, frameIndex),
    'settings:status': async () => settingsStatus(policy.loaded, policy.network),
    ...pacsHandlers(policy.pacs ?? null, () => o.cache.get(), o.events),
  };
  const handlers = guardHandlers(allHandlers, policy.loaded.effective);

  return {
    handlers,
    series,
    quickView: () => quick,
    dispatch: createDispatcher(handlers, { appOrigin: o.appOrigin ?? APP_ORIGIN }),
    appProtocol: createAppProtocol({
      rendererDir: o.rendererDir,
      pixels: series,
      thumbnails: { thumbnail: async (seriesId) => storeFor(seriesId).getThumbnail?.(seriesId) ?? null },
    }),
  };
}
