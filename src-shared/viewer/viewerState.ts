// The reading room's state as plain, serialisable data (DESIGN.md section 6). Components render it;
// tools turn pointer and key events into viewerReducer actions.
import type { AnnotationRecord, VoiWindowInfo } from '../ipc/contract';
import type { MprState } from './mprState';
import type { Camera2D } from './viewGeometry';

export type LayoutId = '1x1' | '1x2' | '2x1' | '2x2' | '2x3' | '3x3';

export const LAYOUTS: readonly LayoutId[] = ['1x1', '1x2', '2x1', '2x2', '2x3', '3x3'];

/** 'RxC': R rows by C columns of viewports. */
export function layoutCells(id: LayoutId): { rows: number; cols: number } {
  const [rows, cols] = id.split('x').map(Number) as [number, number];
  return { rows, cols };
}

/** 'redaction': rectangles blanked at export (2D viewports only; redaction.ts). */
export type ToolId = 'windowLevel' | 'pan' | 'zoom' | 'length' | 'angle' | 'cobb' | 'ellipse' | 'rectangle' | 'probe' | 'arrow' | 'text' | 'redaction' | 'select';

export interface ViewportState {
  seriesId: string | null;
  slice: number;
  /** null until the renderer fits it to the viewport. */
  camera: Camera2D | null;
  /** null = the series' default window. */
  window: VoiWindowInfo | null;
  /** The user's inversion, on top of the series' own (MONOCHROME1). */
  invert: boolean;
  cine: { playing: boolean; fps: number } | null;
}

/**
 * A measurement or mark, in patient coordinates of its Frame of Reference (image-relative for 2D images),
 * with the slice's instance and frame: where 2D images keep it, and which slice shows it. One shape with
 * what main stores (the contract's schema validates it at the trust boundary).
 */
export type Annotation = AnnotationRecord;
export type AnnotationKind = AnnotationRecord['kind'];

export interface ViewerState {
  layout: LayoutId;
  /** One per layout cell, row by row (length rows * cols). */
  viewports: ViewportState[];
  active: number;
  tool: ToolId;
  annotations: Annotation[];
  selected: string | null;
  /** scroll: by position within a Frame of Reference; link: by slice count for any series (manual); panZoom: cameras follow. */
  sync: { scroll: boolean; panZoom: boolean; link: boolean };
  /** Patient name, ID, birth date and the like hidden from the corner overlays (screenshots, teaching). */
  hideIdentifying: boolean;
  overlays: { corners: boolean; orientation: boolean; scaleBar: boolean; annotations: boolean };
  /** Earlier annotation lists, newest last (at most UNDO_LIMIT). */
  undo: Annotation[][];
  redo: Annotation[][];
  /** The MPR/3D layout of one series, shown in place of the viewport grid while open; null = the grid. */
  mpr: MprState | null;
}

export const UNDO_LIMIT = 100;
export const DEFAULT_CINE_FPS = 15;

export function emptyViewport(): ViewportState {
  return { seriesId: null, slice: 0, camera: null, window: null, invert: false, cine: null };
}

export function initialViewerState(): ViewerState {
  return {
    layout: '1x1',
    viewports: [emptyViewport()],
    active: 0,
    tool: 'windowLevel',
    annotations: [],
    selected: null,
    sync: { scroll: true, panZoom: false, link: false },
    hideIdentifying: false,
    overlays: { corners: true, orientation: true, scaleBar: true, annotations: true },
    undo: [],
    redo: [],
    mpr: null,
  };
}
