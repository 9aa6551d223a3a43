// The export dialog's words: option labels, the kinds, and the summary sentence (pure, so tests read them).
import type { OptionKey } from '../../src-shared/deid/profileTypes';
import type { ExportKind, ExportSummary } from '../../src-shared/ipc/exportContract';

export const KIND_LABELS: Record<ExportKind, { label: string; hint: string }> = {
  folder: { label: 'Anonymised DICOM to a folder', hint: 'One de-identified file per image.' },
  media: { label: 'DICOM media (CD / USB)', hint: 'De-identified files with a DICOMDIR, as on a patient CD.' },
  zip: { label: 'Encrypted package (AES-256 zip)', hint: 'De-identified DICOM media in a password-protected zip.' },
  image: { label: 'Picture (PNG / JPEG)', hint: 'This image as shown, with a watermark.' },
};

/** PS3.15 E.3 options, as a physician reads them. */
export const OPTION_LABELS: Record<OptionKey, string> = {
  retainSafePrivate: 'Keep safe private attributes',
  retainUids: 'Keep the original UIDs',
  retainDeviceIdentity: 'Keep device identity (station, serial numbers)',
  retainInstitutionIdentity: 'Keep institution identity',
  retainPatientCharacteristics: 'Keep patient characteristics (sex, age, size, weight)',
  retainLongitudinalFullDates: 'Keep full dates',
  retainLongitudinalModifiedDates: 'Keep dates, shifted by a fixed offset',
  cleanDescriptors: 'Clean descriptions (keep them, minus identifying text)',
  cleanStructuredContent: 'Clean structured content',
  cleanGraphics: 'Clean graphics',
};

/** Summary counters, in the order shown, with their words. */
const ACTION_WORDS: [string, string][] = [
  ['removed', 'removed'], ['emptied', 'emptied'], ['dummied', 'replaced by dummy values'], ['uidsReplaced', 'UIDs replaced'],
  ['cleaned', 'cleaned'], ['datesShifted', 'dates shifted'], ['privateRemoved', 'private attributes removed'],
  ['overlayCurveRemoved', 'overlays/curves removed'], ['keptByOption', 'kept by an option'],
];

export function actionLines(actions: Record<string, number>): string[] {
  return ACTION_WORDS.filter(([k]) => (actions[k] ?? 0) > 0).map(([k, words]) => `${actions[k]} ${words}`);
}

export function summaryHeadline(s: ExportSummary): string {
  const what = s.kind === 'image' ? 'Picture saved' : `${s.files} file${s.files === 1 ? '' : 's'} exported`;
  return `${what} as ${s.outputName}.`;
}

export function burnedInLine(s: ExportSummary): string | null {
  if (s.flagged === 0 && s.redacted === 0) return null;
  const parts = [`${s.redacted} redacted`];
  if (s.flagged > 0) parts.unshift(`${s.flagged} flagged for burned-in text`);
  if (s.overridden > 0) parts.push(`${s.overridden} exported unredacted under the override (audited)`);
  return `${parts.join(', ')}.`;
}
