// Pure reducers over ViewerState. An action that changes nothing returns the same object, so React
// skips the render. Annotation edits are undoable; everything else (views, tools) is not.
import type { Vec3 } from '../dicom/types';
import type { SeriesView, VoiWindowInfo } from '../ipc/contract';
import { dot } from '../dicom/volume/vec3';
import { mprReducer, type MprAction, type MprState } from './mprState';
import { normalOf, planeOfSlice, sliceNearest, type Camera2D } from './viewGeometry';
import {
  DEFAULT_CINE_FPS, UNDO_LIMIT, emptyViewport, layoutCells,
  type Annotation, type LayoutId, type ToolId, type ViewerState, type ViewportState,
} from './viewerState';

export type ViewerAction =
  | { type: 'layout'; layout: LayoutId }
  | { type: 'assign'; viewport: number; seriesId: string; slice: number }
  /** The series left (its quick view closed, its study deleted): these viewports become empty. */
  | { type: 'unassign'; seriesIds: string[] }
  | { type: 'activate'; viewport: number }
  | { type: 'slice'; viewport: number; slice: number; sliceCount: number }
  | { type: 'camera'; viewport: number; camera: Camera2D }
  | { type: 'window'; viewport: number; window: VoiWindowInfo | null }
  | { type: 'invert'; viewport: number }
  | { type: 'rotate'; viewport: number; quarterTurns: 1 | -1 }
  | { type: 'flip'; viewport: number; axis: 'h' | 'v' }
  | { type: 'resetView'; viewport: number }
  | { type: 'cine'; viewport: number; playing?: boolean; fps?: number }
  | { type: 'tool'; tool: ToolId }
  | { type: 'addAnnotation'; annotation: Annotation }
  | { type: 'moveAnnotation'; id: string; points: Vec3[] }
  | { type: 'deleteAnnotation'; id: string }
  | { type: 'select'; id: string | null }
  /** Annotations loaded from the store: replaces the list and clears undo/redo (not undoable). */
  | { type: 'setAnnotations'; annotations: Annotation[] }
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'sync'; scroll?: boolean; panZoom?: boolean; link?: boolean }
  | { type: 'hideIdentifying'; hide: boolean }
  | { type: 'overlay'; key: keyof ViewerState['overlays']; visible: boolean }
  /** Opens (a state from initialMprState) or closes (null) the MPR/3D layout. */
  | { type: 'openMpr'; mpr: MprState | null }
  | { type: 'mpr'; action: MprAction };

const MAX_FPS = 120;

function updateViewport(state: ViewerState, index: number, change: (vp: ViewportState) => ViewportState): ViewerState {
  const vp = state.viewports[index];
  if (!vp) return state;
  const next = change(vp);
  if (next === vp) return state;
  const viewports = state.viewports.slice();
  viewports[index] = next;
  return { ...state, viewports };
}

function updateCamera(state: ViewerState, index: number, change: (cam: Camera2D) => Camera2D): ViewerState {
  // Before the renderer has fitted a camera there is nothing to turn; it fits again anyway.
  return updateViewport(state, index, (vp) => (vp.camera ? { ...vp, camera: change(vp.camera) } : vp));
}

/** An undoable change of the annotation list. */
function editAnnotations(state: ViewerState, annotations: Annotation[], selected = state.selected): ViewerState {
  const undo = [...state.undo, state.annotations];
  if (undo.length > UNDO_LIMIT) undo.splice(0, undo.length - UNDO_LIMIT);
  return { ...state, annotations, selected, undo, redo: [] };
}

/** The selection survives only while its annotation exists. */
function keepSelection(selected: string | null, annotations: Annotation[]): string | null {
  return selected !== null && annotations.some((a) => a.id === selected) ? selected : null;
}

