// The query panel's fields as typed, turned into the PACS query main accepts (pacsQuerySchema, the same schema main
// checks at the trust boundary), so a mistake is said beside the form before anything is sent. Pure.
import { pacsQuerySchema, type PacsQuery } from '../../src-shared/pacs/pacsQuery';

export interface PacsFields {
  patientName: string;
  patientId: string;
  /** <input type="date"> values: 'YYYY-MM-DD' or ''. */
  birthDate: string;
  studyDateFrom: string;
  studyDateTo: string;
  modality: string;
  accession: string;
  description: string;
}

export const EMPTY_FIELDS: PacsFields = { patientName: '', patientId: '', birthDate: '', studyDateFrom: '', studyDateTo: '', modality: '', accession: '', description: '' };

export const FIELD_LABELS: Record<keyof PacsFields, string> = {
  patientName: 'Patient name',
  patientId: 'Patient ID',
  birthDate: 'Birth date',
  studyDateFrom: 'Study date from',
  studyDateTo: 'Study date to',
  modality: 'Modality',
  accession: 'Accession number',
  description: 'Study description',
};

/** One page of a query: the contract wants limit and offset stated. */
export type PacsPageQuery = PacsQuery & { limit: number; offset: number };

const DATE_FIELDS = new Set<keyof PacsFields>(['birthDate', 'studyDateFrom', 'studyDateTo']);

/** The query for one page of results, or what is wrong with the fields (in the words of the form). */
export function pacsQueryOf(fields: PacsFields, page: { limit: number; offset: number }): { query: PacsPageQuery } | { invalid: string } {
  const raw: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields) as [keyof PacsFields, string][]) {
    const value = DATE_FIELDS.has(k) ? v.replace(/-/g, '') : v.trim();
    if (value !== '') raw[k] = k === 'modality' ? value.toUpperCase() : value;
  }
  if (raw['studyDateFrom'] && raw['studyDateTo'] && raw['studyDateFrom'] > raw['studyDateTo']) return { invalid: 'The study date “from” is after the date “to”.' };
  const parsed = pacsQuerySchema.safeParse({ ...raw, ...page });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path[0] as keyof PacsFields;
    const label = FIELD_LABELS[field] ?? String(field);
    return { invalid: `${label}: ${issue.message}.` };
  }
  return { query: { ...raw, ...page } };
}
