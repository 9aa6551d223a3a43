// The MPR/3D layout's state as plain data (DESIGN.md section 6), and its pure reducer: one crosshair
// point and one rotated frame shared by the three planes, a slab, each view's camera, window/level linked
// across the views or not, and the 3D view's settings. Geometry that needs the series' grid
// (mprGeometry) is computed by the caller and arrives in the action as data.
import type { Vec3 } from '../dicom/types';
import type { SeriesView, VoiWindowInfo } from '../ipc/contract';
import { PATIENT_FRAME, rotateFrame, volumeCentre, type MprFrame, type MprViewId } from './mprGeometry';
import type { Camera2D } from './viewGeometry';

export type SlabMode = 'mip' | 'minip' | 'mean';
export type Blend3D = 'composite' | 'mip' | 'minip';
export type ViewDirection = 'A' | 'P' | 'L' | 'R' | 'S' | 'I';
/** Crop box as fractions of the volume along i, j, k: [i0, i1, j0, j1, k0, k1], each in [0, 1]. */
export type CropBox = [number, number, number, number, number, number];
export const FULL_CROP: CropBox = [0, 1, 0, 1, 0, 1];

export interface Volume3DState {
  preset: string;
  shade: boolean;
  blend: Blend3D;
  crop: CropBox;
  /** The side the camera looks from; `seq` bumps on every press so pressing the same button again resets to it. */
  view: { from: ViewDirection; seq: number };
}

export interface MprState {
  seriesId: string;
  centre: Vec3;
  frame: MprFrame;
  /** 0 mm = a plain reformat (one sample deep). */
  slab: { mm: number; mode: SlabMode };
  cameras: Record<MprViewId, Camera2D | null>;
  /** When linked every view shows windows.axial; unlinked, each its own. null = the series' default. */
  linkWindow: boolean;
  windows: Record<MprViewId, VoiWindowInfo | null>;
  invert: boolean;
  active: MprViewId | '3d';
  /** The fourth cell: the 3D view, or nothing. */
  show3d: boolean;
  volume3d: Volume3DState;
}

export const MAX_SLAB_MM = 200;

export function initialMprState(view: Pick<SeriesView, 'seriesId' | 'modality' | 'dimensions' | 'spacing' | 'origin' | 'direction'>, show3d = false): MprState {
  return {
    seriesId: view.seriesId,
    centre: volumeCentre(view),
    frame: PATIENT_FRAME,
    slab: { mm: 0, mode: 'mip' },
    cameras: { axial: null, coronal: null, sagittal: null },
    linkWindow: true,
    windows: { axial: null, coronal: null, sagittal: null },
    invert: false,
    active: 'axial',
    show3d,
    volume3d: { preset: view.modality === 'MR' ? 'MR default' : 'CT bone', shade: true, blend: 'composite', crop: FULL_CROP, view: { from: 'A', seq: 0 } },
  };
}

export type MprAction =
  | { type: 'centre'; centre: Vec3 }
  | { type: 'rotate'; view: MprViewId; angle: number }
  | { type: 'camera'; view: MprViewId; camera: Camera2D | null }
  | { type: 'window'; view: MprViewId; window: VoiWindowInfo | null }
  | { type: 'linkWindow'; linked: boolean }
  | { type: 'invert' }
  | { type: 'slab'; mm?: number; mode?: SlabMode }
  | { type: 'activate'; view: MprViewId | '3d' }
  | { type: 'show3d'; show: boolean }
  | { type: 'preset'; preset: string }
  | { type: 'shade'; shade: boolean }
  | { type: 'blend'; blend: Blend3D }
  | { type: 'crop'; crop: CropBox }
  | { type: 'viewFrom'; from: ViewDirection }
  /** Back to the patient axes through `centre` (the volume centre), fitted cameras, default window, no slab. */
  | { type: 'reset'; centre: Vec3 };

/** The window a view shows: the shared one when linked. */
export function mprWindowOf(state: MprState, view: MprViewId): VoiWindowInfo | null {
  return state.linkWindow ? state.windows.axial : state.windows[view];
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0));

export function mprReducer(state: MprState, action: MprAction): MprState {
  switch (action.type) {
    case 'centre':
      return action.centre.every(Number.isFinite) ? { ...state, centre: action.centre } : state;
    case 'rotate':
      return Number.isFinite(action.angle) && action.angle !== 0 ? { ...state, frame: rotateFrame(state.frame, action.view, action.angle) } : state;
    case 'camera':
      return { ...state, cameras: { ...state.cameras, [action.view]: action.camera } };
    case 'window':
      // Linked, the one shared window lives in the axial slot; every view reads it from there.
      return state.linkWindow
        ? { ...state, windows: { axial: action.window, coronal: action.window, sagittal: action.window } }
        : { ...state, windows: { ...state.windows, [action.view]: action.window } };
    case 'linkWindow': {
      if (action.linked === state.linkWindow) return state;
      // Linking adopts the active view's window for all three.
      const from = state.active === '3d' ? 'axial' : state.active;
      const w = state.windows[from];
      return action.linked ? { ...state, linkWindow: true, windows: { axial: w, coronal: w, sagittal: w } } : { ...state, linkWindow: false };
    }
    case 'invert':
      return { ...state, invert: !state.invert };
    case 'slab': {
      const mm = action.mm === undefined ? state.slab.mm : Math.min(MAX_SLAB_MM, Math.max(0, Number.isFinite(action.mm) ? action.mm : 0));
      const mode = action.mode ?? state.slab.mode;
      return mm === state.slab.mm && mode === state.slab.mode ? state : { ...state, slab: { mm, mode } };
    }
    case 'activate':
      return action.view === state.active ? state : { ...state, active: action.view };
    case 'show3d':
      return action.show === state.show3d ? state : { ...state, show3d: action.show, active: !action.show && state.active === '3d' ? 'axial' : state.active };
    case 'preset':
      return { ...state, volume3d: { ...state.volume3d, preset: action.preset } };
    case 'shade':
      return { ...state, volume3d: { ...state.volume3d, shade: action.shade } };
    case 'blend':
      return { ...state, volume3d: { ...state.volume3d, blend: action.blend } };
    case 'crop': {
      const c = action.crop.map(clamp01) as CropBox;
      // Each pair ordered, never empty.
      for (let a = 0; a < 6; a += 2) if (c[a + 1]! <= c[a]!) [c[a], c[a + 1]] = [Math.min(c[a]!, c[a + 1]!), Math.max(c[a]!, c[a + 1]!, Math.min(1, Math.min(c[a]!, c[a + 1]!) + 0.01))];
      return { ...state, volume3d: { ...state.volume3d, crop: c } };
    }
    case 'viewFrom':
      return { ...state, volume3d: { ...state.volume3d, view: { from: action.from, seq: state.volume3d.view.seq + 1 } } };
    case 'reset':
      return {
        ...state, centre: action.centre, frame: PATIENT_FRAME, slab: { ...state.slab, mm: 0 },
        cameras: { axial: null, coronal: null, sagittal: null }, windows: { axial: null, coronal: null, sagittal: null }, invert: false,
      };
  }
}
