// PS3.15 Table E.3.10-1 "Safe Private Attributes" as data: the private attributes the Retain Safe Private
// Option keeps. A row names its block by Private Creator and gives the element as (gggg,xxee): `element` is
// the low byte ee, matched in whichever block (xx = 10..FF) the creator reserved in a given file.
//
// Source: the table's text as rendered from PS3.15 (GitHub chsasank/dicom_standard, source/part15/chapter_E.rst,
// section E.3.10, read through the project's search tool). The rows are copied in the table's order; none of
// them gives a condition in that text, so `condition` is empty for all of them. The field exists because the
// engine honours one where a row (or a caller's own list) gives it. Vendors "do not guarantee them to be safe"
// (the table's note 1): keeping them is the option's definition, not a promise.

/** A condition on the same data set: the attribute's value (trimmed, upper case) must be one of `oneOf`. */
export interface SafePrivateCondition {
  tag: number;
  oneOf: readonly string[];
  /** The table's wording, for the conformance statement and the export summary. */
  text: string;
}

/** One row of Table E.3.10-1. */
export interface SafePrivateAttribute {
  creator: string;
  group: number;
  /** Low byte of the element number (the block-relative part, 0x00..0xFF). */
  element: number;
  /** VR as the table gives it ('' where the table gives none); an element written with another explicit VR is not this one. */
  vr?: string;
  vm?: string;
  meaning?: string;
  condition?: SafePrivateCondition;
}

type Row = readonly [group: number, element: number, vr: string, vm: string, meaning: string];

const block = (creator: string, rows: readonly Row[]): SafePrivateAttribute[] =>
  rows.map(([group, element, vr, vm, meaning]) => ({ creator, group, element, vr, vm, meaning }));

const NQ_REGIONS = [
  'Cortical White Matter', 'Cortical Gray Matter', '3rd Ventricle', '4th Ventricle', '5th Ventricle', 'Lateral Ventricle',
  'Inferior Lateral Ventricle', 'Inferior CSF', 'Cerebellar White Matter', 'Cerebellar Gray Matter', 'Hippocampus', 'Amygdala',
  'Thalamus', 'Caudate', 'Putamen', 'Pallidum', 'Ventral Diencephalon', 'Nucleus Accumbens', 'Brain Stem', 'Exterior CSF',
  'WM Hypo', 'Other',
];
const nqSide = (group: number, side: string): Row[] => NQ_REGIONS.map((r, i) => [group, i + 1, 'FL', '1', `${side} ${r}`] as const);

