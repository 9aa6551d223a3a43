// One viewport of the layout: the vtk drawing (owned here, deleted on unmount), the overlays, and the
// pointer habits of RadiAnt/Horos/OHIF turned into viewer actions. State lives in the viewer model;
// this component renders it and reports what the user did.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import type { SeriesView, StudyListItem, VoiWindowInfo } from '../../src-shared/ipc/contract';
import type { Vec3 } from '../../src-shared/dicom/types';
import { dragWindowLevel, valuesPerPixel } from '../../src-shared/measure/windowLevel';
import { edgeLabels, projectionEdgeLabels } from '../../src-shared/viewer/orientation';
import { fitCamera, panBy, planeOfSlice, projectOntoPlane, screenToWorld, worldToScreen, zoomAt, type Camera2D, type ImagePlane, type Vec2, type Viewport } from '../../src-shared/viewer/viewGeometry';
import type { Annotation, ToolId, ViewerState, ViewportState } from '../../src-shared/viewer/viewerState';
import type { ViewerAction } from '../../src-shared/viewer/viewerReducer';
import { redactionPoints } from '../../src-shared/viewer/redaction';
import { createSliceViewport, type SliceViewport } from '../views/sliceViewport';
import type { SeriesVolume } from '../views/seriesVolume';
import { AnnotationLayer, type Draft } from './AnnotationLayer';
import { CornerText } from './CornerText';
import { recordTiming } from './viewerTimings';

interface Props {
  index: number;
  state: ViewportState;
  viewer: ViewerState;
  view: SeriesView | null;
  volume: SeriesVolume | null;
  study: StudyListItem | null;
  openError: string | null;
  dispatch: (a: ViewerAction) => void;
  onDropSeries: (viewport: number, seriesId: string) => void;
  /** Reference lines: the planes other viewports show (same frame of reference). */
  otherPlanes: ImagePlane[];
  openedAt: number | null;
}

/** Points each measurement tool places (MPR views draw with the same tools). */
export const POINTS_OF: Record<string, number> = { length: 2, angle: 3, cobb: 4, ellipse: 2, rectangle: 2, probe: 1, arrow: 2, text: 1 };

/** Points a tool places in a 2D viewport: the measurement tools, and the redaction rectangle (MPR draws none). */
const pointsOf = (kind: string): number | undefined => (kind === 'redaction' ? 2 : POINTS_OF[kind]);

let annotationSeq = 0;
const newId = () => `a${Date.now().toString(36)}${(annotationSeq++).toString(36)}`;

export function imagePlaneOf(view: SeriesView, slice: number): ImagePlane {
  return planeOfSlice(view, slice);
}

