// The reading room: layout of viewports over the viewer model (state as data, changed only by the
// shared pure reducer), series opened once and their pixels held once per series however many
// viewports show them, keyboard habits, cine, synchronised scrolling and saved measurements.
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import type { SeriesView, StudyListItem, VoiWindowInfo } from '../../src-shared/ipc/contract';
import { windowPresets } from '../../src-shared/viewer/presets';
import { commandForKey, SHORTCUT_HELP, type ShortcutCommand } from '../../src-shared/viewer/shortcuts';
import { fitCamera, planeOfSlice, type ImagePlane } from '../../src-shared/viewer/viewGeometry';
import { initialViewerState, layoutCells, LAYOUTS, type ToolId, type ViewerState } from '../../src-shared/viewer/viewerState';
import { linkedSlices, syncedCameras, syncedSlices, viewerReducer, type ViewerAction } from '../../src-shared/viewer/viewerReducer';
import { ApiError, call } from '../api';
import { initialMprState } from '../../src-shared/viewer/mprState';
import { MprLayout } from '../mpr/MprLayout';
import { TagBrowser } from '../views/TagBrowser';
import { seriesVolumeFor, useSeriesVolumes } from './useSeriesVolumes';
import { recordTiming } from './viewerTimings';
import { ViewportCell } from './ViewportCell';
import type { ExportChoice } from '../export/ExportDialog';

export interface OpenRequest {
  seriesId: string;
  studyId: string;
  /** Bumps on every click, so opening the same series again re-assigns it. */
  seq: number;
  /** Viewport to open into; the active one when absent. */
  viewport?: number;
  /** performance.now() of the user's click, where "open -> first pixels" starts. */
  at?: number;
}

interface Props {
  request: OpenRequest | null;
  /** Studies that are gone (a quick view closed, a study deleted): their series leave the viewports. */
  goneStudies: readonly string[];
  studies: StudyListItem[];
  hideIdentifying: boolean;
  onHideIdentifying(hide: boolean): void;
  /** Opens the export dialog with what the viewer shows (this image, this series, the study). */
  onExport?(choices: ExportChoice[]): void;
}

const TOOLS: { id: ToolId; label: string }[] = [
  { id: 'windowLevel', label: 'W/L' }, { id: 'pan', label: 'Pan' }, { id: 'zoom', label: 'Zoom' },
  { id: 'length', label: 'Length' }, { id: 'angle', label: 'Angle' }, { id: 'cobb', label: 'Cobb' },
  { id: 'ellipse', label: 'Ellipse' }, { id: 'rectangle', label: 'Rect' }, { id: 'probe', label: 'Probe' },
  { id: 'arrow', label: 'Arrow' }, { id: 'text', label: 'Text' }, { id: 'redaction', label: 'Redact' }, { id: 'select', label: 'Select' },
];
const SAVE_DELAY_MS = 400;
const OVERLAY_LABELS = { corners: 'Text', orientation: 'Labels', scaleBar: 'Scale', annotations: 'Marks' } as const;

