// The MPR/3D layout of one series, in place of the viewport grid: axial, coronal and sagittal views through
// one crosshair, and a 3D view (or nothing) in the fourth cell. All of them draw from one volume source
// (the series' own volume, or a downsampled copy with a notice), redraw as slices stream in, and say on
// screen why when they cannot draw (WebGL 2 missing, context lost, over the texture limit).
import { useEffect, useMemo, useState } from 'react';
import type { SeriesView } from '../../src-shared/ipc/contract';
import { MPR_VIEWS, volumeCentre } from '../../src-shared/viewer/mprGeometry';
import { windowPresets } from '../../src-shared/viewer/presets';
import type { MprAction, MprState, SlabMode } from '../../src-shared/viewer/mprState';
import type { ViewerState } from '../../src-shared/viewer/viewerState';
import type { ViewerAction } from '../../src-shared/viewer/viewerReducer';
import { maxTexture3D, rootContext } from '../views/renderRoot';
import type { SeriesVolume } from '../views/seriesVolume';
import { hasWebGL2 } from '../views/webgl';
import { MprViewport } from './MprViewport';
import { VolumeViewport } from './VolumeViewport';
import { volumeSourceFor, type VolumeSource } from './volumeSource';

interface Props {
  mpr: MprState;
  view: SeriesView;
  series: SeriesVolume;
  viewer: ViewerState;
  dispatch(a: ViewerAction): void;
}

const SLAB_MODES: { mode: SlabMode; label: string }[] = [{ mode: 'mip', label: 'MIP' }, { mode: 'minip', label: 'MinIP' }, { mode: 'mean', label: 'Mean' }];

/** Redraws at most once a frame while slices arrive. */
function useRevision(source: VolumeSource | null): number {
  const [revision, setRevision] = useState(0);
  useEffect(() => {
    if (!source) return;
    let raf = 0;
    const off = source.onChange(() => {
      if (!raf) raf = requestAnimationFrame(() => { raf = 0; setRevision((r) => r + 1); });
    });
    return () => { off(); if (raf) cancelAnimationFrame(raf); };
  }, [source]);
  return revision;
}

/** Counts context losses and restorations of the shared WebGL context; views rebuild on restore. */
function useContextGeneration(): { lost: boolean; generation: number } {
  const [state, setState] = useState({ lost: false, generation: 0 });
  useEffect(() => {
    const canvas = rootContext()?.canvas as HTMLCanvasElement | undefined;
    if (!canvas) return;
    const lost = (e: Event) => { e.preventDefault(); setState((s) => ({ ...s, lost: true })); };
    const restored = () => setState((s) => ({ lost: false, generation: s.generation + 1 }));
    canvas.addEventListener('webglcontextlost', lost);
    canvas.addEventListener('webglcontextrestored', restored);
    return () => { canvas.removeEventListener('webglcontextlost', lost); canvas.removeEventListener('webglcontextrestored', restored); };
  });
  return state;
}

export function MprLayout({ mpr, view, series, viewer, dispatch }: Props) {
  const webgl2 = hasWebGL2();
  const source = useMemo(() => (webgl2 ? volumeSourceFor(series, maxTexture3D()) : null), [series, webgl2]);
  useEffect(() => () => source?.dispose(), [source]);
  const revision = useRevision(source);
  const context = useContextGeneration();
  const mprDispatch = (action: MprAction) => dispatch({ type: 'mpr', action });
  // Stream the slices nearest the crosshair first.
  useEffect(() => { if (series.mode === 'volume') series.setFocus(Math.round((series.sliceCount - 1) / 2)); }, [series]);

  if (!webgl2 || !source) {
    return <div className="mpr-layout"><p className="viewport-error" role="alert" data-testid="mpr-message">MPR and 3D need WebGL 2, which this graphics driver does not offer. 2D viewing still works.</p></div>;
  }
  const notes = [...view.warnings.map((w) => w.message), ...(source.notice ? [source.notice] : [])];
  return (
    <div className="mpr-layout" data-testid="mpr-layout" data-series={view.seriesId}>
      <div className="viewer-toolbar mpr-toolbar" role="toolbar" aria-label="MPR tools">
        <span className="group">
          <label>Slab <input type="number" min={0} max={200} step={1} value={mpr.slab.mm} onChange={(e) => mprDispatch({ type: 'slab', mm: Number(e.target.value) })} data-testid="slab-mm" /> mm</label>
          {SLAB_MODES.map((m) => (
            <button type="button" key={m.mode} className={mpr.slab.mode === m.mode ? 'selected' : ''} onClick={() => mprDispatch({ type: 'slab', mode: m.mode })} data-testid={`slab-${m.mode}`}>{m.label}</button>
          ))}
        </span>
        <span className="group" aria-label="Window presets">
          {windowPresets(view).map((p, i) => (
            <button type="button" key={`${p.explanation}${i}`} title={`W ${p.width} L ${p.center}`} onClick={() => mprDispatch({ type: 'window', view: mpr.active === '3d' ? 'axial' : mpr.active, window: p })} data-testid={`mpr-preset-${p.explanation}`}>{p.explanation}</button>
          ))}
        </span>
        <span className="group">
          <button type="button" className={mpr.linkWindow ? 'selected' : ''} onClick={() => mprDispatch({ type: 'linkWindow', linked: !mpr.linkWindow })} data-testid="mpr-link-window" title="Window/level the same in the three views">Link W/L</button>
          <button type="button" onClick={() => mprDispatch({ type: 'invert' })} data-testid="mpr-invert">Invert</button>
          <button type="button" onClick={() => mprDispatch({ type: 'reset', centre: volumeCentre(view) })} data-testid="mpr-reset" title="Patient axes, volume centre, fitted views">Reset</button>
          <button type="button" className={mpr.show3d ? 'selected' : ''} onClick={() => mprDispatch({ type: 'show3d', show: !mpr.show3d })} data-testid="mpr-show3d">3D</button>
          <button type="button" onClick={() => dispatch({ type: 'openMpr', mpr: null })} data-testid="mpr-close">Close MPR</button>
        </span>
      </div>
      {notes.length > 0 && (
        <div className="mpr-notes" role="note" data-testid="mpr-notes">
          {notes.map((n) => <div key={n} data-testid={n === source.notice ? 'downsample-notice' : 'volume-warning'}>{n}</div>)}
        </div>
      )}
      {context.lost && <p className="mpr-alert" role="alert" data-testid="mpr-message">The graphics context was lost; the views will be rebuilt when the system gives it back.</p>}
      <div className="viewport-grid mpr-grid" key={context.generation} style={{ gridTemplateRows: 'repeat(2, 1fr)', gridTemplateColumns: 'repeat(2, 1fr)' }}>
        {MPR_VIEWS.map((id) => <MprViewport key={id} id={id} mpr={mpr} view={view} series={series} source={source} viewer={viewer} dispatch={dispatch} revision={revision} />)}
        {mpr.show3d
          ? <VolumeViewport mpr={mpr} view={view} source={source} dispatch={dispatch} revision={revision} />
          : <div className="viewport-cell"><p className="viewport-empty">3D is off (the 3D button shows it here).</p></div>}
      </div>
    </div>
  );
}
