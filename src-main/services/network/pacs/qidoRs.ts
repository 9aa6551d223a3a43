// QIDO-RS (PS3.18 10.6) query strings from a validated PacsQuery, and DICOM JSON answers read into plain rows.
// Values are percent-encoded only where HTTP needs it: '^', '*' and '?' go as they are, because some archives
// (Orthanc 1.10) do not percent-decode query values. A space becomes '?', which matches it (and nothing wider
// than one character), for the same reason. UIDs from the answer are checked before they are used in a path.
import type { PacsInstance, PacsSeries, PacsStudy } from '../../../../src-shared/pacs/pacsQuery';
import { dicomUid, pacsQuerySchema, type PacsQuery } from '../../../../src-shared/pacs/pacsQuery';

const STUDY_FIELDS = ['00081030', '00080061', '00201206', '00201208', '00100030'];
const SERIES_FIELDS = ['0008103E', '00201209', '00200011', '00080060'];

function encodeValue(v: string): string {
  return Array.from(v.replace(/ /g, '?'), (c) => (/^[A-Za-z0-9^*?._~-]$/.test(c) ? c : encodeURIComponent(c))).join('');
}

function queryString(params: [string, string | number | undefined][]): string {
  return params
    .filter((p): p is [string, string | number] => p[1] !== undefined && p[1] !== '')
    .map(([k, v]) => `${k}=${typeof v === 'number' ? v : encodeValue(v)}`)
    .join('&');
}

function dateRange(from?: string, to?: string): string | undefined {
  if (!from && !to) return undefined;
  if (from && to && from === to) return from;
  return `${from ?? ''}-${to ?? ''}`;
}

/** The path and query (after the node's base URL) of a studies search. */
export function studiesQueryPath(q: PacsQuery): string {
  const v = pacsQuerySchema.parse(q);
  return `/studies?${queryString([
    ['PatientName', v.patientName],
    ['PatientID', v.patientId],
    ['PatientBirthDate', v.birthDate],
    ['StudyDate', dateRange(v.studyDateFrom, v.studyDateTo)],
    ['ModalitiesInStudy', v.modality],
    ['AccessionNumber', v.accession],
    ['StudyDescription', v.description],
    ...STUDY_FIELDS.map((f): [string, string] => ['includefield', f]),
    ['limit', v.limit],
    ['offset', v.offset],
  ])}`;
}

export function seriesQueryPath(studyUid: string, o: { limit?: number; offset?: number } = {}): string {
  return `/studies/${dicomUid.parse(studyUid)}/series?${queryString([...SERIES_FIELDS.map((f): [string, string] => ['includefield', f]), ['limit', o.limit ?? 1000], ['offset', o.offset ?? 0]])}`;
}

export function instancesQueryPath(studyUid: string, seriesUid: string, o: { limit?: number; offset?: number } = {}): string {
  return `/studies/${dicomUid.parse(studyUid)}/series/${dicomUid.parse(seriesUid)}/instances?${queryString([['limit', o.limit ?? 5000], ['offset', o.offset ?? 0]])}`;
}

type DicomJson = Record<string, { vr?: string; Value?: unknown[] } | undefined>;

function first(d: DicomJson, tag: string): unknown {
  return d[tag]?.Value?.[0];
}

function str(d: DicomJson, tag: string): string {
  const v = first(d, tag);
  if (v && typeof v === 'object' && 'Alphabetic' in v) return String((v as { Alphabetic: unknown }).Alphabetic ?? '');
  return v === undefined || v === null ? '' : String(v);
}

function num(d: DicomJson, tag: string): number | null {
  const v = Number(first(d, tag));
  return Number.isFinite(v) && first(d, tag) !== undefined ? v : null;
}

function rows(json: Buffer): DicomJson[] {
  if (json.length === 0) return []; // 204 No Content: nothing matched
  const parsed: unknown = JSON.parse(json.toString('utf8'));
  if (!Array.isArray(parsed)) throw new Error('not a DICOM JSON array');
  return parsed.filter((r): r is DicomJson => typeof r === 'object' && r !== null);
}

/** Studies from a QIDO answer; a row whose Study Instance UID is not a UID is dropped (it would go in a URL). */
export function readStudies(json: Buffer): PacsStudy[] {
  return rows(json).flatMap((d) => {
    const uid = str(d, '0020000D');
    if (!dicomUid.safeParse(uid).success) return [];
    return [
      {
        studyInstanceUid: uid,
        patientName: str(d, '00100010'),
        patientId: str(d, '00100020'),
        birthDate: str(d, '00100030'),
        studyDate: str(d, '00080020'),
        studyTime: str(d, '00080030'),
        accession: str(d, '00080050'),
        description: str(d, '00081030'),
        modalities: (d['00080061']?.Value ?? []).map(String),
        seriesCount: num(d, '00201206'),
        instanceCount: num(d, '00201208'),
      },
    ];
  });
}

export function readSeries(json: Buffer): PacsSeries[] {
  return rows(json).flatMap((d) => {
    const uid = str(d, '0020000E');
    if (!dicomUid.safeParse(uid).success) return [];
    return [{ seriesInstanceUid: uid, modality: str(d, '00080060'), seriesNumber: num(d, '00200011'), description: str(d, '0008103E'), instanceCount: num(d, '00201209') }];
  });
}

export function readInstances(json: Buffer): PacsInstance[] {
  return rows(json).flatMap((d) => {
    const uid = str(d, '00080018');
    if (!dicomUid.safeParse(uid).success) return [];
    return [{ sopInstanceUid: uid, sopClassUid: str(d, '00080016'), instanceNumber: num(d, '00200013') }];
  });
}
