// The engine's public shapes. Other layers depend on these, not on dicom-parser.

export type Vec3 = [number, number, number];

/** What the store, the study list and the volume assembler need of one instance (no pixels). */
export interface InstanceMeta {
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
  patientName: string;
  patientId: string;
  patientBirthDate: string;
  patientSex: string;
  studyInstanceUid: string;
  studyDate: string;
  studyTime: string;
  studyDescription: string;
  accessionNumber: string;
  seriesInstanceUid: string;
  seriesNumber: number | null;
  seriesDescription: string;
  modality: string;
  instanceNumber: number | null;
  frameOfReferenceUid: string;
  rows: number;
  columns: number;
  numberOfFrames: number;
  samplesPerPixel: number;
  photometricInterpretation: string;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  pixelRepresentation: number;
  planarConfiguration: number;
  /** (0020,0032); null when absent. */
  imagePositionPatient: Vec3 | null;
  /** (0020,0037) row direction then column direction; null when absent. */
  imageOrientationPatient: [number, number, number, number, number, number] | null;
  /** (0028,0030): [row spacing (between rows, mm), column spacing (between columns, mm)]; null when absent. */
  pixelSpacing: [number, number] | null;
  sliceThickness: number | null;
  rescaleSlope: number;
  rescaleIntercept: number;
  rescaleType: string;
  windowCenter: number | null;
  windowWidth: number | null;
  hasPixelData: boolean;
  specificCharacterSet: string;
  burnedInAnnotation: string;
}

/** One decoded frame: stored values (after BitsStored masking and sign extension), before the modality LUT. */
export interface DecodedFrame {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  /** Interleaved when samplesPerPixel > 1 (RGB RGB ...), already converted from YBR / palette to RGB where applicable. */
  pixels: Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;
  photometricInterpretation: string;
  /** Significant bits per sample in `pixels`: BitsStored, or the LUT depth (8/16) for RGB made from PALETTE COLOR. */
  bitsPerSample?: number;
}

/** A regular 3D grid in patient space (LPS mm), ready for vtkImageData. */
export interface Volume {
  /** [columns, rows, slices] = vtk's i, j, k. */
  dimensions: Vec3;
  /** [column spacing, row spacing, slice spacing] in mm, i.e. along i, j, k. */
  spacing: Vec3;
  /** LPS position of voxel (0,0,0)'s centre. */
  origin: Vec3;
  /** Row-major 3x3: columns of the matrix are the i, j, k directions (vtk's convention). */
  direction: [number, number, number, number, number, number, number, number, number];
  /** Modality values (HU for CT) in slice-major order. */
  scalars: Float32Array | Int16Array;
  units: string;
  warnings: VolumeWarning[];
}

export interface VolumeWarning {
  code:
    | 'NON_UNIFORM_SPACING'
    | 'MISSING_SLICES'
    | 'GANTRY_TILT'
    | 'MIXED_ORIENTATION'
    | 'DUPLICATE_POSITIONS'
    | 'MIXED_SIZES'
    | 'NO_GEOMETRY'
    | 'RESAMPLED'
    | 'SINGLE_SLICE';
  message: string;
}
