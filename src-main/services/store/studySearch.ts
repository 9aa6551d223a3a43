// The study browser's search, written once: how searchable fields are normalised, which studies match,
// and in what order. The memory store (quick view) runs searchStudyRows() as is; the encrypted store's SQL
// (studySearchSql.ts) stores the same normalised columns and must give the same answers: the store tests
// run both on the same studies and compare.
import type { StudySearch, StudySearchItem, StudySearchResult } from '../../../src-shared/ipc/contract';

/** A study as the search sees it (the contract's item without where it came from). */
export type StudySearchRow = Omit<StudySearchItem, 'source'>;

export type StudySort = NonNullable<StudySearch['sort']>;

export const DEFAULT_SORT: StudySort = { by: 'date', direction: 'desc' };

/** Upper case, DICOM name separators ('^' between components, '=' between groups) and ',' as spaces. */
export function normaliseName(s: string): string {
  return s.toUpperCase().replace(/[\^=,]/g, ' ').replace(/\s+/g, ' ').trim();
}

/** Upper case, runs of white space as one space: Patient ID, accession number, description. */
export function normaliseText(s: string): string {
  return s.toUpperCase().replace(/\s+/g, ' ').trim();
}

/** The normalised columns a study row carries (studies.*_norm in the encrypted store). */
export interface NormalisedStudy {
  name: string;
  patientId: string;
  accession: string;
  description: string;
}

export function normaliseStudy(s: { patientName: string; patientId: string; accessionNumber: string; studyDescription: string }): NormalisedStudy {
  return {
    name: normaliseName(s.patientName),
    patientId: normaliseText(s.patientId),
    accession: normaliseText(s.accessionNumber),
    description: normaliseText(s.studyDescription),
  };
}

/** A query with every text normalised; a field that normalises to nothing filters nothing. */
export interface NormalisedQuery {
  text?: { name: string; other: string };
  name?: string;
  patientId?: string;
  accession?: string;
  description?: string;
  modality?: string;
  dateFrom?: string;
  dateTo?: string;
  sort: StudySort;
}

export function normaliseQuery(q: Omit<StudySearch, 'limit' | 'offset'>): NormalisedQuery {
  const out: NormalisedQuery = { sort: q.sort ?? DEFAULT_SORT };
  const nonEmpty = (s: string | undefined, f: (s: string) => string) => {
    const v = s === undefined ? '' : f(s);
    return v === '' ? undefined : v;
  };
  if (q.text !== undefined) {
    const name = normaliseName(q.text);
    const other = normaliseText(q.text);
    // 'Smith, J' has a name prefix; '^' alone has nothing to look for.
    if (name !== '' || other !== '') out.text = { name, other };
  }
  const name = nonEmpty(q.patientName, normaliseName);
  if (name) out.name = name;
  const patientId = nonEmpty(q.patientId, normaliseText);
  if (patientId) out.patientId = patientId;
  const accession = nonEmpty(q.accession, normaliseText);
  if (accession) out.accession = accession;
  const description = nonEmpty(q.description, normaliseText);
  if (description) out.description = description;
  if (q.modality) out.modality = q.modality;
  if (q.dateFrom) out.dateFrom = q.dateFrom;
  if (q.dateTo) out.dateTo = q.dateTo;
  return out;
}

export function studyMatches(row: StudySearchRow, n: NormalisedStudy, q: NormalisedQuery): boolean {
  if (q.text) {
    const t = q.text;
    const hit =
      (t.name !== '' && n.name.startsWith(t.name)) ||
      (t.other !== '' && (n.patientId.startsWith(t.other) || n.accession.startsWith(t.other) || n.description.includes(t.other)));
    if (!hit) return false;
  }
  if (q.name !== undefined && !n.name.startsWith(q.name)) return false;
  if (q.patientId !== undefined && !n.patientId.startsWith(q.patientId)) return false;
  if (q.accession !== undefined && !n.accession.startsWith(q.accession)) return false;
  if (q.description !== undefined && !n.description.includes(q.description)) return false;
  if (q.modality !== undefined && !row.modalities.includes(q.modality)) return false;
  // Dates compare as text, like SQLite does; a study without a date is in no range.
  if ((q.dateFrom !== undefined || q.dateTo !== undefined) && row.studyDate === '') return false;
  if (q.dateFrom !== undefined && compareText(row.studyDate, q.dateFrom) < 0) return false;
  if (q.dateTo !== undefined && compareText(row.studyDate, q.dateTo) > 0) return false;
  return true;
}

/** Sort keys, most significant first; every order ends with the study id so it is total. */
export function sortKeys(row: StudySearchRow, n: NormalisedStudy, by: StudySort['by']): string[] {
  switch (by) {
    case 'date':
      return [row.studyDate, row.studyTime, n.name, row.studyId];
    case 'name':
      return [n.name, n.patientId, row.studyDate, row.studyTime, row.studyId];
    case 'patientId':
      return [n.patientId, n.name, row.studyDate, row.studyTime, row.studyId];
  }
}

/**
 * Compares like SQLite's BINARY collation on UTF-8 text, i.e. by code point. JavaScript's '<' compares UTF-16
 * units, which orders characters above U+FFFF before U+E000..U+FFFF: the two would disagree there.
 */
export function compareText(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800) x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
    if (y >= 0xd800) y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    return x - y;
  }
  return a.length - b.length;
}

function compareKeys(a: string[], b: string[]): number {
  for (let i = 0; i < a.length; i++) {
    const c = compareText(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return 0;
}

/** The smallest string above every string that starts with `prefix` (null when there is none). */
export function prefixUpperBound(prefix: string): string | null {
  const cps = [...prefix];
  while (cps.length > 0) {
    let next = cps.pop()!.codePointAt(0)! + 1;
    if (next === 0xd800) next = 0xe000;
    if (next <= 0x10ffff) return cps.join('') + String.fromCodePoint(next);
  }
  return null;
}

/** The search over rows in memory: the specification the SQL implements. */
export function searchStudyRows(rows: readonly StudySearchRow[], q: StudySearch): { studies: StudySearchRow[]; total: number } {
  const nq = normaliseQuery(q);
  const dir = nq.sort.direction === 'asc' ? 1 : -1;
  const hits = rows
    .map((row) => ({ row, n: normaliseStudy(row) }))
    .filter(({ row, n }) => studyMatches(row, n, nq))
    .map(({ row, n }) => ({ row, keys: sortKeys(row, n, nq.sort.by) }));
  hits.sort((a, b) => dir * compareKeys(a.keys, b.keys));
  return { studies: hits.slice(q.offset, q.offset + q.limit).map((h) => h.row), total: hits.length };
}

export type StudySearchSource = (q: StudySearch) => Promise<StudySearchResult>;

/** One page across several sources shown one after the other (quick view, then the cache). */
export async function searchInOrder(sources: readonly StudySearchSource[], q: StudySearch): Promise<StudySearchResult> {
  let offset = q.offset;
  let left = q.limit;
  let total = 0;
  const studies: StudySearchItem[] = [];
  for (const source of sources) {
    // Past the page, a source is still asked (one row) for its count.
    const r = await source({ ...q, offset, limit: Math.max(1, left) });
    total += r.total;
    if (left > 0) {
      const take = r.studies.slice(0, left);
      studies.push(...take);
      left -= take.length;
    }
    offset = Math.max(0, offset - r.total);
  }
  return { studies, total };
}
