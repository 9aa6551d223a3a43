// Everything a viewer needs from one instance's header to show its pixels and measure on them,
// beyond the store's InstanceMeta: modality LUT, windows and VOI LUTs, inversion, padding, the
// spacing attributes of PS3.3 10.7, ultrasound regions, cine timing and Patient Orientation.
// Read once per series (from its middle instance) so opening a series does not read every file.
import type { DataSet } from 'dicom-parser';
import type { ModalityLutInfo, VoiLutInfo, VoiWindowInfo } from '../../ipc/contract';
import type { CalibrationInput, UltrasoundRegionInput } from '../../measure/calibration';
import { elementBytes, isBigEndian, readNumber, readNumbers, readString, readUs, readUsOrSs, sequenceItems } from './elementValues';
import { readModalityTransform } from './modalityLut';
import { readVoiPresets } from './voi';

export interface DisplayHeader {
  photometric: string;
  samplesPerPixel: number;
  /** Float or Double Float Pixel Data. */
  floatPixels: boolean;
  modalityLut: ModalityLutInfo;
  windows: VoiWindowInfo[];
  voiLuts: VoiLutInfo[];
  /** MONOCHROME1, or Presentation LUT Shape INVERSE. */
  inverted: boolean;
  /** Pixel Padding Value .. Pixel Padding Range Limit, stored values; null when absent. */
  padding: [number, number] | null;
  calibration: CalibrationInput;
  /** Time between frames of a multi-frame instance, ms; null when the header gives none. */
  frameTimeMs: number | null;
  patientOrientation: [string, string] | null;
}

function pair(ds: DataSet, tag: string): [number, number] | null {
  const v = readNumbers(ds, tag);
  return v.length >= 2 && Number.isFinite(v[0]) && Number.isFinite(v[1]) ? [v[0]!, v[1]!] : null;
}

function readUl(ds: DataSet, tag: string, bigEndian: boolean): number {
  const el = ds.elements[tag];
  if (!el || el.length < 4) return Number.NaN;
  const b = elementBytes(ds, el);
  return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, !bigEndian);
}

function readFd(ds: DataSet, tag: string, bigEndian: boolean): number {
  const el = ds.elements[tag];
  if (!el || el.length < 8) return Number.NaN;
  const b = elementBytes(ds, el);
  return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, !bigEndian);
}

function ultrasoundRegions(ds: DataSet, bigEndian: boolean): UltrasoundRegionInput[] {
  return sequenceItems(ds, 'x00186011').map((r) => ({
    bounds: [readUl(r, 'x00186018', bigEndian), readUl(r, 'x0018601a', bigEndian), readUl(r, 'x0018601c', bigEndian), readUl(r, 'x0018601e', bigEndian)],
    unitsXCode: readUs(r, 'x00186024', 0, bigEndian) ?? 0,
    unitsYCode: readUs(r, 'x00186026', 0, bigEndian) ?? 0,
    deltaX: readFd(r, 'x0018602c', bigEndian),
    deltaY: readFd(r, 'x0018602e', bigEndian),
  }));
}

function positive(v: number | undefined): number | null {
  return v !== undefined && Number.isFinite(v) && v > 0 ? v : null;
}

/** Frame Time, else 1000 / Cine Rate or Recommended Display Frame Rate, else the Frame Time Vector's mean (its first entry is always 0). */
export function frameTimeOf(ds: DataSet): number | null {
  const frameTime = positive(readNumber(ds, 'x00181063'));
  if (frameTime !== null) return frameTime;
  const rate = positive(readNumber(ds, 'x00180040')) ?? positive(readNumber(ds, 'x00082144'));
  if (rate !== null) return 1000 / rate;
  const vector = readNumbers(ds, 'x00181065').filter(Number.isFinite);
  const steps = vector.length > 1 ? vector.slice(1) : vector;
  if (steps.length === 0) return null;
  const mean = steps.reduce((a, b) => a + b, 0) / steps.length;
  return mean > 0 ? mean : null;
}

/** Patient Orientation (0020,0020): the row then the column direction, e.g. ['A', 'F']; null when absent or malformed. */
export function readPatientOrientation(dataSet: DataSet): [string, string] | null {
  const parts = (readString(dataSet, 'x00200020') ?? '').split('\\').map((s) => s.trim());
  return parts.length === 2 && parts[0] && parts[1] ? [parts[0], parts[1]] : null;
}

export function readDisplayHeader(dataSet: DataSet, transferSyntaxUid: string, modality: string, frameIndex = 0): DisplayHeader {
  const be = isBigEndian(transferSyntaxUid);
  const photometric = (readString(dataSet, 'x00280004') ?? 'MONOCHROME2').toUpperCase();
  const samplesPerPixel = readUs(dataSet, 'x00280002', 0, be) ?? 1;
  const t = readModalityTransform(dataSet, be, frameIndex);
  const modalityLut: ModalityLutInfo =
    t.kind === 'lut' && t.lut ? { kind: 'table', firstMapped: t.lut.firstMapped, values: Array.from(t.lut.entries) } : { kind: 'linear', slope: t.slope, intercept: t.intercept };
  const presets = readVoiPresets(dataSet, be, frameIndex);
  const windows: VoiWindowInfo[] = presets.windows.map((w, i) => ({ center: w.center, width: w.width, function: w.fn ?? 'LINEAR', explanation: w.explanation.trim() || `Window ${i + 1}` }));
  const voiLuts: VoiLutInfo[] = presets.luts.map((l, i) => ({ firstMapped: l.firstMapped, values: Array.from(l.entries), bits: l.bits, explanation: l.explanation.trim() || `VOI LUT ${i + 1}` }));
  const shape = (readString(dataSet, 'x20500020') ?? '').toUpperCase();
  const signed = readUs(dataSet, 'x00280103', 0, be) === 1;
  const pad = readUsOrSs(dataSet, 'x00280120', 0, be, signed);
  const padLimit = readUsOrSs(dataSet, 'x00280121', 0, be, signed);
  const frames = readNumber(dataSet, 'x00280008') ?? 1;
  return {
    photometric,
    samplesPerPixel,
    floatPixels: Boolean(dataSet.elements.x7fe00008 || dataSet.elements.x7fe00009),
    modalityLut,
    windows,
    voiLuts,
    inverted: photometric === 'MONOCHROME1' || shape === 'INVERSE',
    padding: pad === undefined ? null : [pad, padLimit ?? pad],
    calibration: {
      modality,
      pixelSpacing: pair(dataSet, 'x00280030'),
      pixelSpacingCalibrationType: readString(dataSet, 'x00280a02') ?? null,
      imagerPixelSpacing: pair(dataSet, 'x00181164'),
      nominalScannedPixelSpacing: pair(dataSet, 'x00182010'),
      estimatedRadiographicMagnificationFactor: readNumber(dataSet, 'x00181114') ?? null,
      usRegions: ultrasoundRegions(dataSet, be),
    },
    frameTimeMs: frames > 1 ? frameTimeOf(dataSet) : null,
    patientOrientation: readPatientOrientation(dataSet),
  };
}
