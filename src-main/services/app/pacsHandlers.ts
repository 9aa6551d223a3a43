// The query panel's channels over the PACS service: status (absent unless policy lists nodes), search with the
// studies the cache already holds marked, series, a retrieve into the encrypted cache with progress events and
// cancel. With no PACS service (no network services started) or no node, every channel but status is refused.
import { randomBytes } from 'node:crypto';
import { AppError } from '../../../src-shared/errors';
import type { Handlers } from '../ipc/dispatch';
import type { PacsService } from '../network/pacs/pacsService';
import type { EventSink } from '../platformPorts';
import type { StudyStore } from '../store/studyStore';

export type PacsApi = Pick<PacsService, 'enabled' | 'nodes' | 'findStudies' | 'findSeries' | 'retrieve'>;

type PacsChannels = 'pacs:status' | 'pacs:find' | 'pacs:series' | 'pacs:retrieve' | 'pacs:cancel';

export function pacsHandlers(pacs: PacsApi | null, cache: () => StudyStore, events: EventSink): Pick<Handlers, PacsChannels> {
  const jobs = new Map<string, AbortController>();
  const require = (): PacsApi => {
    if (!pacs?.enabled()) throw new AppError('PERMISSION_DENIED', 'PACS is not available: your organisation’s policy lists no PACS node.');
    return pacs;
  };
  return {
    'pacs:status': async () => (pacs?.enabled() ? { enabled: true, nodes: pacs.nodes() } : { enabled: false, nodes: [] }),
    'pacs:find': async ({ node, query, protocol }) => {
      const studies = await require().findStudies(node, query, protocol ? { protocol } : {});
      const store = cache();
      return studies.map((s) => ({ ...s, cached: (store.studyIdOf?.(s.studyInstanceUid) ?? null) !== null }));
    },
    'pacs:series': async ({ node, studyUid, protocol }) => require().findSeries(node, studyUid, protocol ? { protocol } : {}),
    'pacs:retrieve': async ({ node, studyUid, seriesUid, protocol, method }) => {
      const service = require();
      const jobId = `pacs-${randomBytes(12).toString('hex')}`;
      const controller = new AbortController();
      jobs.set(jobId, controller);
      try {
        const r = await service.retrieve(node, { studyUid, ...(seriesUid ? { seriesUid } : {}) }, cache(), {
          signal: controller.signal,
          ...(protocol ? { protocol } : {}),
          // The service refuses 'move' for a node without a listener in policy, before anything connects.
          ...(method ? { method } : {}),
          onProgress: (p) => events.emit('pacs:progress', { jobId, seriesDone: p.seriesDone, seriesTotal: p.seriesTotal, filesDone: p.filesDone, bytesDone: p.bytesDone, done: false }),
        });
        events.emit('pacs:progress', { jobId, seriesDone: r.series, seriesTotal: r.series, filesDone: r.added + r.duplicates, bytesDone: r.bytes, done: true });
        return { jobId, ...r };
      } finally {
        jobs.delete(jobId);
        events.emit('studies:changed', {});
      }
    },
    'pacs:cancel': async ({ jobId }) => {
      const job = jobs.get(jobId);
      job?.abort();
      return { cancelled: job !== undefined };
    },
  };
}
