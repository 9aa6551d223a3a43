// What one image pixel measures, per DICOM PS3.3 section 10.7 (Basic Pixel Spacing Calibration) and
// C.8.5.5 (Sequence of Ultrasound Regions). Pure: the caller reads the attributes (displayHeader.ts).
//
// Cross-sectional images (CT, MR, PT, NM, and anything that is neither projection radiography nor
// ultrasound): Pixel Spacing is in the patient -> 'mm'.
// Projection radiography (CR, DX, MG, IO, XA, RF, PX), following 10.7.1.1:
//  - Pixel Spacing with a Pixel Spacing Calibration Type (GEOMETRY / FIDUCIAL) -> 'mm' (calibrated);
//  - Pixel Spacing that differs from Imager (or Nominal Scanned) Pixel Spacing: the image "has been
//    corrected for ... geometric magnification or calibrated" -> 'mm';
//  - Pixel Spacing equal to Imager Pixel Spacing (not corrected), or Imager Pixel Spacing alone: the
//    spacing at the detector, not in the patient -> Imager Pixel Spacing / ERMF as 'mm (ERMF)' when an
//    Estimated Radiographic Magnification Factor is given, else 'mm (detector)';
//  - Pixel Spacing alone (no calibration type, no imager spacing): the standard says "it cannot be
//    determined whether or not correction or calibration have been performed". Our choice: treat it as
//    uncorrected, 'mm (detector)' — a label that never claims patient millimetres it cannot back.
// Values that are not positive and finite are absent (10.7.1.3: spacings are positive, non-zero).
// Ultrasound: the regions of the Sequence of Ultrasound Regions, each in its own physical units;
// the image as a whole is 'px' unless it also carries Pixel Spacing.
import type { Calibration, UltrasoundRegion } from '../ipc/contract';

export interface UltrasoundRegionInput {
  /** Region Location Min X0, Min Y0, Max X1, Max Y1 (0018,6018/601A/601C/601E). */
  bounds: [number, number, number, number];
  /** Physical Units X / Y Direction codes (0018,6024 / 6026). */
  unitsXCode: number;
  unitsYCode: number;
  /** Physical Delta X / Y (0018,602C / 602E). */
  deltaX: number;
  deltaY: number;
}

export interface CalibrationInput {
  modality: string;
  /** (0028,0030) [row spacing, column spacing]. */
  pixelSpacing: [number, number] | null;
  /** (0028,0A02) */
  pixelSpacingCalibrationType: string | null;
  /** (0018,1164) */
  imagerPixelSpacing: [number, number] | null;
  /** (0018,2010) */
  nominalScannedPixelSpacing: [number, number] | null;
  /** (0018,1114) */
  estimatedRadiographicMagnificationFactor: number | null;
  usRegions: UltrasoundRegionInput[];
}

export const PROJECTION_MODALITIES: ReadonlySet<string> = new Set(['CR', 'DX', 'MG', 'IO', 'XA', 'RF', 'PX']);

/** PS3.3 C.8.5.5.1.15 Physical Units X/Y Direction. */
const US_UNITS: Record<number, string> = {
  0: 'none', 1: '%', 2: 'dB', 3: 'cm', 4: 's', 5: 'Hz', 6: 'dB/s', 7: 'cm/s', 8: 'cm²', 9: 'cm²/s', 10: 'cm³', 11: 'cm³/s', 12: '°',
};

export function ultrasoundUnitName(code: number): string {
  return US_UNITS[code] ?? 'unknown';
}

function valid(s: [number, number] | null): s is [number, number] {
  return s !== null && s.length === 2 && s.every((v) => Number.isFinite(v) && v > 0 && v < 1e5);
}

/** Equal as written in the file, give or take DS rounding ("0.175" vs "0.17500000000000"). */
function sameSpacing(a: [number, number], b: [number, number]): boolean {
  return Math.abs(a[0] - b[0]) <= 1e-6 * Math.max(a[0], b[0]) && Math.abs(a[1] - b[1]) <= 1e-6 * Math.max(a[1], b[1]);
}

function regionsOf(input: UltrasoundRegionInput[]): UltrasoundRegion[] {
  const out: UltrasoundRegion[] = [];
  for (const r of input) {
    if (!r.bounds.every((v) => Number.isFinite(v)) || !Number.isFinite(r.deltaX) || !Number.isFinite(r.deltaY)) continue;
    out.push({ bounds: r.bounds, unitsX: ultrasoundUnitName(r.unitsXCode), unitsY: ultrasoundUnitName(r.unitsYCode), deltaX: r.deltaX, deltaY: r.deltaY });
  }
  return out;
}

export function calibrationOf(input: CalibrationInput): Calibration {
  const regions = regionsOf(input.usRegions);
  const ps = valid(input.pixelSpacing) ? input.pixelSpacing : null;
  const px: Calibration = { unit: 'px', spacing: [1, 1], regions };
  if (!PROJECTION_MODALITIES.has(input.modality.toUpperCase())) return ps ? { unit: 'mm', spacing: ps, regions } : px;

  const imager = valid(input.imagerPixelSpacing) ? input.imagerPixelSpacing : null;
  const reference = imager ?? (valid(input.nominalScannedPixelSpacing) ? input.nominalScannedPixelSpacing : null);
  const calibrationType = (input.pixelSpacingCalibrationType ?? '').trim();
  if (ps && calibrationType !== '') return { unit: 'mm', spacing: ps, regions };
  if (ps && reference && !sameSpacing(ps, reference)) return { unit: 'mm', spacing: ps, regions };
  if (imager) {
    const ermf = input.estimatedRadiographicMagnificationFactor;
    if (ermf !== null && Number.isFinite(ermf) && ermf > 0) return { unit: 'mm (ERMF)', spacing: [imager[0] / ermf, imager[1] / ermf], regions };
    return { unit: 'mm (detector)', spacing: imager, regions };
  }
  const detector = ps ?? reference;
  return detector ? { unit: 'mm (detector)', spacing: detector, regions } : px;
}
