// Puts the display pipeline (modality LUT -> VOI window or LUT -> presentation inversion, PS3.3 C.11)
// onto a vtk image property. The pixels stay stored values in their native type; the mapping from a
// stored value to grey is a colour transfer function sampled from the shared displayRamp, spanning
// just the stored range that the window covers (outside it vtk clamps to the ends).
import vtkPiecewiseFunction from '@kitware/vtk.js/Common/DataModel/PiecewiseFunction';
import type vtkColorTransferFunction from '@kitware/vtk.js/Rendering/Core/ColorTransferFunction';
import type vtkImageProperty from '@kitware/vtk.js/Rendering/Core/ImageProperty';
import type { DisplayInfo, VoiWindowInfo } from '../../src-shared/ipc/contract';
import { displayRamp, modalityOf } from '../../src-shared/viewer/displayLut';

/** Samples for curved functions (SIGMOID, lookup tables); a linear window needs only its two ends. */
const CURVE_SAMPLES = 512;

/** Stored values whose modality values span [lo, hi] (the modality LUT may be a table or have a negative slope). */
function storedSpan(display: DisplayInfo, lo: number, hi: number): [number, number] {
  const lut = display.modalityLut;
  if (lut.kind === 'table') return [lut.firstMapped, lut.firstMapped + Math.max(1, lut.values.length - 1)];
  const a = (lo - lut.intercept) / lut.slope;
  const b = (hi - lut.intercept) / lut.slope;
  return a < b ? [a, b] : b < a ? [b, a] : [a - 0.5, a + 0.5];
}

/** The modality range a window needs drawn exactly: its ramp, and the sigmoid's tails. */
function windowSpan(w: VoiWindowInfo): [number, number] {
  const width = Math.max(w.width, 1e-6);
  if (w.function === 'SIGMOID') return [w.center - 2 * width, w.center + 2 * width];
  if (w.function === 'LINEAR_EXACT') return [w.center - width / 2, w.center + width / 2];
  return [w.center - 0.5 - (Math.max(width, 1) - 1) / 2, w.center - 0.5 + (Math.max(width, 1) - 1) / 2 + 1e-6];
}

/**
 * Fully opaque, shared by every greyscale view. Without an opacity function of its own a property makes vtk.js
 * build and upload a new opacity texture at every draw (it keys the texture by the function); with this one the
 * single texture is made once for the window.
 */
let opaque: vtkPiecewiseFunction | null = null;
function opaqueFunction(): vtkPiecewiseFunction {
  if (!opaque) {
    opaque = vtkPiecewiseFunction.newInstance();
    opaque.addPoint(0, 1);
    opaque.addPoint(1, 1);
  }
  return opaque;
}

/** The ramp each transfer function holds now. */
const rampOf = new WeakMap<vtkColorTransferFunction, string>();

export function applyDisplay(property: vtkImageProperty, ctf: vtkColorTransferFunction, display: DisplayInfo, window: VoiWindowInfo, inverted: boolean): void {
  if (display.components === 3) {
    // Colour is shown as stored; a window still applies per channel and a negative width inverts.
    property.setRGBTransferFunction(0, null);
    property.setUseLookupTableScalarRange(false);
    property.setIndependentComponents(false);
    property.setColorWindow(inverted ? -Math.max(1, window.width) : Math.max(1, window.width));
    property.setColorLevel(window.center);
    return;
  }
  const [lo, hi] = windowSpan(window);
  const span = storedSpan(display, lo, hi);
  const linear = window.function !== 'SIGMOID' && display.modalityLut.kind === 'linear';
  const ramp = displayRamp(display, { window }, span, linear ? 2 : CURVE_SAMPLES, inverted);
  // Views draw at every slice change with the same window: refilling the function would mark it modified and
  // vtk.js would rebuild and upload its colour and opacity textures for every frame.
  const points = `${ramp.stored.join(',')}|${ramp.grey.join(',')}`;
  if (rampOf.get(ctf) !== points) {
    ctf.removeAllPoints();
    for (let i = 0; i < ramp.stored.length; i++) ctf.addRGBPoint(ramp.stored[i]!, ramp.grey[i]!, ramp.grey[i]!, ramp.grey[i]!);
    rampOf.set(ctf, points);
  }
  property.setRGBTransferFunction(0, ctf);
  property.setPiecewiseFunction(0, opaqueFunction());
  property.setUseLookupTableScalarRange(true);
  property.setColorWindow(span[1] - span[0]);
  property.setColorLevel((span[0] + span[1]) / 2);
}

/** Modality value (HU for CT) of a stored value, for the probe and ROI statistics. */
export function toModality(display: DisplayInfo, stored: number): number {
  return modalityOf(stored, display.modalityLut);
}
