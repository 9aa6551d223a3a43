// What a pixel measures (PS3.3 10.7 and C.8.5.5), from the header values of real corpus files read with
// our own reader, and from the decision table's edge cases.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDisplayHeader } from '../../../src-shared/dicom/pixels/displayHeader';
import { parseDicom } from '../../../src-shared/dicom/parse';
import { calibrationOf, type CalibrationInput } from '../../../src-shared/measure/calibration';

const CORPUS = path.resolve(__dirname, '../../../../shared/data/corpus');

function fromFile(rel: string) {
  const file = parseDicom(new Uint8Array(readFileSync(path.join(CORPUS, rel))), { untilPixelData: true });
  const modality = (file.dataSet.string('x00080060') ?? '').trim();
  return calibrationOf(readDisplayHeader(file.dataSet, file.transferSyntaxUid, modality).calibration);
}

const base: CalibrationInput = {
  modality: 'DX', pixelSpacing: null, pixelSpacingCalibrationType: null, imagerPixelSpacing: null,
  nominalScannedPixelSpacing: null, estimatedRadiographicMagnificationFactor: null, usRegions: [],
};

describe('calibrationOf on corpus files', () => {
  it('CR with Imager Pixel Spacing only: millimetres at the detector, never patient mm', () => {
    expect(fromFile('debian-python3-pydicom/test_files/dicomdirtests/77654033/CR1/6154')).toEqual({ unit: 'mm (detector)', spacing: [0.1, 0.1], regions: [] });
  });

  it('CR whose Pixel Spacing equals its Imager Pixel Spacing (not corrected, 10.7.1.1): detector', () => {
    expect(fromFile('orthanc-tests/Issue44/Monochrome1-Jpeg.dcm')).toEqual({ unit: 'mm (detector)', spacing: [0.175, 0.175], regions: [] });
  });

  it('MG with an ERMF: Imager Pixel Spacing / ERMF', () => {
    const c = fromFile('fo-dicom/OutOfBoundsOverlay.dcm');
    expect(c.unit).toBe('mm (ERMF)');
    expect(c.spacing[0]).toBeCloseTo(0.085 / 1.0433386837881, 12);
    expect(c.spacing[1]).toBeCloseTo(0.085 / 1.0433386837881, 12);
  });

  it('CR with Pixel Spacing 0\\0 (invalid per 10.7.1.3) and nothing else: pixels', () => {
    expect(fromFile('pydicom-data/RG1_J2KI.dcm').unit).toBe('px');
  });

  it('CT: Pixel Spacing in the patient', () => {
    expect(fromFile('cornerstonejs-dicomParser/testImages/CT1_UNC.explicit_big_endian.dcm').unit).toBe('mm');
  });

  it('US: regions in cm and s, the image in pixels', () => {
    const c = fromFile('dcm4che/test-data/YBR_422.dcm');
    expect(c.unit).toBe('px');
    expect(c.regions).toHaveLength(1);
    expect(c.regions[0]).toMatchObject({ bounds: [184, 75, 799, 554], unitsX: 'cm', unitsY: 'cm' });
    expect(c.regions[0]!.deltaX).toBeCloseTo(0.00616, 8);
  });
});

describe('calibrationOf decision table', () => {
  it('projection Pixel Spacing with a calibration type, or different from the imager spacing, is calibrated mm', () => {
    expect(calibrationOf({ ...base, pixelSpacing: [0.1, 0.1], pixelSpacingCalibrationType: 'GEOMETRY', imagerPixelSpacing: [0.1, 0.1] }).unit).toBe('mm');
    expect(calibrationOf({ ...base, pixelSpacing: [0.09, 0.09], imagerPixelSpacing: [0.1, 0.1], estimatedRadiographicMagnificationFactor: 1.2 })).toEqual({ unit: 'mm', spacing: [0.09, 0.09], regions: [] });
  });

  it('projection Pixel Spacing alone cannot be known to be corrected: detector', () => {
    expect(calibrationOf({ ...base, pixelSpacing: [0.2, 0.3] })).toEqual({ unit: 'mm (detector)', spacing: [0.2, 0.3], regions: [] });
  });

  it('ERMF corrects the imager spacing when Pixel Spacing is absent or equal to it; a bad ERMF is ignored', () => {
    expect(calibrationOf({ ...base, pixelSpacing: [0.1, 0.1], imagerPixelSpacing: [0.1, 0.1], estimatedRadiographicMagnificationFactor: 1.25 })).toEqual({ unit: 'mm (ERMF)', spacing: [0.08, 0.08], regions: [] });
    expect(calibrationOf({ ...base, imagerPixelSpacing: [0.1, 0.1], estimatedRadiographicMagnificationFactor: 0 }).unit).toBe('mm (detector)');
  });

  it('nothing known is pixels; cross-sectional Pixel Spacing is mm whatever else is there', () => {
    expect(calibrationOf(base)).toEqual({ unit: 'px', spacing: [1, 1], regions: [] });
    expect(calibrationOf({ ...base, modality: 'MR', pixelSpacing: [0.5, 0.6], imagerPixelSpacing: [1, 1] })).toEqual({ unit: 'mm', spacing: [0.5, 0.6], regions: [] });
    expect(calibrationOf({ ...base, modality: 'CT', pixelSpacing: [0, 0] }).unit).toBe('px');
  });

  it('names ultrasound physical units per C.8.5.5.1.15', () => {
    const c = calibrationOf({ ...base, modality: 'US', usRegions: [{ bounds: [0, 0, 9, 9], unitsXCode: 4, unitsYCode: 7, deltaX: 0.01, deltaY: 0.5 }] });
    expect(c.regions).toEqual([{ bounds: [0, 0, 9, 9], unitsX: 's', unitsY: 'cm/s', deltaX: 0.01, deltaY: 0.5 }]);
  });
});
