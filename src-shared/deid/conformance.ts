// The attributes a de-identified instance must carry (PS3.15 E.1.1, PS3.3 C.7.1.1): Patient Identity Removed,
// De-identification Method, De-identification Method Code Sequence (CID 7050) and
// Longitudinal Temporal Information Modified.
import type { DicomItem } from '../dicom/write/elementTree';
import { putElement } from '../dicom/write/elementTree';
import { stringElement } from '../dicom/write/stringValues';
import type { DeidOptions, OptionKey } from './profileTypes';
import { PROFILE_EDITION } from './profileTable';

/** CID 7050 De-identification Method codes (scheme DCM). */
export const CID_7050: Record<OptionKey | 'basic' | 'cleanPixelData', { code: string; meaning: string }> = {
  basic: { code: '113100', meaning: 'Basic Application Confidentiality Profile' },
  cleanPixelData: { code: '113101', meaning: 'Clean Pixel Data Option' },
  cleanGraphics: { code: '113103', meaning: 'Clean Graphics Option' },
  cleanStructuredContent: { code: '113104', meaning: 'Clean Structured Content Option' },
  cleanDescriptors: { code: '113105', meaning: 'Clean Descriptors Option' },
  retainLongitudinalFullDates: { code: '113106', meaning: 'Retain Longitudinal Temporal Information Full Dates Option' },
  retainLongitudinalModifiedDates: { code: '113107', meaning: 'Retain Longitudinal Temporal Information Modified Dates Option' },
  retainPatientCharacteristics: { code: '113108', meaning: 'Retain Patient Characteristics Option' },
  retainDeviceIdentity: { code: '113109', meaning: 'Retain Device Identity Option' },
  retainUids: { code: '113110', meaning: 'Retain UIDs Option' },
  retainSafePrivate: { code: '113111', meaning: 'Retain Safe Private Option' },
  retainInstitutionIdentity: { code: '113112', meaning: 'Retain Institution Identity Option' },
};

export function methodCodes(options: DeidOptions, pixelsCleaned: boolean): { code: string; meaning: string }[] {
  const out = [CID_7050.basic];
  if (pixelsCleaned) out.push(CID_7050.cleanPixelData);
  for (const [k, on] of Object.entries(options)) if (on) out.push(CID_7050[k as OptionKey]);
  return out;
}

export function addConformanceAttributes(dataSet: DicomItem, options: DeidOptions, pixelsCleaned: boolean): void {
  const codes = methodCodes(options, pixelsCleaned);
  putElement(dataSet, stringElement(0x00120062, 'CS', 'YES'));
  putElement(dataSet, stringElement(0x00120063, 'LO', `Enclave PS3.15 ${PROFILE_EDITION} Annex E; see (0012,0064)`));
  putElement(dataSet, {
    tag: 0x00120064,
    vr: 'SQ',
    items: codes.map((c) => ({
      elements: [stringElement(0x00080100, 'SH', c.code), stringElement(0x00080102, 'SH', 'DCM'), stringElement(0x00080104, 'LO', c.meaning)],
    })),
  });
  const longitudinal = options.retainLongitudinalFullDates ? 'UNMODIFIED' : options.retainLongitudinalModifiedDates ? 'MODIFIED' : 'REMOVED';
  putElement(dataSet, stringElement(0x00280303, 'CS', longitudinal));
}
