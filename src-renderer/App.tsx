import { useEffect, useState } from 'react';
import type { ImportProgress, ImportSummary, StudyListItem } from '../src-shared/ipc/contract';
import { describeImport } from './importMessage';
import { ApiError, call, subscribe } from './api';
import { ImportBar } from './views/ImportBar';
import { StudyBrowser } from './views/StudyBrowser';
import { Viewer, type OpenRequest } from './viewer/Viewer';
import { hasWebGL2 } from './views/webgl';
import { StoreGate } from './views/StoreGate';
import { SettingsPanel } from './views/SettingsPanel';
import { ExportDialog, type ExportChoice } from './export/ExportDialog';
import { useSession } from './auth/authContext';
import { BreakGlassButton } from './auth/BreakGlass';
import { UserMenu } from './auth/UserMenu';
import { UserManagement } from './auth/UserManagement';
import { AuditReview } from './audit/AuditReview';
import { PacsPanel } from './pacs/PacsPanel';
import { usePacsStatus } from './pacs/usePacsStatus';

export function App() {
  const session = useSession();
  const { mayCall } = session;
  const [panel, setPanel] = useState<'users' | 'audit' | null>(null);
  const [seriesId, setSeriesId] = useState<string | null>(null);
  const [progress, setProgress] = useState<ImportProgress | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [cacheOpen, setCacheOpen] = useState(false);
  const [quickViewOpen, setQuickViewOpen] = useState(false);
  const [refreshKey, setRefreshKey] = useState(0);
  const [request, setRequest] = useState<OpenRequest | null>(null);
  const [hideIdentifying, setHideIdentifying] = useState(false);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [exportChoices, setExportChoices] = useState<ExportChoice[] | null>(null);
  /** Machine policy may turn quick view off (main refuses it too); hidden until known. */
  const [quickViewAllowed, setQuickViewAllowed] = useState(false);
  /** Studies whose series were opened: the viewer labels images with them. */
  const [studies, setStudies] = useState<Map<string, StudyListItem>>(new Map());
  const [goneStudies, setGoneStudies] = useState<string[]>([]);
  /** The PACS panel stays mounted once opened (a retrieve runs on while it is hidden); null: never opened. */
  const [pacsOpen, setPacsOpen] = useState<boolean | null>(null);
  const pacs = usePacsStatus(mayCall('pacs:status'), `${session.status.state}:${session.status.user?.userId ?? ''}`);
  const refresh = () => setRefreshKey((k) => k + 1);

  useEffect(() => {
    void call('store:status', {}).then((s) => setCacheOpen(s.state === 'open'));
    void call('settings:status', {}).then((s) => setQuickViewAllowed(s.policy.effective.QuickViewAllowed === true), () => undefined);
    const offProgress = subscribe('import:progress', setProgress);
    const offChanged = subscribe('studies:changed', refresh);
    return () => { offProgress(); offChanged(); };
  }, []);

  const openSeries = (id: string, studyId: string, study: StudyListItem) => {
    setSeriesId(id);
    setStudies((m) => new Map(m).set(studyId, study));
    setRequest((r) => ({ seriesId: id, studyId, seq: (r?.seq ?? 0) + 1, at: performance.now() }));
  };

  /** Runs one import (dialog, quick view or drop) and says what it did; `null` means the user cancelled. */
  const runImport = async (start: () => Promise<ImportSummary | null>, verb: string, quickView = false) => {
    setBusy(true);
    setMessage(null);
    try {
      const summary = await start();
      if (summary) {
        setMessage(describeImport(summary, verb));
        if (quickView) setQuickViewOpen(true);
      }
      refresh();
    } catch (e) {
      setMessage(e instanceof ApiError ? e.message : 'Import failed.');
    } finally {
      setBusy(false);
    }
  };
  const importFolder = (channel: 'import:chooseFolder' | 'quickview:chooseFolder') =>
    runImport(() => call(channel, {}), channel === 'quickview:chooseFolder' ? 'Opened (not saved)' : 'Imported', channel === 'quickview:chooseFolder');

  const closeQuickView = async () => {
    await call('quickview:close', {});
    setQuickViewOpen(false);
    setSeriesId(null);
    setGoneStudies([...studies.values()].filter((s) => s.source === 'quickview').map((s) => s.studyId));
    refresh();
  };

  const onDrop = async (e: React.DragEvent) => {
    // Series dragged inside the app are the viewports' business; files from the desktop are imported.
    if (e.defaultPrevented) return;
    e.preventDefault();
    if (!cacheOpen || busy || e.dataTransfer.files.length === 0) return;
    const files = [...e.dataTransfer.files];
    await runImport(async () => {
      const envelope = await window.enclave.importDropped(files);
      if (!envelope.ok) throw new ApiError(envelope.error);
      return envelope.value;
    }, 'Imported');
  };

  // Locked: the reading room and the study list unmount (vtk objects, textures and voxel arrays released,
  // no patient on the page); what was open comes back after unlock because `request` is kept here.
  if (session.status.state === 'locked') return null;
  const canView = mayCall('studies:search');
  // Someone without image rights (an auditor) starts in the audit review: there is nothing else to see.
  const showPacs = pacs.state === 'on' && canView && mayCall('pacs:find');
  const showAudit = panel === 'audit' || (!canView && mayCall('audit:query') && panel !== 'users' && session.status.state === 'active');

  return (
    <div className="app" onDragOver={(e) => e.preventDefault()} onDrop={(e) => void onDrop(e)}>
      <header className="toolbar" data-pacs={pacs.state}>
        <span className="brand">Enclave</span>
        {mayCall('import:chooseFolder') && <button type="button" onClick={() => void importFolder('import:chooseFolder')} disabled={busy || !cacheOpen} data-testid="import-folder">Import folder…</button>}
        {quickViewAllowed && mayCall('quickview:chooseFolder') && <button type="button" onClick={() => void importFolder('quickview:chooseFolder')} disabled={busy} data-testid="quick-view" title="Open a CD or folder without keeping anything on this computer">Quick view…</button>}
        {showPacs && <button type="button" className={pacsOpen ? 'selected' : undefined} onClick={() => setPacsOpen(!pacsOpen)} aria-expanded={pacsOpen === true} aria-controls="pacs-panel" data-testid="pacs-open" title="Search the hospital archive and retrieve studies">PACS</button>}
        {quickViewOpen && <button type="button" onClick={() => void closeQuickView()} data-testid="quick-view-close">Close quick view</button>}
        <ImportBar progress={busy ? progress : null} />
        {message && <span className="message" role="status">{message}</span>}
        <BreakGlassButton />
        {mayCall('audit:query') && <button type="button" className={showAudit ? 'selected' : undefined} onClick={() => setPanel(showAudit ? null : 'audit')} aria-haspopup="dialog" data-testid="audit-open">Audit trail</button>}
        {mayCall('users:list') && <button type="button" onClick={() => setPanel('users')} aria-haspopup="dialog" data-testid="users-open">Users…</button>}
        <button type="button" className="settings-open" onClick={() => setSettingsOpen(true)} data-testid="settings-open" aria-haspopup="dialog">Settings</button>
        <UserMenu />
      </header>
      {settingsOpen && <SettingsPanel onClose={() => setSettingsOpen(false)} />}
      {exportChoices && <ExportDialog choices={exportChoices} onClose={() => setExportChoices(null)} />}
      {panel === 'users' && <UserManagement onClose={() => setPanel(null)} />}
      {showAudit && <AuditReview onClose={() => setPanel(null)} />}
      <main className="workspace">
        <StoreGate onOpen={() => { setCacheOpen(true); refresh(); session.refresh(); }} />
        {canView ? (
          <>
            <StudyBrowser onOpenSeries={openSeries} selectedSeriesId={seriesId} refreshKey={refreshKey} hideIdentifying={hideIdentifying} onPurged={(id) => setGoneStudies([id])} canPurge={mayCall('studies:purge')} canRestrict={mayCall('studies:restrict')} {...(mayCall('export:run') ? { onExport: setExportChoices } : {})} />
            {showPacs && pacsOpen !== null && <PacsPanel open={pacsOpen} nodes={pacs.nodes} canRetrieve={mayCall('pacs:retrieve')} hideIdentifying={hideIdentifying} onClose={() => setPacsOpen(false)} />}
            <section className="viewer">
              {!hasWebGL2() ? (
                <p className="empty">This computer's graphics do not support WebGL 2, which Enclave needs to display images.</p>
              ) : (
                <Viewer request={request} goneStudies={goneStudies} studies={[...studies.values()]} hideIdentifying={hideIdentifying} onHideIdentifying={setHideIdentifying} {...(mayCall('export:run') ? { onExport: setExportChoices } : {})} />
              )}
            </section>
          </>
        ) : (
          session.status.state === 'active' && <p className="empty" data-testid="no-view">Your role does not include viewing images. In an emergency, “Emergency access…” opens them for a limited time, with a reason that is recorded.</p>
        )}
      </main>
    </div>
  );
}
