// Builds the handlers and the protocol from services: the one composition that Electron's main.ts,
// the browser harness and tests share, so all three run the same code.
import type { CodecRegistry } from '../../../src-shared/dicom/codecs/codecTypes';
import { AppError } from '../../../src-shared/errors';
import type { ImportSummary } from '../../../src-shared/ipc/contract';
import { importFolder } from '../import/folderImport';
import { createDispatcher, type Dispatch, type Handlers } from '../ipc/dispatch';
import type { Dialogs, EventSink } from '../platformPorts';
import { APP_ORIGIN, createAppProtocol, type AppProtocol } from '../protocol/appProtocol';
import { SeriesService } from '../series/seriesService';
import type { StudyStore } from '../store/studyStore';

export interface AppServicesOptions {
  store: StudyStore;
  storeKind: 'memory' | 'encrypted';
  codecs: CodecRegistry;
  dialogs: Dialogs;
  events: EventSink;
  rendererDir: string;
  version: string;
  appOrigin?: string;
}

export interface AppServices {
  dispatch: Dispatch;
  appProtocol: AppProtocol;
  handlers: Handlers;
  series: SeriesService;
}

export function createAppServices(o: AppServicesOptions): AppServices {
  const series = new SeriesService(o.store, o.codecs);
  const jobs = new Map<string, AbortController>();

  const handlers: Handlers = {
    'app:info': async () => ({ name: 'Enclave', version: o.version, storeKind: o.storeKind }),
    'studies:list': async () => o.store.listStudies(),
    'import:chooseFolder': async (): Promise<ImportSummary | null> => {
      const folder = await o.dialogs.chooseFolder();
      if (!folder) return null;
      const controller = new AbortController();
      let jobId = '';
      const summary = await importFolder(o.store, folder, {
        signal: controller.signal,
        onProgress: (p) => {
          if (!jobId) {
            jobId = p.jobId;
            jobs.set(jobId, controller);
          }
          o.events.emit('import:progress', p);
        },
      });
      jobs.delete(summary.jobId);
      o.events.emit('studies:changed', {});
      return summary;
    },
    'import:cancel': async ({ jobId }) => {
      const job = jobs.get(jobId);
      job?.abort();
      return { cancelled: job !== undefined };
    },
    'series:list': async ({ studyId }) => {
      const list = await o.store.listSeries(studyId);
      if (list.length === 0) throw new AppError('NOT_FOUND', 'Study not found.');
      return list.map(({ seriesId, seriesNumber, seriesDescription, modality, instanceCount }) => ({ seriesId, seriesNumber, seriesDescription, modality, instanceCount }));
    },
    'series:open': async ({ seriesId }) => series.openSeries(seriesId),
  };

  return {
    handlers,
    series,
    dispatch: createDispatcher(handlers, { appOrigin: o.appOrigin ?? APP_ORIGIN }),
    appProtocol: createAppProtocol({ rendererDir: o.rendererDir, pixels: series }),
  };
}