export function viewerReducer(state: ViewerState, action: ViewerAction): ViewerState {
  switch (action.type) {
    case 'layout': {
      if (action.layout === state.layout) return state;
      const { rows, cols } = layoutCells(action.layout);
      const n = rows * cols;
      const viewports = state.viewports.slice(0, n);
      while (viewports.length < n) viewports.push(emptyViewport());
      return { ...state, layout: action.layout, viewports, active: Math.min(state.active, n - 1) };
    }
    case 'assign':
      return updateViewport(state, action.viewport, () => ({ ...emptyViewport(), seriesId: action.seriesId, slice: Math.max(0, Math.floor(action.slice)) }));
    case 'unassign': {
      if (!state.viewports.some((vp) => vp.seriesId !== null && action.seriesIds.includes(vp.seriesId))) return state;
      return { ...state, viewports: state.viewports.map((vp) => (vp.seriesId !== null && action.seriesIds.includes(vp.seriesId) ? emptyViewport() : vp)) };
    }
    case 'activate':
      return action.viewport >= 0 && action.viewport < state.viewports.length && action.viewport !== state.active ? { ...state, active: action.viewport } : state;
    case 'slice': {
      const last = Math.max(0, action.sliceCount - 1);
      const slice = Math.min(last, Math.max(0, Math.round(action.slice) || 0));
      return updateViewport(state, action.viewport, (vp) => (vp.slice === slice ? vp : { ...vp, slice }));
    }
    case 'camera':
      return updateViewport(state, action.viewport, (vp) => ({ ...vp, camera: action.camera }));
    case 'window':
      return updateViewport(state, action.viewport, (vp) => ({ ...vp, window: action.window }));
    case 'invert':
      return updateViewport(state, action.viewport, (vp) => ({ ...vp, invert: !vp.invert }));
    case 'rotate':
      // The picture turns clockwise on screen for +1 (viewGeometry's orientOnScreen applies flips, then turns).
      return updateCamera(state, action.viewport, (cam) => ({ ...cam, rotation: ((cam.rotation + action.quarterTurns + 4) % 4) as Camera2D['rotation'] }));
    case 'flip':
      // A mirror of what is on screen now. The camera's flips act before its turns, so with an odd number
      // of quarter turns the on-screen horizontal mirror is the image's vertical one, and vice versa.
      return updateCamera(state, action.viewport, (cam) => {
        const imageHorizontal = (action.axis === 'h') === (cam.rotation % 2 === 0);
        return imageHorizontal ? { ...cam, flipH: !cam.flipH } : { ...cam, flipV: !cam.flipV };
      });
    case 'resetView':
      return updateViewport(state, action.viewport, (vp) => ({ ...vp, camera: null, window: null, invert: false }));
    case 'cine':
      return updateViewport(state, action.viewport, (vp) => {
        const current = vp.cine ?? { playing: false, fps: DEFAULT_CINE_FPS };
        const fps = action.fps === undefined || !Number.isFinite(action.fps) ? current.fps : Math.min(MAX_FPS, Math.max(1, action.fps));
        return { ...vp, cine: { playing: action.playing ?? current.playing, fps } };
      });
    case 'tool':
      return action.tool === state.tool ? state : { ...state, tool: action.tool };
    case 'addAnnotation':
      if (state.annotations.some((a) => a.id === action.annotation.id)) return state;
      return editAnnotations(state, [...state.annotations, action.annotation], action.annotation.id);
    case 'moveAnnotation': {
      const i = state.annotations.findIndex((a) => a.id === action.id);
      if (i < 0) return state;
      const annotations = state.annotations.slice();
      annotations[i] = { ...annotations[i]!, points: action.points };
      return editAnnotations(state, annotations);
    }
    case 'deleteAnnotation': {
      if (!state.annotations.some((a) => a.id === action.id)) return state;
      const annotations = state.annotations.filter((a) => a.id !== action.id);
      return editAnnotations(state, annotations, keepSelection(state.selected, annotations));
    }
    case 'select': {
      const selected = keepSelection(action.id, state.annotations);
      return selected === state.selected ? state : { ...state, selected };
    }
    case 'setAnnotations':
      return { ...state, annotations: action.annotations, selected: keepSelection(state.selected, action.annotations), undo: [], redo: [] };
    case 'undo': {
      const previous = state.undo[state.undo.length - 1];
      if (!previous) return state;
      return { ...state, annotations: previous, selected: keepSelection(state.selected, previous), undo: state.undo.slice(0, -1), redo: [...state.redo, state.annotations] };
    }
    case 'redo': {
      const next = state.redo[state.redo.length - 1];
      if (!next) return state;
      return { ...state, annotations: next, selected: keepSelection(state.selected, next), undo: [...state.undo, state.annotations], redo: state.redo.slice(0, -1) };
    }
    case 'sync':
      return { ...state, sync: { scroll: action.scroll ?? state.sync.scroll, panZoom: action.panZoom ?? state.sync.panZoom, link: action.link ?? state.sync.link } };
    case 'hideIdentifying':
      return action.hide === state.hideIdentifying ? state : { ...state, hideIdentifying: action.hide };
    case 'overlay':
      return state.overlays[action.key] === action.visible ? state : { ...state, overlays: { ...state.overlays, [action.key]: action.visible } };
    case 'openMpr':
      return action.mpr === state.mpr ? state : { ...state, mpr: action.mpr };
    case 'mpr': {
      if (!state.mpr) return state;
      const mpr = mprReducer(state.mpr, action.action);
      return mpr === state.mpr ? state : { ...state, mpr };
    }
  }
}

