// Burned-in text: which files may carry identifying text in their pixels (listed for review before an export).
// Redaction of the rectangles an operator draws (PS3.15 E.3.1 Clean Pixel Data) is in redactPixels.ts.
import type { DicomItem, DicomTree } from '../dicom/write/elementTree';
import { findElement, PIXEL_DATA } from '../dicom/write/elementTree';
import { asciiValue, asciiValues } from '../dicom/write/stringValues';

export interface BurnedInAssessment {
  flagged: boolean;
  reasons: string[];
}

// Secondary capture (7, 7.1-7.4), ultrasound (6.1, 3.1 retired, multi-frame 6.2/3.2), video endoscopy / photo classes.
const SOP_CLASSES_WITH_TEXT = new Set([
  '1.2.840.10008.5.1.4.1.1.7', '1.2.840.10008.5.1.4.1.1.7.1', '1.2.840.10008.5.1.4.1.1.7.2', '1.2.840.10008.5.1.4.1.1.7.3', '1.2.840.10008.5.1.4.1.1.7.4',
  '1.2.840.10008.5.1.4.1.1.6.1', '1.2.840.10008.5.1.4.1.1.6.2', '1.2.840.10008.5.1.4.1.1.3.1', '1.2.840.10008.5.1.4.1.1.6',
  '1.2.840.10008.5.1.4.1.1.77.1.1.1', '1.2.840.10008.5.1.4.1.1.77.1.4',
]);
const MODALITIES_WITH_TEXT = new Set(['US', 'OT', 'SC', 'XC', 'ES', 'GM', 'SM', 'DOC']);
// Fluoroscopy and angiography systems have burned patient names into cine frames; NM and PT screen
// captures ("processed" review pages) too. Flagged only when the file does not say NO.
const MODALITIES_SOMETIMES_WITH_TEXT = new Set(['XA', 'RF', 'NM']);

function text(ds: DicomItem, tag: number): string {
  const el = findElement(ds, tag);
  return el ? asciiValue(el).trim().toUpperCase() : '';
}

export function assessBurnedIn(tree: DicomTree): BurnedInAssessment {
  const ds = tree.dataSet;
  if (!findElement(ds, PIXEL_DATA)) return { flagged: false, reasons: [] };
  const reasons: string[] = [];
  const burned = text(ds, 0x00280301);
  if (burned === 'YES') reasons.push('Burned In Annotation is YES');
  if (burned !== 'NO') {
    const sopClass = text(ds, 0x00080016);
    const modality = text(ds, 0x00080060);
    if (SOP_CLASSES_WITH_TEXT.has(sopClass)) reasons.push('SOP class usually carries burned-in text');
    if (MODALITIES_WITH_TEXT.has(modality)) reasons.push(`modality ${modality} usually carries burned-in text`);
    else if (burned === '' && MODALITIES_SOMETIMES_WITH_TEXT.has(modality)) reasons.push(`modality ${modality} may carry burned-in text and Burned In Annotation is absent`);
    const imageType = findElement(ds, 0x00080008);
    if (imageType && asciiValues(imageType).some((v) => /SCREEN|SECONDARY CAPTURE|CAPTURE/.test(v.toUpperCase()))) reasons.push('Image Type marks a screen capture');
  }
  return { flagged: reasons.length > 0, reasons };
}

export { redactPixelData, type Rect, type RedactionOutcome } from './redactPixels';
