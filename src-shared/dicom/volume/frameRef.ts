// One 2D frame of a series as the volume assembler sees it: where it lies, not what it holds.
import type { Vec3 } from '../types';

export type Orientation = [number, number, number, number, number, number];

export interface FrameRef {
  /** The caller's handle on the instance (a path, a SOP Instance UID, a store id). */
  key: string;
  /** 0-based frame number inside that instance. */
  frameIndex: number;
  rows: number;
  columns: number;
  /** ImagePositionPatient of the frame's first pixel centre (LPS mm); null when unknown. */
  position: Vec3 | null;
  /** ImageOrientationPatient: row direction then column direction; null when unknown. */
  orientation: Orientation | null;
  /** PixelSpacing: [between rows, between columns] in mm; null when unknown. */
  pixelSpacing: [number, number] | null;
  /** SliceThickness, used only to give a single slice or a stack without positions a depth. */
  sliceThickness?: number | null;
  /** SpacingBetweenSlices (0018,0088), the fallback slice step for stacks without positions. */
  spacingBetweenSlices?: number | null;
}
