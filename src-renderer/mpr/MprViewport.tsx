// One MPR view (axial, coronal or sagittal through the crosshair point). Its plane is an ordinary
// ImagePlane, so the camera maths, orientation letters and the reading room's measurement layer apply
// unchanged. Pointer habits: drag the crosshair centre to move all three planes, drag a line's round
// handle to tilt the other two planes (oblique), double-click to put the centre there; otherwise the
// viewer's tool (window/level, pan, zoom, measurements), middle-drag pan, right-drag zoom, wheel steps
// along the normal, ctrl+wheel zooms at the cursor.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { SeriesView, VoiWindowInfo } from '../../src-shared/ipc/contract';
import type { Vec3 } from '../../src-shared/dicom/types';
import { add, dot, scale, sub } from '../../src-shared/dicom/volume/vec3';
import { dragWindowLevel, valuesPerPixel } from '../../src-shared/measure/windowLevel';
import { angleAbout, crosshairDirection, mprNormal, mprPlane, MPR_VIEWS, nearestVoxel, obliqueDegrees, stepCentre, type MprViewId } from '../../src-shared/viewer/mprGeometry';
import { mprWindowOf, type MprAction, type MprState } from '../../src-shared/viewer/mprState';
import { edgeLabels } from '../../src-shared/viewer/orientation';
import { fitCamera, panBy, pixelToWorld, projectOntoPlane, screenToWorld, sliceNearest, worldToScreen, zoomAt, type Camera2D, type Vec2, type Viewport } from '../../src-shared/viewer/viewGeometry';
import type { Annotation, ViewerState } from '../../src-shared/viewer/viewerState';
import type { ViewerAction } from '../../src-shared/viewer/viewerReducer';
import { AnnotationLayer, type Draft, type PixelSampler } from '../viewer/AnnotationLayer';
import { POINTS_OF } from '../viewer/ViewportCell';
import type { SeriesVolume } from '../views/seriesVolume';
import { createMprPipeline, type MprPipeline } from './mprPipeline';
import type { VolumeSource } from './volumeSource';

export const VIEW_COLOUR: Record<MprViewId, string> = { axial: '#e05050', coronal: '#50c050', sagittal: '#e0c040' };
const VIEW_NAME: Record<MprViewId, string> = { axial: 'Axial', coronal: 'Coronal', sagittal: 'Sagittal' };
/** Pointer distance (CSS px) that grabs the centre or a rotation handle. */
const GRAB_PX = 10;

interface Props {
  id: MprViewId;
  mpr: MprState;
  view: SeriesView;
  series: SeriesVolume;
  source: VolumeSource;
  viewer: ViewerState;
  dispatch(a: ViewerAction): void;
  /** Bumps as slices arrive: the view redraws with what has come. */
  revision: number;
}

let annotationSeq = 0;
const newId = () => `m${Date.now().toString(36)}${(annotationSeq++).toString(36)}`;

/** Millimetres one wheel step moves along a normal: the grid spacing seen along it. */
function stepMm(view: SeriesView, normal: Vec3): number {
  const d = view.direction;
  let s = 0;
  for (let a = 0; a < 3; a++) {
    const c = normal[0] * d[a]! + normal[1] * d[3 + a]! + normal[2] * d[6 + a]!;
    s += c * c * view.spacing[a]!;
  }
  return s || Math.min(...view.spacing);
}