const SC2000: Row[] = [
  [0x0119, 0x00, 'LO', '1', 'Acoustic Meta Information Version'],
  [0x0119, 0x01, 'OB', '1', 'Common Acoustic Meta Information'],
  [0x0119, 0x02, 'SQ', '1', 'Multi Stream Sequence'],
  [0x0119, 0x03, 'SQ', '1', 'Acoustic Data Sequence'],
  [0x0119, 0x04, 'OB', '1', 'Per Transaction Acoustic Control Information'],
  [0x0119, 0x05, 'UL', '1', 'Acoustic Data Offset'],
  [0x0119, 0x06, 'UL', '1', 'Acoustic Data Length'],
  [0x0119, 0x07, 'UL', '1', 'Footer Offset'],
  [0x0119, 0x08, 'UL', '1', 'Footer Length'],
  [0x0119, 0x09, 'SS', '1', 'Acoustic Stream Number'],
  [0x0119, 0x10, 'SH', '1', 'Acoustic Stream Type'],
  [0x0119, 0x11, '', '1', 'Stage Timer Time'],
  [0x0119, 0x12, '', '1', 'Stop Watch Time'],
  [0x0119, 0x13, 'IS', '1', 'Volume Rate'],
  [0x0119, 0x21, 'SH', '1', ''],
  [0x0129, 0x00, 'SQ', '1', 'MPR View Sequence'],
  [0x0129, 0x02, 'UI', '1', 'Bookmark UID'],
  [0x0129, 0x03, '', '1', 'Plane Origin Vector'],
  [0x0129, 0x04, '', '1', 'Row Vector'],
  [0x0129, 0x05, '', '1', 'Column Vector'],
  [0x0129, 0x06, 'SQ', '1', 'Visualization Sequence'],
  [0x0129, 0x07, 'UI', '1', 'Bookmark UID'],
  [0x0129, 0x08, 'OB', '1', 'Visualization Information'],
  [0x0129, 0x09, 'SQ', '1', 'Application State Sequence'],
  [0x0129, 0x10, 'OB', '1', 'Application State Information'],
  [0x0129, 0x11, 'SQ', '1', 'Referenced Bookmark Sequence'],
  [0x0129, 0x12, 'UI', '1', 'Referenced Bookmark UID'],
  [0x0129, 0x20, 'SQ', '1', 'Cine Parameters Sequence'],
  [0x0129, 0x21, 'OB', '1', 'Cine Parameters Schema'],
  [0x0129, 0x22, 'OB', '1', 'Values of Cine Parameters'],
  [0x0129, 0x29, 'OB', '1', ''],
  [0x0129, 0x30, 'CS', '1', 'Raw Data Object Type'],
  [0x0139, 0x01, 'SL', '1', 'Physio Capture ROI'],
  [0x0149, 0x01, 'FD', '1-n', 'Vector of BROI Points'],
  [0x0149, 0x02, 'FD', '1-n', 'Start/End Timestamps of Strip Stream'],
  [0x0149, 0x03, 'FD', '1-n', 'Timestamps of Visible R-waves'],
  [0x7fd1, 0x01, 'OB', '1', 'Acoustic Image and Footer Data'],
  [0x7fd1, 0x09, 'UI', '1', 'Volume Version ID'],
  [0x7fd1, 0x10, 'OB', '1', 'Volume Payload'],
  [0x7fd1, 0x11, 'OB', '1', 'After Payload'],
];

export const SAFE_PRIVATE_SOURCE = 'PS3.15 Table E.3.10-1 (text of section E.3.10 as rendered in chsasank/dicom_standard, source/part15/chapter_E.rst)';

