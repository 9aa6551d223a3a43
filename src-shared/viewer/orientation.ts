// Orientation letters at the viewport edges: L/R, A/P and S/I (superior/inferior, as Horos and OHIF show
// them). Patient Orientation (0020,0020) writes head/foot as H/F (PS3.3 C.7.6.1.1.1): those read as S/I.
import type { Vec3 } from '../dicom/types';
import { normalize, scale } from '../dicom/volume/vec3';
import { orientOnScreen, screenAxes, type Camera2D, type ImagePlane } from './viewGeometry';

/** A component smaller than this (of a unit vector) is left out of a compound label. */
const OBLIQUE_THRESHOLD = 0.25;

export interface EdgeLabels {
  left: string;
  right: string;
  top: string;
  bottom: string;
}

/**
 * Letters for the patient direction v points to: x>0 L, x<0 R, y>0 P, y<0 A, z>0 S, z<0 I (LPS).
 * Components above the threshold, largest first (an oblique axis reads e.g. 'LA'); '' for a zero vector.
 */
export function directionLabel(v: Vec3): string {
  const u = normalize(v);
  if (!u) return '';
  const letters: Array<[string, string]> = [['L', 'R'], ['P', 'A'], ['S', 'I']];
  return [0, 1, 2]
    .filter((c) => Math.abs(u[c]!) > OBLIQUE_THRESHOLD)
    .sort((a, b) => Math.abs(u[b]!) - Math.abs(u[a]!))
    .slice(0, 3)
    .map((c) => letters[c]![u[c]! > 0 ? 0 : 1])
    .join('');
}

export function edgeLabels(plane: ImagePlane, cam: Camera2D): EdgeLabels {
  const { right, down } = screenAxes(plane, cam);
  return { right: directionLabel(right), left: directionLabel(scale(right, -1)), bottom: directionLabel(down), top: directionLabel(scale(down, -1)) };
}

const OPPOSITE: Record<string, string> = { L: 'R', R: 'L', A: 'P', P: 'A', S: 'I', I: 'S', H: 'I', F: 'S' };
/** Patient Orientation's head/foot letters in the viewer's superior/inferior. */
const toSuperiorInferior = (letters: string) => letters.toUpperCase().replaceAll('H', 'S').replaceAll('F', 'I');

/** The opposite direction of a Patient Orientation value: every letter inverted ('AF' -> 'PH'); unknown characters are kept. */
export function oppositeLetters(letters: string): string {
  return [...letters.toUpperCase()].map((ch) => OPPOSITE[ch] ?? ch).join('');
}

/**
 * Edge letters of a projection image from Patient Orientation (0020,0020): [row direction, column
 * direction], e.g. ['P', 'F'] = rows run toward posterior, columns toward the feet. Same convention as screenAxes.
 */
export function projectionEdgeLabels(patientOrientation: [string, string], cam: Camera2D): EdgeLabels {
  const { right, down } = orientOnScreen(toSuperiorInferior(patientOrientation[0]), toSuperiorInferior(patientOrientation[1]), oppositeLetters, cam);
  return { right, left: oppositeLetters(right), bottom: down, top: oppositeLetters(down) };
}