export function Viewer({ request, goneStudies, studies, hideIdentifying, onHideIdentifying, onExport }: Props) {
  const [state, rawDispatch] = useReducer(viewerReducer, undefined, initialViewerState);
  const stateRef = useRef<ViewerState>(state);
  stateRef.current = state;
  const [views, setViews] = useState<Map<string, SeriesView>>(new Map());
  const viewsRef = useRef(views);
  viewsRef.current = views;
  const [errors, setErrors] = useState<Map<string, string>>(new Map());
  const openedAt = useRef(new Map<string, number>());
  const [showTags, setShowTags] = useState(false);
  const [showHelp, setShowHelp] = useState(false);
  const loadedAnnotations = useRef(new Set<string>());

  // Synchronised viewports: a slice change moves the others sharing its frame of reference (by position) or,
  // when linked by hand, by the same number of slices; a camera change carries over when pan/zoom sync is on.
  const dispatch = useCallback((action: ViewerAction) => {
    const before = stateRef.current;
    rawDispatch(action);
    const views = (id: string) => viewsRef.current.get(id);
    const apply = (next: ViewerState) => next.viewports.forEach((v, i) => {
      const was = before.viewports[i];
      if (i === (action as { viewport?: number }).viewport || !was || !v.seriesId) return;
      if (v.slice !== was.slice) rawDispatch({ type: 'slice', viewport: i, slice: v.slice, sliceCount: views(v.seriesId)?.dimensions[2] ?? 1 });
      if (v.camera !== was.camera && v.camera) rawDispatch({ type: 'camera', viewport: i, camera: v.camera });
    });
    if (action.type === 'camera' && before.sync.panZoom) {
      apply(syncedCameras(viewerReducer(before, action), action.viewport, views));
      return;
    }
    if (action.type !== 'slice') return;
    const vp = before.viewports[action.viewport];
    const view = vp?.seriesId ? views(vp.seriesId) : undefined;
    if (!vp || !view) return;
    const k = Math.max(0, Math.min(action.sliceCount - 1, action.slice));
    const after = viewerReducer(before, action);
    if (before.sync.link) apply(linkedSlices(after, action.viewport, k - vp.slice, (id) => views(id)?.dimensions[2] ?? 1));
    else if (before.sync.scroll && view.kind === 'volume') {
      const plane = planeOfSlice(view, k);
      const centre = [0, 1, 2].map((a) => plane.origin[a]! + (plane.rowDir[a]! * plane.spacing[0] * (plane.columns - 1)) / 2 + (plane.colDir[a]! * plane.spacing[1] * (plane.rows - 1)) / 2) as [number, number, number];
      apply(syncedSlices(after, action.viewport, centre, views));
    }
  }, []);

  const openInto = useCallback(async (seriesId: string, viewport: number, at = performance.now()) => {
    openedAt.current.set(seriesId, at);
    try {
      // Always through main: it records the access (audit) and reopens a series it had let go.
      const view = await call('series:open', { seriesId });
      recordTiming(seriesId, 'opened', performance.now() - at, true);
      const slice = view.kind === 'volume' ? Math.floor(view.dimensions[2] / 2) : 0;
      // The first slice is asked for now, before React renders the viewport that will show it.
      const alongside = stateRef.current.viewports.flatMap((v, i) => (i !== viewport && v.seriesId && viewsRef.current.has(v.seriesId) ? [v.seriesId] : []));
      seriesVolumeFor(view, alongside).setFocus(slice);
      setViews((m) => new Map(m).set(seriesId, view));
      rawDispatch({ type: 'assign', viewport, seriesId, slice });
      if (view.cine) rawDispatch({ type: 'cine', viewport, playing: false, fps: 1000 / view.cine.frameTimeMs });
      if (!loadedAnnotations.current.has(seriesId)) {
        loadedAnnotations.current.add(seriesId);
        const saved = await call('annotations:list', { seriesId });
        const others = stateRef.current.annotations.filter((a) => a.seriesId !== seriesId);
        rawDispatch({ type: 'setAnnotations', annotations: [...others, ...saved] });
      }
    } catch (e) {
      setErrors((m) => new Map(m).set(seriesId, e instanceof ApiError ? e.message : 'This series could not be opened.'));
      rawDispatch({ type: 'assign', viewport, seriesId, slice: 0 });
    }
  }, []);

  useEffect(() => {
    if (request) void openInto(request.seriesId, request.viewport ?? stateRef.current.active, request.at);
  }, [request, openInto]);

  useEffect(() => {
    if (goneStudies.length === 0) return;
    const gone = [...viewsRef.current.values()].filter((v) => goneStudies.includes(v.studyId)).map((v) => v.seriesId);
    if (gone.length === 0) return;
    rawDispatch({ type: 'unassign', seriesIds: gone });
    setViews((m) => new Map([...m].filter(([id]) => !gone.includes(id))));
    for (const id of gone) loadedAnnotations.current.delete(id);
  }, [goneStudies]);

  const volumes = useSeriesVolumes(state.viewports, views);

  // Saved measurements: the whole set of a series after each change, debounced.
  const lastSaved = useRef(new Map<string, string>());
  const saveChanged = useCallback(async () => {
    const bySeries = new Map<string, ViewerState['annotations']>();
    for (const id of loadedAnnotations.current) bySeries.set(id, []);
    for (const a of stateRef.current.annotations) bySeries.get(a.seriesId)?.push(a);
    const saving: Promise<unknown>[] = [];
    for (const [seriesId, list] of bySeries) {
      const json = JSON.stringify(list);
      if (lastSaved.current.get(seriesId) === json) continue;
      if (!lastSaved.current.has(seriesId) && list.length === 0) { lastSaved.current.set(seriesId, json); continue; }
      lastSaved.current.set(seriesId, json);
      saving.push(call('annotations:save', { seriesId, annotations: list }).catch(() => undefined));
    }
    await Promise.all(saving);
  }, []);
  useEffect(() => {
    const timer = setTimeout(() => void saveChanged(), SAVE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [state.annotations, saveChanged]);

  // Export of this image or this series: redactions just drawn are saved first, so main applies them.
  const openExport = async () => {
    const vp = stateRef.current.viewports[stateRef.current.active];
    const view = vp?.seriesId ? viewsRef.current.get(vp.seriesId) : undefined;
    if (!vp || !view || !onExport) return;
    await saveChanged();
    const frame = view.frames[Math.min(vp.slice, view.frames.length - 1)];
    const voi = vp.window ?? view.display.defaultWindow;
    const choices: ExportChoice[] = [];
    const what = [view.modality, view.seriesDescription].filter(Boolean).join(' ');
    if (frame) choices.push({ label: `This image (${what}, image ${vp.slice + 1} of ${view.frames.length})`, scope: { seriesId: view.seriesId, instanceIds: [frame.instanceId] }, image: { frame: frame.frameIndex, window: { center: voi.center, width: voi.width } } });
    choices.push({ label: `This series (${what}, ${view.frames.length} image${view.frames.length === 1 ? '' : 's'})`, scope: { seriesId: view.seriesId } });
    choices.push({ label: 'The whole study', scope: { studyId: view.studyId } });
    onExport(choices);
  };

  const activeVp = state.viewports[state.active];
  const activeView = activeVp?.seriesId ? views.get(activeVp.seriesId) ?? null : null;
  const presets = useMemo(() => (activeView ? windowPresets(activeView) : []), [activeView]);

  // MPR shows the active viewport's series: opening another series while MPR is up reformats that one (as
  // Horos and RadiAnt do), a series that is not a volume closes MPR, and the old volume's views are released.
  const mprSeries = state.mpr?.seriesId ?? null;
  const mprShow3d = state.mpr?.show3d ?? false;
  useEffect(() => {
    if (!mprSeries || !activeVp?.seriesId || activeVp.seriesId === mprSeries || !activeView) return;
    rawDispatch({ type: 'openMpr', mpr: activeView.kind === 'volume' ? initialMprState(activeView, mprShow3d) : null });
  }, [mprSeries, mprShow3d, activeVp?.seriesId, activeView]);

  const runCommand = useCallback((cmd: ShortcutCommand) => {
    const s = stateRef.current;
    const i = s.active;
    const vp = s.viewports[i];
    const view = vp?.seriesId ? viewsRef.current.get(vp.seriesId) : undefined;
    const n = view?.dimensions[2] ?? 1;
    if (typeof cmd === 'object') {
      const p = view ? windowPresets(view)[cmd.preset - 1] : undefined;
      if (p) dispatch({ type: 'window', viewport: i, window: p });
      return;
    }
    switch (cmd) {
      case 'nextImage': return dispatch({ type: 'slice', viewport: i, slice: (vp?.slice ?? 0) + 1, sliceCount: n });
      case 'prevImage': return dispatch({ type: 'slice', viewport: i, slice: (vp?.slice ?? 0) - 1, sliceCount: n });
      case 'firstImage': return dispatch({ type: 'slice', viewport: i, slice: 0, sliceCount: n });
      case 'lastImage': return dispatch({ type: 'slice', viewport: i, slice: n - 1, sliceCount: n });
      case 'nextSeries':
      case 'prevSeries': {
        const step = cmd === 'nextSeries' ? 1 : -1;
        const ids = [...viewsRef.current.keys()];
        const at = vp?.seriesId ? ids.indexOf(vp.seriesId) : -1;
        const next = ids[(at + step + ids.length) % Math.max(1, ids.length)];
        if (next && next !== vp?.seriesId) void openInto(next, i);
        return;
      }
      case 'invert': return dispatch({ type: 'invert', viewport: i });
      case 'rotateRight': return dispatch({ type: 'rotate', viewport: i, quarterTurns: 1 });
      case 'rotateLeft': return dispatch({ type: 'rotate', viewport: i, quarterTurns: -1 });
      case 'flipH': return dispatch({ type: 'flip', viewport: i, axis: 'h' });
      case 'flipV': return dispatch({ type: 'flip', viewport: i, axis: 'v' });
      case 'reset': return dispatch({ type: 'resetView', viewport: i });
      case 'fit': {
        if (!view || !vp) return;
        const host = document.querySelectorAll<HTMLElement>('[data-testid="viewport"]')[i];
        const plane = planeOfSlice(view, vp.slice);
        const fitted = fitCamera(plane, { width: host?.clientWidth ?? 512, height: host?.clientHeight ?? 512 }, vp.camera?.rotation ?? 0);
        return dispatch({ type: 'camera', viewport: i, camera: { ...fitted, flipH: vp.camera?.flipH ?? false, flipV: vp.camera?.flipV ?? false } });
      }
      case 'actualSize': {
        if (!view || !vp?.camera) return;
        return dispatch({ type: 'camera', viewport: i, camera: { ...vp.camera, mmPerPx: Math.min(view.spacing[0], view.spacing[1]) } });
      }
      case 'cine': return dispatch({ type: 'cine', viewport: i, playing: !vp?.cine?.playing });
      case 'cancel': setShowHelp(false); setShowTags(false); return dispatch({ type: 'select', id: null });
      case 'undo': return dispatch({ type: 'undo' });
      case 'redo': return dispatch({ type: 'redo' });
      case 'help': return setShowHelp((v) => !v);
      case 'delete': if (s.selected) dispatch({ type: 'deleteAnnotation', id: s.selected }); return;
    }
  }, [dispatch, openInto]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.isContentEditable)) return;
      const cmd = commandForKey(e);
      if (!cmd) return;
      e.preventDefault();
      runCommand(cmd);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [runCommand]);

  // Cine: each playing viewport advances at its own rate, wrapping at the end.
  useEffect(() => {
    const playing = state.viewports.map((v, i) => ({ v, i })).filter(({ v }) => v.cine?.playing && v.seriesId);
    if (playing.length === 0) return;
    const started = performance.now();
    const from = new Map(playing.map(({ v, i }) => [i, v.slice]));
    let raf = 0;
    const tick = () => {
      const t = performance.now() - started;
      for (const { v, i } of playing) {
        const n = viewsRef.current.get(v.seriesId!)?.dimensions[2] ?? 1;
        const k = (from.get(i)! + Math.floor((t / 1000) * (v.cine?.fps ?? 10))) % n;
        if (stateRef.current.viewports[i]?.slice !== k) rawDispatch({ type: 'slice', viewport: i, slice: k, sliceCount: n });
      }
      raf = requestAnimationFrame(tick);
    };
    raf = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(raf);
  }, [state.viewports.map((v) => `${v.cine?.playing ? 1 : 0}:${v.cine?.fps ?? 0}:${v.seriesId}`).join('|')]);

  useEffect(() => rawDispatch({ type: 'hideIdentifying', hide: hideIdentifying }), [hideIdentifying]);

  // Compare: the same patient's most recent earlier study, into the next viewport.
  // Compare: the same patient's most recent earlier study, into the next viewport.
  const [priors, setPriors] = useState<StudyListItem[]>([]);
  const openPrior = async () => {
    const study = activeVp?.seriesId ? studyOf(activeVp.seriesId) : null;
    if (!study?.patientId) return;
    const found = await call('studies:search', { patientId: study.patientId, sort: { by: 'date', direction: 'desc' }, limit: 50, offset: 0 });
    const prior = found.studies.find((s) => s.patientId === study.patientId && s.studyId !== study.studyId && s.studyDate <= study.studyDate);
    if (!prior) return setErrors((m) => new Map(m).set('prior', 'No earlier study of this patient is in the cache.'));
    setPriors((p) => [...p, prior]);
    const series = await call('series:list', { studyId: prior.studyId });
    const same = series.find((s) => s.modality === activeView?.modality) ?? series[0];
    if (!same) return;
    if (state.layout === '1x1') rawDispatch({ type: 'layout', layout: '1x2' });
    void openInto(same.seriesId, (state.active + 1) % Math.max(2, state.viewports.length));
  };

  const studyOf = (seriesId: string): StudyListItem | null => {
    const view = views.get(seriesId);
    return view ? [...studies, ...priors].find((s) => s.studyId === view.studyId) ?? null : null;
  };

  // Hiding identifying text takes effect in the same render as the click (never a frame with the name).
  const shown = state.hideIdentifying === hideIdentifying ? state : { ...state, hideIdentifying };
  const { rows, cols } = layoutCells(state.layout);
  const planes: (ImagePlane | null)[] = state.viewports.map((v) => {
    const view = v.seriesId ? views.get(v.seriesId) : undefined;
    return view && view.kind === 'volume' ? planeOfSlice(view, Math.min(v.slice, view.dimensions[2] - 1)) : null;
  });
  const tagFrame = activeView && activeVp ? activeView.frames[Math.min(activeVp.slice, activeView.frames.length - 1)] : undefined;

  return (
    <div className="reading-room">
      <div className="viewer-toolbar" role="toolbar" aria-label="Viewer tools">
        <span className="group" aria-label="Layout">
          {LAYOUTS.map((l) => <button type="button" key={l} className={state.layout === l ? 'selected' : ''} onClick={() => rawDispatch({ type: 'layout', layout: l })} data-testid={`layout-${l}`}>{l}</button>)}
        </span>
        <span className="group" aria-label="Tools">
          {TOOLS.map((t) => <button type="button" key={t.id} className={state.tool === t.id ? 'selected' : ''} onClick={() => rawDispatch({ type: 'tool', tool: t.id })} data-testid={`tool-${t.id}`}>{t.label}</button>)}
        </span>
        <span className="group" aria-label="Window presets">
          {presets.map((p: VoiWindowInfo, i) => (
            <button type="button" key={`${p.explanation}${i}`} title={`${i + 1}: W ${p.width} L ${p.center}`} onClick={() => dispatch({ type: 'window', viewport: state.active, window: p })} data-testid={`preset-${p.explanation}`}>{p.explanation}</button>
          ))}
          <button type="button" onClick={() => dispatch({ type: 'window', viewport: state.active, window: null })} data-testid="preset-default">Default</button>
        </span>
        <span className="group">
          <button type="button" onClick={() => runCommand('invert')} data-testid="invert">Invert</button>
          <button type="button" onClick={() => runCommand('rotateRight')} data-testid="rotate">Rotate</button>
          <button type="button" onClick={() => runCommand('flipH')} data-testid="flip-h">Flip H</button>
          <button type="button" onClick={() => runCommand('flipV')} data-testid="flip-v">Flip V</button>
          <button type="button" onClick={() => runCommand('reset')} data-testid="reset">Reset</button>
          {activeView?.cine && (
            <>
              <button type="button" onClick={() => runCommand('cine')} data-testid="cine">{activeVp?.cine?.playing ? 'Pause' : 'Play'}</button>
              <label className="fps">fps <input type="number" min={1} max={120} value={Math.round(activeVp?.cine?.fps ?? 10)} onChange={(e) => dispatch({ type: 'cine', viewport: state.active, fps: Math.max(1, Math.min(120, Number(e.target.value) || 1)) })} data-testid="cine-fps" /></label>
            </>
          )}
        </span>
        <span className="group">
          <button type="button" className={state.sync.scroll ? 'selected' : ''} onClick={() => rawDispatch({ type: 'sync', scroll: !state.sync.scroll })} data-testid="sync-scroll" title="Scroll viewports sharing a frame of reference together, by position">Sync scroll</button>
          <button type="button" className={state.sync.link ? 'selected' : ''} onClick={() => rawDispatch({ type: 'sync', link: !state.sync.link })} data-testid="sync-link" title="Scroll every viewport by the same number of images (series without a shared frame of reference)">Link</button>
          <button type="button" className={state.sync.panZoom ? 'selected' : ''} onClick={() => rawDispatch({ type: 'sync', panZoom: !state.sync.panZoom })} data-testid="sync-panzoom">Sync pan/zoom</button>
          <button type="button" onClick={() => void openPrior()} disabled={!activeView} data-testid="compare-prior">Compare prior</button>
          <button type="button" className={state.mpr && !state.mpr.show3d ? 'selected' : ''} disabled={activeView?.kind !== 'volume'} onClick={() => rawDispatch({ type: 'openMpr', mpr: state.mpr || !activeView ? null : initialMprState(activeView) })} data-testid="open-mpr" title="Axial, coronal and sagittal reformats of the active series">MPR</button>
          <button type="button" className={state.mpr?.show3d ? 'selected' : ''} disabled={activeView?.kind !== 'volume'} onClick={() => rawDispatch({ type: 'openMpr', mpr: state.mpr || !activeView ? null : initialMprState(activeView, true) })} data-testid="open-3d" title="MPR with a 3D volume rendering of the active series">3D</button>
          <button type="button" className={hideIdentifying ? 'selected' : ''} onClick={() => onHideIdentifying(!hideIdentifying)} data-testid="hide-identifying" title="Removes names, IDs and birth dates from the screen, for screen sharing">Hide identifying text</button>
          <button type="button" className={showTags ? 'selected' : ''} onClick={() => setShowTags((v) => !v)} disabled={!tagFrame} data-testid="show-tags">Tags</button>
          {(['corners', 'orientation', 'scaleBar', 'annotations'] as const).map((key) => (
            <button type="button" key={key} className={state.overlays[key] ? 'selected' : ''} onClick={() => rawDispatch({ type: 'overlay', key, visible: !state.overlays[key] })} data-testid={`overlay-${key}`}>{OVERLAY_LABELS[key]}</button>
          ))}
          <button type="button" onClick={() => void openExport()} disabled={!activeView || !onExport} data-testid="export-open" title="Export this image, this series or the study (de-identified, or a watermarked picture)">Export…</button>
          <button type="button" onClick={() => setShowHelp((v) => !v)} data-testid="show-help" title="Keyboard shortcuts (?)">?</button>
        </span>
      </div>
      {state.mpr && views.get(state.mpr.seriesId) && volumes.get(state.mpr.seriesId) ? (
        <MprLayout mpr={state.mpr} view={views.get(state.mpr.seriesId)!} series={volumes.get(state.mpr.seriesId)!} viewer={shown} dispatch={dispatch} />
      ) : (
      <div className="viewport-grid" style={{ gridTemplateRows: `repeat(${rows}, 1fr)`, gridTemplateColumns: `repeat(${cols}, 1fr)` }} data-testid="viewport-grid" data-layout={state.layout}>
        {state.viewports.map((vp, i) => {
          const view = vp.seriesId ? views.get(vp.seriesId) ?? null : null;
          const others = planes.filter((p, j): p is ImagePlane => j !== i && p !== null && !!view && view.kind === 'volume' && !!vp.seriesId && views.get(state.viewports[j]!.seriesId!)?.frameOfReferenceUid === view.frameOfReferenceUid && view.frameOfReferenceUid !== '');
          return (
            <ViewportCell
              key={i} index={i} state={vp} viewer={shown} view={view} volume={vp.seriesId ? volumes.get(vp.seriesId) ?? null : null}
              study={vp.seriesId ? studyOf(vp.seriesId) : null} openError={vp.seriesId ? errors.get(vp.seriesId) ?? null : null}
              dispatch={dispatch} onDropSeries={(index, id) => void openInto(id, index)} otherPlanes={others}
              openedAt={vp.seriesId ? openedAt.current.get(vp.seriesId) ?? null : null}
            />
          );
        })}
      </div>
      )}
      {showTags && tagFrame && <TagBrowser instanceId={tagFrame.instanceId} frameIndex={tagFrame.frameIndex} hideIdentifying={hideIdentifying} onClose={() => setShowTags(false)} />}
      {showHelp && (
        <div className="help-panel" role="dialog" aria-label="Keyboard shortcuts" data-testid="help">
          <h2>Keyboard</h2>
          <table><tbody>{SHORTCUT_HELP.map((s) => <tr key={s.keys}><td><kbd>{s.keys}</kbd></td><td>{s.action}</td></tr>)}</tbody></table>
          <p>Mouse: left drag window/level (or the chosen tool), middle drag pan, right drag zoom, wheel scroll, Ctrl+wheel zoom at the cursor.</p>
          <button type="button" onClick={() => setShowHelp(false)}>Close</button>
        </div>
      )}
      {errors.get('prior') && <p className="viewer-message" role="status">{errors.get('prior')}</p>}
    </div>
  );
}
