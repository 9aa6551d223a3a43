// The per-instance summary the store, study list and volume assembler need, from a parsed file.
import type { DataSet } from 'dicom-parser';
import type { DicomFile } from './parse';
import type { InstanceMeta, Vec3 } from './types';
import { charsetOf, getInt, getNumber, getNumbers, getString, getText } from './elements';

const T = {
  sopClassUid: 'x00080016',
  sopInstanceUid: 'x00080018',
  mediaSopClassUid: 'x00020002',
  mediaSopInstanceUid: 'x00020003',
  patientName: 'x00100010',
  patientId: 'x00100020',
  patientBirthDate: 'x00100030',
  patientSex: 'x00100040',
  studyInstanceUid: 'x0020000d',
  studyDate: 'x00080020',
  studyTime: 'x00080030',
  studyDescription: 'x00081030',
  accessionNumber: 'x00080050',
  seriesInstanceUid: 'x0020000e',
  seriesNumber: 'x00200011',
  seriesDescription: 'x0008103e',
  modality: 'x00080060',
  instanceNumber: 'x00200013',
  frameOfReferenceUid: 'x00200052',
  rows: 'x00280010',
  columns: 'x00280011',
  numberOfFrames: 'x00280008',
  samplesPerPixel: 'x00280002',
  photometricInterpretation: 'x00280004',
  bitsAllocated: 'x00280100',
  bitsStored: 'x00280101',
  highBit: 'x00280102',
  pixelRepresentation: 'x00280103',
  planarConfiguration: 'x00280006',
  imagePositionPatient: 'x00200032',
  imageOrientationPatient: 'x00200037',
  pixelSpacing: 'x00280030',
  sliceThickness: 'x00180050',
  rescaleSlope: 'x00281053',
  rescaleIntercept: 'x00281052',
  rescaleType: 'x00281054',
  windowCenter: 'x00281050',
  windowWidth: 'x00281051',
  burnedInAnnotation: 'x00280301',
  pixelData: 'x7fe00010',
  floatPixelData: 'x7fe00008',
  doublePixelData: 'x7fe00009',
} as const;

function vec(ds: DataSet, tag: string, n: number): number[] | null {
  const v = getNumbers(ds, tag);
  return v.length >= n ? v.slice(0, n) : null;
}

function nonNegInt(ds: DataSet, tag: string, fallback: number): number {
  const v = getInt(ds, tag);
  return v !== null && v >= 0 ? v : fallback;
}

/** Reads the instance summary; text is decoded per (0008,0005). Absent values are "" / null / defaults. */
export function readInstanceMeta(file: DicomFile): InstanceMeta {
  const ds = file.dataSet;
  const cs = charsetOf(ds);
  const bitsAllocated = nonNegInt(ds, T.bitsAllocated, 0);
  const bitsStored = nonNegInt(ds, T.bitsStored, bitsAllocated);
  const slope = getNumber(ds, T.rescaleSlope);
  const ipp = vec(ds, T.imagePositionPatient, 3);
  const iop = vec(ds, T.imageOrientationPatient, 6);
  const ps = vec(ds, T.pixelSpacing, 2);
  const frames = getInt(ds, T.numberOfFrames);
  return {
    sopClassUid: getString(ds, T.sopClassUid) || getString(ds, T.mediaSopClassUid),
    sopInstanceUid: getString(ds, T.sopInstanceUid) || getString(ds, T.mediaSopInstanceUid),
    transferSyntaxUid: file.transferSyntaxUid,
    patientName: getText(ds, T.patientName, cs),
    patientId: getText(ds, T.patientId, cs),
    patientBirthDate: getString(ds, T.patientBirthDate),
    patientSex: getString(ds, T.patientSex),
    studyInstanceUid: getString(ds, T.studyInstanceUid),
    studyDate: getString(ds, T.studyDate),
    studyTime: getString(ds, T.studyTime),
    studyDescription: getText(ds, T.studyDescription, cs),
    accessionNumber: getText(ds, T.accessionNumber, cs),
    seriesInstanceUid: getString(ds, T.seriesInstanceUid),
    seriesNumber: getInt(ds, T.seriesNumber),
    seriesDescription: getText(ds, T.seriesDescription, cs),
    modality: getString(ds, T.modality),
    instanceNumber: getInt(ds, T.instanceNumber),
    frameOfReferenceUid: getString(ds, T.frameOfReferenceUid),
    rows: nonNegInt(ds, T.rows, 0),
    columns: nonNegInt(ds, T.columns, 0),
    numberOfFrames: frames !== null && frames > 0 ? frames : 1,
    samplesPerPixel: nonNegInt(ds, T.samplesPerPixel, 1),
    photometricInterpretation: getString(ds, T.photometricInterpretation),
    bitsAllocated,
    bitsStored,
    highBit: nonNegInt(ds, T.highBit, bitsStored > 0 ? bitsStored - 1 : 0),
    pixelRepresentation: nonNegInt(ds, T.pixelRepresentation, 0),
    planarConfiguration: nonNegInt(ds, T.planarConfiguration, 0),
    imagePositionPatient: ipp ? (ipp as Vec3) : null,
    imageOrientationPatient: iop ? (iop as [number, number, number, number, number, number]) : null,
    pixelSpacing: ps ? (ps as [number, number]) : null,
    sliceThickness: getNumber(ds, T.sliceThickness),
    rescaleSlope: slope !== null && slope !== 0 ? slope : 1,
    rescaleIntercept: getNumber(ds, T.rescaleIntercept) ?? 0,
    rescaleType: getString(ds, T.rescaleType),
    windowCenter: getNumber(ds, T.windowCenter),
    windowWidth: getNumber(ds, T.windowWidth),
    hasPixelData: T.pixelData in ds.elements || T.floatPixelData in ds.elements || T.doublePixelData in ds.elements,
    specificCharacterSet: cs.join('\\'),
    burnedInAnnotation: getString(ds, T.burnedInAnnotation),
  };
}