export function ViewportCell({ index, state, viewer, view, volume, study, openError, dispatch, onDropSeries, otherPlanes, openedAt }: Props) {
  const hostRef = useRef<HTMLDivElement>(null);
  const pipelineRef = useRef<SliceViewport | null>(null);
  const [size, setSize] = useState<Viewport>({ width: 1, height: 1 });
  const [drawn, setDrawn] = useState(false);
  const [loaded, setLoaded] = useState(0);
  const [draft, setDraft] = useState<Draft | null>(null);
  const drag = useRef<{ button: number; x: number; y: number; camera: Camera2D | null; voi: VoiWindowInfo | null; draftBefore: boolean } | null>(null);
  const firstDrawn = useRef(false);
  const active = viewer.active === index;
  const n = view?.dimensions[2] ?? 0;
  const slice = Math.min(state.slice, Math.max(0, n - 1));
  const plane = useMemo(() => (view ? imagePlaneOf(view, slice) : null), [view, slice]);
  const voi = state.window ?? view?.display.defaultWindow ?? null;
  const inverted = view ? view.display.inverted !== state.invert : false;

  // The vtk pipeline lives exactly as long as this cell (made before the first draw, which runs in the layout phase).
  useLayoutEffect(() => {
    const host = hostRef.current!;
    const pipeline = createSliceViewport(host);
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

  // Fit once per series and viewport size; until the model holds it, draw with it already (no render in between).
  const fitted = useMemo(() => (view && plane && !state.camera && size.width > 1 ? fitCamera(plane, size) : null), [view, plane, state.camera, size]);
  const camera = state.camera ?? fitted;
  useEffect(() => {
    if (fitted) dispatch({ type: 'camera', viewport: index, camera: fitted });
  }, [fitted, index, dispatch]);

  // Stream the slices nearest the one shown; redraw when the shown one arrives.
  useEffect(() => {
    if (!volume) return;
    volume.setFocus(slice);
  }, [volume, slice]);
  const [, setArrivals] = useState(0);
  useEffect(() => {
    if (!volume) return;
    let pending = false;
    const off = volume.onSlice((k) => {
      if (openedAt !== null && view) recordTiming(view.seriesId, 'firstSlice', performance.now() - openedAt, true);
      // The slice shown (or the whole volume) arrived: draw it now, then let React catch up with what is on screen.
      if (k === slice || (volume.complete && k >= 0)) drawRef.current();
      if (k === slice || volume.complete || k < 0) setArrivals((a) => a + 1);
      if (!pending) {
        pending = true;
        requestAnimationFrame(() => { pending = false; setLoaded(volume.loadedSlices); });
      }
    });
    return off;
  }, [volume, slice, openedAt, view]);

  // Drawn from the latest render's values: in the layout phase (the picture and the DOM that describes it reach
  // the screen in one frame) and, without waiting for React, when the slice shown arrives.
  const drawRef = useRef(() => {});
  drawRef.current = () => {
    const pipeline = pipelineRef.current;
    if (!pipeline) return;
    if (!view || !volume || !plane || !camera || !voi) {
      pipeline.clear();
      setDrawn(false);
      return;
    }
    const ok = pipeline.draw(volume, { slice, plane, camera: camera, viewport: size, window: voi, inverted });
    if (ok) setDrawn(true);
    // Benches and tests wait for this to time a step to the frame that shows it.
    if (ok) hostRef.current?.dispatchEvent(new CustomEvent('enclave-drawn', { detail: { slice, fromVolume: volume.complete } }));
    if (ok && !firstDrawn.current && openedAt !== null) {
      firstDrawn.current = true;
      pipeline.finish();
      recordTiming(view.seriesId, 'firstPixels', performance.now() - openedAt);
    }
    if (ok) volume.resume();
    if (ok && volume.complete && openedAt !== null) recordTiming(view.seriesId, 'allSlices', performance.now() - openedAt, true);
  };
  useLayoutEffect(() => drawRef.current(), [view, volume, plane, slice, camera, size, voi, inverted, openedAt]);

  useEffect(() => { firstDrawn.current = false; }, [view?.seriesId]);

  // A drawing in progress ends when the tool changes or the user presses Escape.
  useEffect(() => setDraft(null), [viewer.tool, view?.seriesId]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => { if (e.key === 'Escape') setDraft(null); };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const ready = !!volume?.has(slice);
  const frame = view?.frames[slice];
  const labels = useMemo(() => {
    if (!view || !plane || !camera) return null;
    if (view.kind === 'volume') return edgeLabels(plane, camera);
    const po = view.frames[slice]?.patientOrientation;
    return po ? projectionEdgeLabels(po, camera) : null;
  }, [view, plane, slice, camera]);

  const toWorld = (e: { clientX: number; clientY: number }): Vec3 | null => {
    if (!plane || !camera || !hostRef.current) return null;
    const r = hostRef.current.getBoundingClientRect();
    // The camera's focal point may sit on another slice: what the user points at is on this one.
    return projectOntoPlane(plane, screenToWorld(plane, camera, size, [e.clientX - r.left, e.clientY - r.top]));
  };
  const toScreen = (p: Vec3): Vec2 | null => (plane && camera ? worldToScreen(plane, camera, size, p) : null);

  const isMeasureTool = (t: ToolId) => pointsOf(t) !== undefined;

  const onPointerDown = (e: React.PointerEvent) => {
    if (!active) dispatch({ type: 'activate', viewport: index });
    if (!view || !camera) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    const tool = viewer.tool;
    drag.current = { button: e.button, x: e.clientX, y: e.clientY, camera: camera, voi, draftBefore: draft !== null };
    if (e.button === 0 && isMeasureTool(tool)) {
      const p = toWorld(e);
      if (!p) return;
      // The last point of a draft follows the pointer; a press fixes it where it is.
      if (draft) setDraft({ ...draft, points: [...draft.points.slice(0, -1), p] });
      else setDraft({ kind: tool as Draft['kind'], points: pointsOf(tool) === 1 ? [p] : [p, p] });
    }
  };

  const onPointerMove = (e: React.PointerEvent) => {
    const d = drag.current;
    if (draft) {
      const p = pointsOf(draft.kind)! > 1 ? toWorld(e) : null;
      if (p) setDraft({ ...draft, points: [...draft.points.slice(0, -1), p] });
      return;
    }
    if (!d || !view || !plane || !d.camera) return;
    const dx = e.clientX - d.x;
    const dy = e.clientY - d.y;
    const tool = viewer.tool;
    const mode = d.button === 1 || (d.button === 0 && tool === 'pan') ? 'pan' : d.button === 2 || (d.button === 0 && tool === 'zoom') ? 'zoom' : d.button === 0 && tool === 'windowLevel' ? 'wl' : null;
    if (mode === 'pan') dispatch({ type: 'camera', viewport: index, camera: panBy(plane, d.camera, size, dx, dy) });
    else if (mode === 'zoom') dispatch({ type: 'camera', viewport: index, camera: zoomAt(plane, d.camera, size, [size.width / 2, size.height / 2], Math.exp(-dy / 150)) });
    else if (mode === 'wl' && d.voi) {
      const perPixel = valuesPerPixel(view.display.valueRange, size.height);
      const next = dragWindowLevel(d.voi, dx, dy, perPixel);
      dispatch({ type: 'window', viewport: index, window: { center: next.center, width: next.width, function: view.display.defaultWindow.function, explanation: 'Custom' } });
    }
  };

  const finishDraft = (d: Draft) => {
    if (!view || !frame || !plane) return;
    const need = pointsOf(d.kind)!;
    if (d.kind === 'redaction') {
      // Kept in pixel edges of the image drawn on; one that covers no pixel is dropped.
      const edges = redactionPoints(plane, d.points[0]!, d.points[1]!);
      if (edges) dispatch({ type: 'addAnnotation', annotation: { id: newId(), kind: 'redaction', seriesId: view.seriesId, frameOfReferenceUid: view.frameOfReferenceUid, sopInstanceUid: frame.sopInstanceUid, frameIndex: frame.frameIndex, points: edges } });
      setDraft(null);
      return;
    }
    const text = d.kind === 'text' ? (globalThis.prompt?.('Annotation text') ?? '') : undefined;
    const annotation: Annotation = {
      id: newId(), kind: d.kind, seriesId: view.seriesId, frameOfReferenceUid: view.frameOfReferenceUid,
      sopInstanceUid: frame.sopInstanceUid, frameIndex: frame.frameIndex, points: d.points.slice(0, need),
      ...(text ? { text } : {}),
    };
    dispatch({ type: 'addAnnotation', annotation });
    setDraft(null);
  };

  const onPointerUp = (e: React.PointerEvent) => {
    const d = drag.current;
    drag.current = null;
    if (!draft || !d || d.button !== 0) return;
    const need = pointsOf(draft.kind)!;
    const moved = Math.hypot(e.clientX - d.x, e.clientY - d.y) > 3;
    // A drag places the first two points at once; a click without a drag leaves the next point following the pointer.
    if (need > 1 && !moved && !d.draftBefore) return;
    if (draft.points.length >= need) finishDraft(draft);
    else setDraft({ ...draft, points: [...draft.points, draft.points[draft.points.length - 1]!] });
  };

  const onWheel = (e: React.WheelEvent) => {
    if (!view || !plane || !camera) return;
    if (e.ctrlKey) {
      const r = hostRef.current!.getBoundingClientRect();
      dispatch({ type: 'camera', viewport: index, camera: zoomAt(plane, camera, size, [e.clientX - r.left, e.clientY - r.top], e.deltaY < 0 ? 1.1 : 1 / 1.1) });
      return;
    }
    const step = e.deltaY > 0 ? 1 : e.deltaY < 0 ? -1 : 0;
    // Rendered at once, not at React's pace for continuous events: the new slice is drawn in this event's task.
    if (step) flushSync(() => dispatch({ type: 'slice', viewport: index, slice: slice + step, sliceCount: n }));
  };

  const onDrop = (e: React.DragEvent) => {
    const id = e.dataTransfer.getData('application/x-enclave-series');
    if (!id) return;
    e.preventDefault();
    onDropSeries(index, id);
  };

  const scaleBar = useMemo(() => {
    if (!view || !camera || !viewer.overlays.scaleBar) return null;
    const unit = view.kind === 'volume' ? 'mm' : view.calibration.unit;
    if (unit === 'px') return null;
    // A round length about a fifth of the viewport's width.
    const target = (size.width / 5) * camera.mmPerPx;
    const pow = 10 ** Math.floor(Math.log10(target));
    const length = [1, 2, 5, 10].map((m) => m * pow).filter((v) => v <= target).pop() ?? pow;
    return { px: length / camera.mmPerPx, label: `${length >= 10 ? Math.round(length) : length} ${unit === 'mm (ERMF)' || unit === 'mm (detector)' ? unit : 'mm'}` };
  }, [view, camera, size, viewer.overlays.scaleBar]);

  const status = openError ?? volume?.error ?? null;
  return (
    <div className={`viewport-cell${active ? ' active' : ''}`} onDragOver={(e) => e.preventDefault()} onDrop={onDrop}>
      <div
        ref={hostRef}
        className="viewport-host"
        data-testid="viewport"
        data-index={index}
        data-series={view?.seriesId ?? ''}
        data-slice={slice}
        data-slices={n}
        data-instance={frame?.instanceNumber ?? ''}
        data-window-center={voi ? voi.center.toFixed(1) : ''}
        data-window-width={voi ? voi.width.toFixed(1) : ''}
        data-ready={ready && drawn ? 'true' : 'false'}
        data-loaded={loaded}
        data-complete={volume?.complete ? 'true' : 'false'}
        data-mode={volume?.mode ?? ''}
        data-rotation={camera?.rotation ?? 0}
        data-flip-h={camera?.flipH ? 'true' : 'false'}
        data-flip-v={camera?.flipV ? 'true' : 'false'}
        data-mm-per-px={camera ? String(camera.mmPerPx) : ''}
        data-focal={camera ? camera.focal.join(',') : ''}
        data-inverted={inverted ? 'true' : 'false'}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={() => { drag.current = null; setDraft(null); }}
        onWheel={onWheel}
        onContextMenu={(e) => e.preventDefault()}
      />
      {view && plane && volume && viewer.overlays.annotations && (
        <AnnotationLayer
          view={view} volume={volume} slice={slice} plane={plane} toScreen={toScreen} toWorld={toWorld}
          annotations={viewer.annotations} selected={viewer.selected} draft={draft} tool={viewer.tool}
          dispatch={dispatch} otherPlanes={otherPlanes} width={size.width} height={size.height} showRedactions
        />
      )}
      {view && viewer.overlays.corners && (
        <CornerText view={view} study={study} slice={slice} window={voi} camera={camera} hideIdentifying={viewer.hideIdentifying} ready={ready} loaded={loaded} />
      )}
      {labels && viewer.overlays.orientation && (
        <>
          <div className="overlay orient orient-top" data-testid="orient-top">{labels.top}</div>
          <div className="overlay orient orient-bottom" data-testid="orient-bottom">{labels.bottom}</div>
          <div className="overlay orient orient-left" data-testid="orient-left">{labels.left}</div>
          <div className="overlay orient orient-right" data-testid="orient-right">{labels.right}</div>
        </>
      )}
      {scaleBar && (
        <div className="overlay scale-bar" data-testid="scale-bar" style={{ width: `${scaleBar.px}px` }}><span>{scaleBar.label}</span></div>
      )}
      {view && (view.warnings.length > 0 || volume?.notice) && (
        <div className="overlay viewport-notes" role="note" data-testid="viewport-notes">
          {view.warnings.map((w) => <div key={w.code}>{w.message}</div>)}
          {volume?.notice && <div data-testid="downsample-notice">{volume.notice}</div>}
        </div>
      )}
      {!view && !status && <p className="viewport-empty">Drop a series here, or choose one in the list.</p>}
      {view && !ready && !status && <p className="viewport-empty" aria-live="polite">Loading image {slice + 1} of {n}…</p>}
      {status && <p className="viewport-error" role="alert">{status}</p>}
    </div>
  );
}
