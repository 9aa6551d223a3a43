import { useCallback, useEffect, useState } from 'react';
import type { ImportProgress, ImportSummary, SeriesListItem, StudyListItem } from '../src-shared/ipc/contract';
import { describeImport } from './importMessage';
import { ApiError, call, subscribe } from './api';
import { ImportBar } from './views/ImportBar';
import { StudyList } from './views/StudyList';
import { Viewer, type OpenRequest } from './viewer/Viewer';
import { hasWebGL2 } from './views/webgl';
import { StoreGate } from './views/StoreGate';

export function App() {
  const [studies, setStudies] = useState<StudyListItem[]>([]);
  const [series, setSeries] = useState<SeriesListItem[]>([]);
  const [studyId, setStudyId] = useState<string | null>(null);
  const [seriesId, setSeriesId] = useState<string | null>(null);
  const [progress, setProgress] = useState<ImportProgress | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [cacheOpen, setCacheOpen] = useState(false);
  const [request, setRequest] = useState<OpenRequest | null>(null);
  const [hideIdentifying, setHideIdentifying] = useState(false);
  const openSeries = (id: string) => {
    setSeriesId(id);
    if (studyId) setRequest((r) => ({ seriesId: id, studyId, seq: (r?.seq ?? 0) + 1 }));
  };

  const refresh = useCallback(async () => setStudies(await call('studies:list', {})), []);

  useEffect(() => {
    void call('store:status', {}).then((s) => setCacheOpen(s.state === 'open'));
    void refresh();
    const offProgress = subscribe('import:progress', setProgress);
    const offChanged = subscribe('studies:changed', () => void refresh());
    return () => { offProgress(); offChanged(); };
  }, [refresh]);

  /** Runs one import (dialog, quick view or drop) and says what it did; `null` means the user cancelled. */
  const runImport = async (start: () => Promise<ImportSummary | null>, verb: string) => {
    setBusy(true);
    setMessage(null);
    try {
      const summary = await start();
      if (summary) setMessage(describeImport(summary, verb));
      await refresh();
    } catch (e) {
      setMessage(e instanceof ApiError ? e.message : 'Import failed.');
    } finally {
      setBusy(false);
    }
  };
  const importFolder = (channel: 'import:chooseFolder' | 'quickview:chooseFolder') =>
    runImport(() => call(channel, {}), channel === 'quickview:chooseFolder' ? 'Opened (not saved)' : 'Imported');

  const openStudy = async (id: string) => {
    setStudyId(id);
    setSeriesId(null);
    try {
      setSeries(await call('series:list', { studyId: id }));
    } catch (e) {
      setMessage(e instanceof ApiError ? e.message : 'Could not list the series.');
    }
  };

  const onDrop = async (e: React.DragEvent) => {
    e.preventDefault();
    if (!cacheOpen || busy || e.dataTransfer.files.length === 0) return;
    const files = [...e.dataTransfer.files];
    await runImport(async () => {
      const envelope = await window.enclave.importDropped(files);
      if (!envelope.ok) throw new ApiError(envelope.error);
      return envelope.value;
    }, 'Imported');
  };

  const purge = async (id: string) => {
    try {
      await call('studies:purge', { studyId: id });
      setStudyId(null);
      setSeriesId(null);
      setMessage('The study was deleted from this computer.');
      await refresh();
    } catch (e) {
      setMessage(e instanceof ApiError ? e.message : 'The study could not be deleted.');
    }
  };

  return (
    <div className="app" onDragOver={(e) => e.preventDefault()} onDrop={(e) => void onDrop(e)}>
      <header className="toolbar">
        <span className="brand">Enclave</span>
        <button type="button" onClick={() => void importFolder('import:chooseFolder')} disabled={busy || !cacheOpen} data-testid="import-folder">Import folder…</button>
        <button type="button" onClick={() => void importFolder('quickview:chooseFolder')} disabled={busy} data-testid="quick-view" title="Open a CD or folder without keeping anything on this computer">Quick view…</button>
        {studies.some((s) => s.source === 'quickview') && (
          <button type="button" onClick={() => void call('quickview:close', {}).then(() => { setSeriesId(null); setStudyId(null); })} data-testid="quick-view-close">Close quick view</button>
        )}
        <ImportBar progress={busy ? progress : null} />
        {message && <span className="message" role="status">{message}</span>}
      </header>
      <main className="workspace">
        <StoreGate onOpen={() => { setCacheOpen(true); void refresh(); }} />
        <StudyList studies={studies} series={series} studyId={studyId} seriesId={seriesId} onOpenStudy={(id) => void openStudy(id)} onOpenSeries={openSeries} onPurge={(id) => void purge(id)} hideIdentifying={hideIdentifying} />
        <section className="viewer">
          {!hasWebGL2() ? (
            <p className="empty">This computer's graphics do not support WebGL 2, which Enclave needs to display images.</p>
          ) : (
            <Viewer request={request} studies={studies} hideIdentifying={hideIdentifying} onHideIdentifying={setHideIdentifying} />
          )}
        </section>
      </main>
    </div>
  );
}
