// Builds the handlers and the protocol from services: the one composition that Electron's main.ts,
// the browser harness and tests share, so all three run the same code.
import { isAbsolute } from 'node:path';
import type { CodecRegistry } from '../../../src-shared/dicom/codecs/codecTypes';
import { AppError } from '../../../src-shared/errors';
import type { ImportProgress, ImportSummary, StudyListItem } from '../../../src-shared/ipc/contract';
import { authorizeSeriesResource, guardRequests, type PermissionGuardOptions } from '../auth/permissionGuard';
import { securityHandlers } from '../auth/securityHandlers';
import { importPaths } from '../import/folderImport';
import { runImportInWorker } from '../import/importRunner';
import { createDispatcher, type Dispatch, type Handlers } from '../ipc/dispatch';
import type { Dialogs, EventSink } from '../platformPorts';
import { APP_ORIGIN, createAppProtocol, type AppProtocol } from '../protocol/appProtocol';
import { SeriesService } from '../series/seriesService';
import { EncryptedStudyStore } from '../store/encryptedStudyStore';
import { MemoryStudyStore } from '../store/memoryStudyStore';
import { searchInOrder, type StudySearchSource } from '../store/studySearch';
import type { StudyViewer } from '../store/studyRestrictions';
import type { StudyStore } from '../store/studyStore';
import { readInstanceTags } from '../tags/instanceTags';
import { createExportHandlers } from './exportHandlers';
import type { AuthGate } from '../users/authGate';
import { createAuthHandlers, noAccountsGate, noAccountsHandlers } from '../users/authHandlers';
import type { AuthSession } from '../users/authSession';
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
  /** User accounts over the encrypted cache (users/authSession.ts); absent: one local user with every right (memory store, harness). */
  auth?: AuthSession;
  /**
   * What the permission guard reads when there is no accounts session object: the guard's own tests drive it with
   * a principal they set. The accounts session is itself an AuthGate and wins when both are given.
   */
  gate?: AuthGate;
}

export interface AppServices {
  dispatch: Dispatch;
  appProtocol: AppProtocol;
  handlers: Handlers;
  series: SeriesService;
  /** Who is acting now: the permission guard asks it on every request. */
  auth: AuthGate;
  /** The quick-view store of this session (memory only), if one is open. */
  quickView(): MemoryStudyStore | null;
}

const QUICK_VIEW_PREFIX = 'qv-';

function searchOf(store: StudyStore, source: StudyListItem['source'], viewer?: StudyViewer): StudySearchSource {
  return async (q) => {
    const r = await store.searchStudies(q, viewer);
    return { studies: r.studies.map((s) => ({ ...s, source })), total: r.total };
  };
}

export function createAppServices(o: AppServicesOptions): AppServices {
  const gate: AuthGate | undefined = o.auth ?? o.gate;
  let quick: MemoryStudyStore | null = null;
  // Ids tell which store they belong to: quick-view ids carry a prefix the cache's ids never have.
  const storeFor = (id: string): StudyStore => (id.startsWith(QUICK_VIEW_PREFIX) ? quick ?? missing() : o.cache.get());
  const missing = (): never => { throw new AppError('NOT_FOUND', 'That quick view was closed.'); };
  const series = new SeriesService(storeFor, o.codecs, o.decodeWorkerPath ? { workerScript: o.decodeWorkerPath } : {});
  const jobs = new Map<string, AbortController>();
  // A lock or logout drops every decoded volume in main; the renderer hears 'auth:changed' and drops its own.
  o.auth?.onSessionEnd(() => series.closeAll());
  o.auth?.onChange((status) => o.events.emit('auth:changed', status));

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

  const openStore = (): StudyStore | null => (o.cache.current().state === 'open' ? o.cache.get() : null);
  const encrypted = (): EncryptedStudyStore => {
    const s = o.cache.get();
    if (!(s instanceof EncryptedStudyStore)) throw new AppError('STORE_LOCKED', 'Restrictions and the audit trail live in the encrypted cache, which is not open.');
    return s;
  };
  // Who is looking, for the study lists (restricted studies); undefined without accounts: lists as before.
  const viewer = (): StudyViewer | undefined => {
    const p = gate?.principal();
    return p ? { userId: p.userId, role: p.role, seesAllRestricted: p.permissions.includes('manageUsers') } : undefined;
  };
  const guard: PermissionGuardOptions | null = gate
    ? {
        auth: gate,
        audit: () => {
          const s = openStore();
          return s instanceof EncryptedStudyStore ? s.audit : null;
        },
        restrictions: () => openStore()?.restrictions ?? null,
      }
    : null;

  const policy = o.policy ?? defaultAppPolicy();
  const allHandlers: Handlers = {
    'app:info': async () => ({ name: 'Enclave', version: o.version, storeKind: o.storeKind }),
    'store:status': async () => o.cache.current(),
    'store:init': async () => o.cache.init(),
    'store:unlock': async ({ recoveryKey }) => o.cache.unlockWithRecoveryKey(recoveryKey),
    'studies:list': async () => {
      const out: StudyListItem[] = [];
      if (o.cache.current().state === 'open') out.push(...(await o.cache.get().listStudies(viewer())).map((s) => ({ ...s, source: 'cache' as const })));
      if (quick) out.push(...(await quick.listStudies()).map((s) => ({ ...s, source: 'quickview' as const })));
      return out;
    },
    'studies:search': async (q) => {
      const sources: StudySearchSource[] = [];
      if (quick) sources.push(searchOf(quick, 'quickview'));
      if (o.cache.current().state === 'open') sources.push(searchOf(o.cache.get(), 'cache', viewer()));
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
    ...createExportHandlers({
      storeFor, dialogs: o.dialogs, events: o.events, policy: () => policy.loaded.effective,
      actor: () => { const p = gate?.principal(); return p ? { userId: p.userId, role: p.role } : null; },
    }),
    ...(o.auth ? createAuthHandlers(o.auth) : noAccountsHandlers()),
    ...securityHandlers({ store: encrypted, actingUser: () => gate?.principal()?.userId }),
    ...pacsHandlers(policy.pacs ?? null, () => o.cache.get(), o.events),
  };
  const allowed = guardHandlers(allHandlers, policy.loaded.effective);
  const handlers = guard ? guardRequests(allowed, guard) : allowed;

  return {
    handlers,
    series,
    auth: gate ?? noAccountsGate(),
    quickView: () => quick,
    dispatch: createDispatcher(handlers, { appOrigin: o.appOrigin ?? APP_ORIGIN }),
    appProtocol: createAppProtocol({
      rendererDir: o.rendererDir,
      pixels: series,
      thumbnails: { thumbnail: async (seriesId) => storeFor(seriesId).getThumbnail?.(seriesId) ?? null },
      ...(guard ? { authorize: (resource: 'pixels' | 'thumbs', seriesId: string) => authorizeSeriesResource(guard, resource, seriesId) } : {}),
    }),
  };
}