/** Planes closer than this to parallel (|cos| of the angle between normals) scroll together: an axial view follows an axial view, not a sagittal one. */
const PARALLEL_COS = Math.cos((30 * Math.PI) / 180);

/**
 * Scroll sync by position: when sync.scroll is on, every other viewport showing a 'volume' series of
 * the source's Frame of Reference, with slices roughly parallel to the source's, moves to the slice
 * nearest sourcePoint (clamped to its volume).
 */
export function syncedSlices(state: ViewerState, source: number, sourcePoint: Vec3, viewsBySeries: (seriesId: string) => SeriesView | undefined): ViewerState {
  const from = state.viewports[source];
  if (!state.sync.scroll || !from?.seriesId) return state;
  const sourceView = viewsBySeries(from.seriesId);
  if (!sourceView || sourceView.kind !== 'volume' || !sourceView.frameOfReferenceUid) return state;
  const sourceNormal = normalOf(planeOfSlice(sourceView, 0));
  let next = state;
  state.viewports.forEach((vp, i) => {
    if (i === source || !vp.seriesId) return;
    const view = viewsBySeries(vp.seriesId);
    if (!view || view.kind !== 'volume' || view.frameOfReferenceUid !== sourceView.frameOfReferenceUid) return;
    if (Math.abs(dot(normalOf(planeOfSlice(view, 0)), sourceNormal)) < PARALLEL_COS) return;
    next = viewerReducer(next, { type: 'slice', viewport: i, slice: sliceNearest(view, sourcePoint), sliceCount: view.dimensions[2] });
  });
  return next;
}

/**
 * Manual link, for series that share no Frame of Reference (a prior from another scanner): when
 * sync.link is on, every other viewport showing a series moves by the same number of slices.
 */
export function linkedSlices(state: ViewerState, source: number, delta: number, sliceCountOf: (seriesId: string) => number): ViewerState {
  if (!state.sync.link || delta === 0) return state;
  let next = state;
  state.viewports.forEach((vp, i) => {
    if (i === source || !vp.seriesId) return;
    next = viewerReducer(next, { type: 'slice', viewport: i, slice: vp.slice + delta, sliceCount: sliceCountOf(vp.seriesId) });
  });
  return next;
}

/**
 * Pan/zoom sync, on request: every other viewport with a camera takes the source's scale; those of the
 * same Frame of Reference also centre on the same patient point, so the same anatomy sits under the same spot.
 */
export function syncedCameras(state: ViewerState, source: number, viewsBySeries: (seriesId: string) => SeriesView | undefined): ViewerState {
  const from = state.viewports[source];
  if (!state.sync.panZoom || !from?.camera || !from.seriesId) return state;
  const fromFor = viewsBySeries(from.seriesId)?.frameOfReferenceUid ?? '';
  let next = state;
  state.viewports.forEach((vp, i) => {
    if (i === source || !vp.seriesId || !vp.camera) return;
    const sameSpace = fromFor !== '' && viewsBySeries(vp.seriesId)?.frameOfReferenceUid === fromFor;
    const camera = { ...vp.camera, mmPerPx: from.camera!.mmPerPx, ...(sameSpace ? { focal: from.camera!.focal } : {}) };
    next = viewerReducer(next, { type: 'camera', viewport: i, camera });
  });
  return next;
}