export const SAFE_PRIVATE_ATTRIBUTES: readonly SafePrivateAttribute[] = [
  ...block('Philips PET Private Group', [
    [0x7053, 0x00, 'DS', '1', 'SUV Factor'],
    [0x7053, 0x09, 'DS', '1', 'Activity Concentration Factor'],
  ]),
  ...block('ELSCINT1', [
    [0x00e1, 0x21, 'DS', '1', 'DLP'],
    [0x00e1, 0x50, 'DS', '1', 'Acquisition Duration'],
    [0x01e1, 0x26, 'CS', '1', 'Phantom Type'],
    [0x01f1, 0x01, 'CS', '1', 'Acquisition Type'],
    [0x01f1, 0x07, 'DS', '1', 'Table Velocity'],
    [0x01f1, 0x26, 'DS', '1', 'Pitch'],
    [0x01f1, 0x27, 'DS', '1', 'Rotation Time'],
  ]),
  ...block('GEMS_ACQU_01', [
    [0x0019, 0x23, 'DS', '1', 'Table Speed [mm/rotation]'],
    [0x0019, 0x24, 'DS', '1', 'Mid Scan Time [sec]'],
    [0x0019, 0x27, 'DS', '1', 'Rotation Speed (Gantry Period)'],
    [0x0019, 0x9e, 'LO', '1', 'Internal Pulse Sequence Name'],
  ]),
  ...block('GEMS_PARM_01', [[0x0043, 0x27, 'SH', '1', 'Scan Pitch Ratio in the form "n.nnn:1"']]),
  ...block('GEMS_HELIOS_01', [
    [0x0045, 0x01, 'SS', '1', 'Number of Macro Rows in Detector'],
    [0x0045, 0x02, 'FL', '1', 'Macro width at ISO Center'],
  ]),
  ...block('GEIIS PACS', [
    [0x0903, 0x10, 'US', '1', 'Reject Image Flag'],
    [0x0903, 0x11, 'US', '1', 'Significant Flag'],
    [0x0903, 0x12, 'US', '1', 'Confidential Flag'],
  ]),
  ...block('Philips Imaging DD 001', [
    [0x2001, 0x03, 'FL', '1', 'Diffusion B-Factor'],
    [0x2001, 0x04, 'CS', '1', 'Diffusion Direction'],
  ]),
  ...block('SIEMENS MR HEADER', [
    [0x0019, 0x0c, 'IS', '1', 'B Value'],
    [0x0019, 0x0d, 'CS', '1', 'Diffusion Directionality'],
    [0x0019, 0x0e, 'FD', '3', 'Diffusion Gradient Direction'],
    [0x0019, 0x27, 'FD', '6', 'B Matrix'],
  ]),
  ...block('GEMS_PARM_01', [
    [0x0043, 0x39, 'IS', '4', '1st value is B Value'],
    [0x0043, 0x6f, 'DS', '3-4', 'Scanner Table Entry + Gradient Coil Selected'],
  ]),
  ...block('GEMS_SERS_01', [[0x0025, 0x07, 'SL', '1', 'Images in Series']]),
  ...block('HOLOGIC, Inc.', [
    [0x7e01, 0x01, 'LO', '1', 'Codec Version'],
    [0x7e01, 0x02, 'SH', '1', 'Codec Content Type'],
    [0x7e01, 0x10, 'SQ', '1', 'High Resolution Data Sequence'],
    [0x7e01, 0x11, 'SQ', '1', 'Low Resolution Data Sequence'],
    [0x7e01, 0x12, 'OB', '1', 'Codec Content'],
  ]),
  ...block('NQHeader', [
    [0x0099, 0x01, 'UI', '1', 'Version'],
    [0x0099, 0x02, 'UI', '1', 'Analyzed Series UID'],
    [0x0099, 0x04, 'SS', '1', 'Return Code'],
    [0x0099, 0x05, 'LT', '1', 'Return Message'],
    [0x0099, 0x10, 'FL', '1', 'MI'],
    [0x0099, 0x20, 'SH', '1', 'Units'],
    [0x0099, 0x21, 'FL', '1', 'ICV'],
  ]),
  ...block('NQLeft', nqSide(0x0199, 'Left')),
  ...block('NQRight', nqSide(0x0299, 'Right')),
  ...block('Philips MR Imaging DD 001', [
    [0x2005, 0x0d, 'FL', '1', 'Scale Intercept'],
    [0x2005, 0x0e, 'FL', '1', 'Scale Slope'],
  ]),
  ...block('SIEMENS Ultrasound SC2000', SC2000),
  ...block('SIEMENS SYNGO ULTRA-SOUND TOYON DATA STREAMING', [
    [0x7fd1, 0x01, 'OB', '1', 'Padding'],
    [0x7fd1, 0x09, 'UI', '1', 'Version ID'],
    [0x7fd1, 0x10, 'OB', '1', 'Volume Payload'],
    [0x7fd1, 0x11, 'OB', '1', 'After Payload'],
  ]),
];

/** Index by creator, group and element byte (a creator may appear in several groups). */
export function safePrivateIndex(list: readonly SafePrivateAttribute[]): Map<string, SafePrivateAttribute> {
  const m = new Map<string, SafePrivateAttribute>();
  for (const s of list) m.set(safePrivateKey(s.creator, s.group, s.element), s);
  return m;
}

export function safePrivateKey(creator: string, group: number, element: number): string {
  return `${creator}\\${group}\\${element}`;
}