export function MprViewport({ id, mpr, view, series, source, viewer, dispatch, revision }: Props) {
  const hostRef = useRef<HTMLDivElement>(null);
  const pipelineRef = useRef<MprPipeline | null>(null);
  const [size, setSize] = useState<Viewport>({ width: 1, height: 1 });
  const [drawn, setDrawn] = useState(false);
  const [draft, setDraft] = useState<Draft | null>(null);
  const drag = useRef<{ mode: 'move' | 'rotate' | 'wl' | 'pan' | 'zoom' | 'draft' | null; x: number; y: number; camera: Camera2D | null; voi: VoiWindowInfo | null; last?: Vec3; draftBefore: boolean } | null>(null);
  const mprDispatch = (action: MprAction) => dispatch({ type: 'mpr', action });
  const plane = useMemo(() => mprPlane(view, mpr.frame, mpr.centre, id), [view, mpr.frame, mpr.centre, id]);
  const normal = useMemo(() => mprNormal(mpr.frame, id), [mpr.frame, id]);
  const camera = mpr.cameras[id];
  const voi = mprWindowOf(mpr, id) ?? view.display.defaultWindow;
  const inverted = view.display.inverted !== mpr.invert;
  const active = mpr.active === id;

  useEffect(() => {
    const host = hostRef.current!;
    const pipeline = createMprPipeline(host);
    pipelineRef.current = pipeline;
    const observer = new ResizeObserver(() => {
      const next = { width: Math.max(1, host.clientWidth), height: Math.max(1, host.clientHeight) };
      pipeline.resize(next.width, next.height);
      setSize(next);
    });
    observer.observe(host);
    return () => {
      observer.disconnect();
      pipeline.dispose();
      pipelineRef.current = null;
    };
  }, []);

  useEffect(() => {
    if (!camera && size.width > 1) mprDispatch({ type: 'camera', view: id, camera: fitCamera(plane, size) });
  }, [camera, size, plane, id]);

  useEffect(() => {
    const pipeline = pipelineRef.current;
    if (!pipeline || !camera) return;
    const ok = pipeline.draw(source, { plane, centre: mpr.centre, normal, camera, viewport: size, window: voi, inverted, slab: mpr.slab });
    if (ok) {
      setDrawn(true);
      hostRef.current?.dispatchEvent(new CustomEvent('enclave-drawn', { detail: { view: id } }));
    }
  }, [source, plane, mpr.centre, normal, camera, size, voi, inverted, mpr.slab, revision, id]);

  useEffect(() => setDraft(null), [viewer.tool]);

  const labels = useMemo(() => (camera ? edgeLabels(plane, camera) : null), [plane, camera]);
  const toScreen = (p: Vec3): Vec2 | null => (camera ? worldToScreen(plane, camera, size, p) : null);
  const local = (e: { clientX: number; clientY: number }): Vec2 => {
    const r = hostRef.current!.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  };
  const toWorld = (e: { clientX: number; clientY: number }): Vec3 | null => (camera && hostRef.current ? projectOntoPlane(plane, screenToWorld(plane, camera, size, local(e))) : null);

  // Measurements read the voxel nearest each plane pixel (the native series, full resolution).
  const sampler: PixelSampler = useMemo(() => ({
    valueAt: (_k: number, i: number, j: number) => {
      const v = nearestVoxel(view, pixelToWorld(plane, [i, j]));
      return v ? series.valueAt(v[2], v[0], v[1]) : NaN;
    },
  }), [view, plane, series]);

  // Crosshair: the other two planes' lines through the centre, each with two rotation handles.
  const centreScreen = toScreen(mpr.centre);
  const handleR = Math.min(size.width, size.height) * 0.38;
  const lines = MPR_VIEWS.filter((o) => o !== id).map((other) => {
    const d = crosshairDirection(mpr.frame, id, other);
    const far = Math.hypot(size.width, size.height) * (camera?.mmPerPx ?? 1);
    const a = toScreen(add(mpr.centre, scale(d, far)));
    const b = toScreen(sub(mpr.centre, scale(d, far)));
    const h1 = toScreen(add(mpr.centre, scale(d, handleR * (camera?.mmPerPx ?? 1))));
    const h2 = toScreen(sub(mpr.centre, scale(d, handleR * (camera?.mmPerPx ?? 1))));
    return { other, a, b, handles: [h1, h2] };
  });

  const onPointerDown = (e: React.PointerEvent) => {
    if (!active) mprDispatch({ type: 'activate', view: id });
    if (!camera) return;
    // Synthetic pointers (benches) have no capture to take.
    try { e.currentTarget.setPointerCapture(e.pointerId); } catch { /* keep going without capture */ }
    const s = local(e);
    const near = (q: Vec2 | null) => !!q && Math.hypot(q[0] - s[0], q[1] - s[1]) <= GRAB_PX;
    const base = { x: e.clientX, y: e.clientY, camera, voi, draftBefore: draft !== null };
    if (e.button === 1) drag.current = { ...base, mode: 'pan' };
    else if (e.button === 2) drag.current = { ...base, mode: 'zoom' };
    else if (e.button === 0 && near(centreScreen) && !draft) drag.current = { ...base, mode: 'move' };
    else if (e.button === 0 && !draft && lines.some((l) => l.handles.some(near))) drag.current = { ...base, mode: 'rotate', last: toWorld(e) ?? undefined };
    else if (e.button === 0 && viewer.tool in POINTS_OF) {
      drag.current = { ...base, mode: 'draft' };
      const p = toWorld(e);
      if (!p) return;
      if (draft) setDraft({ ...draft, points: [...draft.points.slice(0, -1), p] });
      else setDraft({ kind: viewer.tool as Draft['kind'], points: POINTS_OF[viewer.tool] === 1 ? [p] : [p, p] });
    } else if (e.button === 0) drag.current = { ...base, mode: viewer.tool === 'pan' ? 'pan' : viewer.tool === 'zoom' ? 'zoom' : viewer.tool === 'windowLevel' ? 'wl' : null };
  };

  const onPointerMove = (e: React.PointerEvent) => {
    const d = drag.current;
    if (draft && (!d || d.mode === 'draft')) {
      const p = POINTS_OF[draft.kind]! > 1 ? toWorld(e) : null;
      if (p) setDraft({ ...draft, points: [...draft.points.slice(0, -1), p] });
      return;
    }
    if (!d?.camera) return;
    const dx = e.clientX - d.x;
    const dy = e.clientY - d.y;
    if (d.mode === 'move') {
      const p = toWorld(e);
      if (p) mprDispatch({ type: 'centre', centre: p });
    } else if (d.mode === 'rotate') {
      const p = toWorld(e);
      if (p && d.last) {
        mprDispatch({ type: 'rotate', view: id, angle: angleAbout(normal, sub(d.last, mpr.centre), sub(p, mpr.centre)) });
        d.last = p;
      }
    } else if (d.mode === 'pan') mprDispatch({ type: 'camera', view: id, camera: panBy(plane, d.camera, size, dx, dy) });
    else if (d.mode === 'zoom') mprDispatch({ type: 'camera', view: id, camera: zoomAt(plane, d.camera, size, [size.width / 2, size.height / 2], Math.exp(-dy / 150)) });
    else if (d.mode === 'wl' && d.voi) {
      const next = dragWindowLevel(d.voi, dx, dy, valuesPerPixel(view.display.valueRange, size.height));
      mprDispatch({ type: 'window', view: id, window: { center: next.center, width: next.width, function: view.display.defaultWindow.function, explanation: 'Custom' } });
    }
  };

  const finishDraft = (dr: Draft) => {
    const k = sliceNearest(view, dr.points[0]!);
    const frame = view.frames[k];
    if (!frame) return;
    const need = POINTS_OF[dr.kind]!;
    const text = dr.kind === 'text' ? (globalThis.prompt?.('Annotation text') ?? '') : undefined;
    const annotation: Annotation = {
      id: newId(), kind: dr.kind, seriesId: view.seriesId, frameOfReferenceUid: view.frameOfReferenceUid,
      sopInstanceUid: frame.sopInstanceUid, frameIndex: frame.frameIndex, points: dr.points.slice(0, need), ...(text ? { text } : {}),
    };
    dispatch({ type: 'addAnnotation', annotation });
    setDraft(null);
  };

  const onPointerUp = (e: React.PointerEvent) => {
    const d = drag.current;
    drag.current = null;
    if (!draft || d?.mode !== 'draft') return;
    const need = POINTS_OF[draft.kind]!;
    const moved = Math.hypot(e.clientX - d.x, e.clientY - d.y) > 3;
    if (need > 1 && !moved && !d.draftBefore) return;
    if (draft.points.length >= need) finishDraft(draft);
    else setDraft({ ...draft, points: [...draft.points, draft.points[draft.points.length - 1]!] });
  };

  const onWheel = (e: React.WheelEvent) => {
    if (!camera) return;
    if (e.ctrlKey) {
      mprDispatch({ type: 'camera', view: id, camera: zoomAt(plane, camera, size, local(e), e.deltaY < 0 ? 1.1 : 1 / 1.1) });
      return;
    }
    const step = e.deltaY > 0 ? 1 : e.deltaY < 0 ? -1 : 0;
    if (step) mprDispatch({ type: 'centre', centre: stepCentre(view, mpr.frame, mpr.centre, id, step * stepMm(view, normal)) });
  };

  const onDoubleClick = (e: React.MouseEvent) => {
    const p = toWorld(e);
    if (p) mprDispatch({ type: 'centre', centre: p });
  };

  const progress = source.progress();
  const status = source.error();
  const depth = dot(mpr.centre, normal);
  const oblique = obliqueDegrees(mpr.frame);
  const slice = sliceNearest(view, mpr.centre);
  return (
    <div className={`viewport-cell mpr-cell${active ? ' active' : ''}`}>
      <div
        ref={hostRef}
        className="viewport-host"
        data-testid="mpr-view"
        data-view={id}
        data-ready={drawn ? 'true' : 'false'}
        data-complete={progress.loaded >= progress.total ? 'true' : 'false'}
        data-loaded={progress.loaded}
        data-plane={JSON.stringify(plane)}
        data-centre={mpr.centre.join(',')}
        data-focal={camera ? camera.focal.join(',') : ''}
        data-mm-per-px={camera ? String(camera.mmPerPx) : ''}
        data-window-center={voi.center.toFixed(1)}
        data-window-width={voi.width.toFixed(1)}
        data-slab={`${mpr.slab.mm}:${mpr.slab.mode}`}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={() => { drag.current = null; setDraft(null); }}
        onWheel={onWheel}
        onDoubleClick={onDoubleClick}
        onContextMenu={(e) => e.preventDefault()}
      />
      {viewer.overlays.annotations && camera && (
        <AnnotationLayer
          view={view} volume={sampler} slice={slice} plane={plane} toScreen={toScreen} toWorld={toWorld}
          annotations={viewer.annotations} selected={viewer.selected} draft={draft} tool={viewer.tool}
          dispatch={dispatch} otherPlanes={[]} width={size.width} height={size.height}
        />
      )}
      {camera && centreScreen && (
        <svg className="overlay crosshair-layer" width={size.width} height={size.height} data-testid="crosshair">
          {lines.map((l) => l.a && l.b && (
            <g key={l.other} stroke={VIEW_COLOUR[l.other]} data-testid={`crosshair-${l.other}`}>
              <line x1={l.a[0]} y1={l.a[1]} x2={l.b[0]} y2={l.b[1]} strokeWidth={1} />
              {l.handles.map((q, i) => q && <circle key={i} className="rotate-handle" data-testid={`rotate-${l.other}`} cx={q[0]} cy={q[1]} r={5} fill="none" />)}
            </g>
          ))}
          <circle cx={centreScreen[0]} cy={centreScreen[1]} r={4} fill="none" stroke="#fff" data-testid="crosshair-centre" />
        </svg>
      )}
      {labels && viewer.overlays.orientation && (
        <>
          <div className="overlay orient orient-top" data-testid="orient-top">{labels.top}</div>
          <div className="overlay orient orient-bottom" data-testid="orient-bottom">{labels.bottom}</div>
          <div className="overlay orient orient-left" data-testid="orient-left">{labels.left}</div>
          <div className="overlay orient orient-right" data-testid="orient-right">{labels.right}</div>
        </>
      )}
      {viewer.overlays.corners && (
        <>
          <div className="overlay corner corner-tl" style={{ color: VIEW_COLOUR[id] }}>
            <div>{VIEW_NAME[id]}{oblique > 0.5 ? ` (oblique ${oblique.toFixed(0)}°)` : ''}</div>
          </div>
          <div className="overlay corner corner-bl">
            <div>Pos: {depth.toFixed(1)} mm{mpr.slab.mm > 0 ? ` · Slab ${mpr.slab.mm} mm ${mpr.slab.mode === 'mip' ? 'MIP' : mpr.slab.mode === 'minip' ? 'MinIP' : 'Mean'}` : ''}</div>
            {progress.loaded < progress.total && <div className="dim" data-testid="mpr-progress">{progress.loaded}/{progress.total} slices loaded</div>}
          </div>
          <div className="overlay corner corner-br">
            <div>W: {Math.round(voi.width)} L: {Math.round(voi.center)}</div>
            {camera && <div>Zoom: {(Math.min(view.spacing[0], view.spacing[1]) / camera.mmPerPx).toFixed(2)}</div>}
          </div>
        </>
      )}
      {!drawn && !status && <p className="viewport-empty" aria-live="polite">Waiting for the first images of the series…</p>}
      {status && <p className="viewport-error" role="alert">{status}</p>}
    </div>
  );
}
