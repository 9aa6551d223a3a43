// The study search in SQL over the study-level columns of migration 0020: the same answers as
// searchStudyRows() in studySearch.ts (the specification), without scanning series or instances.
// Prefixes are index ranges [p, next(p)) on the normalised columns; every sort order has its own index,
// so a page is an index walk with a LIMIT.
import type { StudySearch } from '../../../src-shared/ipc/contract';
import type { Statement } from '../db/sqliteModule';
import { normaliseQuery, prefixUpperBound, type StudySearchRow, type StudySort } from './studySearch';
import { RESTRICTED_COLUMN_SQL, visibleStudySql, type StudyViewer } from './studyRestrictions';

type Arg = string | number;

/** A study's modalities as listed and searched: distinct, sorted, none empty (a stray ',' would split one). */
export function modalityList(list: Iterable<string>): string[] {
  return [...new Set([...list].map((m) => m.replace(/,/g, ' ').trim()).filter((m) => m !== ''))].sort();
}

/** ',CT,MR,' for ['MR', 'CT', 'CT']; '' for none. */
export function encodeModalities(list: Iterable<string>): string {
  const set = modalityList(list);
  return set.length === 0 ? '' : `,${set.join(',')},`;
}

export function decodeModalities(s: string): string[] {
  return s.split(',').filter(Boolean);
}

const ORDER: Record<StudySort['by'], string[]> = {
  date: ['s.study_date', 's.study_time', 's.patient_name_norm', 's.study_id'],
  name: ['s.patient_name_norm', 's.patient_id_norm', 's.study_date', 's.study_time', 's.study_id'],
  patientId: ['s.patient_id_norm', 's.patient_name_norm', 's.study_date', 's.study_time', 's.study_id'],
};

// Same as instr(s.description_norm, ?) > 0, as every description is in study_descriptions (migration 0020);
// indexable, so the text box's OR of prefixes and a substring becomes a union of index lookups.
const DESCRIPTION_CONTAINS = 's.description_norm IN (SELECT description_norm FROM study_descriptions WHERE instr(description_norm, ?) > 0)';

function prefixClause(column: string, prefix: string, args: Arg[]): string {
  const upper = prefixUpperBound(prefix);
  args.push(prefix);
  // No code point is above U+10FFFF: without an upper bound, '>=' alone is exactly 'starts with'.
  if (upper === null) return `${column} >= ?`;
  args.push(upper);
  return `(${column} >= ? AND ${column} < ?)`;
}

/** WHERE clause (over `studies s`) and its arguments. */
export function studyFilterSql(q: Omit<StudySearch, 'limit' | 'offset'>): { where: string; args: Arg[]; orderBy: string } {
  const n = normaliseQuery(q);
  const args: Arg[] = [];
  const terms: string[] = [];
  if (n.text) {
    const any: string[] = [];
    if (n.text.name !== '') any.push(prefixClause('s.patient_name_norm', n.text.name, args));
    if (n.text.other !== '') {
      any.push(prefixClause('s.patient_id_norm', n.text.other, args));
      any.push(prefixClause('s.accession_norm', n.text.other, args));
      any.push(DESCRIPTION_CONTAINS);
      args.push(n.text.other);
    }
    terms.push(`(${any.join(' OR ')})`);
  }
  if (n.name !== undefined) terms.push(prefixClause('s.patient_name_norm', n.name, args));
  if (n.patientId !== undefined) terms.push(prefixClause('s.patient_id_norm', n.patientId, args));
  if (n.accession !== undefined) terms.push(prefixClause('s.accession_norm', n.accession, args));
  if (n.description !== undefined) {
    terms.push(DESCRIPTION_CONTAINS);
    args.push(n.description);
  }
  if (n.modality !== undefined) {
    terms.push('instr(s.modalities, ?) > 0');
    args.push(`,${n.modality},`);
  }
  if (n.dateFrom === undefined && n.dateTo !== undefined) terms.push("s.study_date > ''");
  if (n.dateFrom !== undefined) {
    terms.push('s.study_date >= ?');
    args.push(n.dateFrom);
  }
  if (n.dateTo !== undefined) {
    terms.push('s.study_date <= ?');
    args.push(n.dateTo);
  }
  const dir = n.sort.direction === 'asc' ? 'ASC' : 'DESC';
  return {
    where: terms.length === 0 ? '' : `WHERE ${terms.join(' AND ')}`,
    args,
    orderBy: `ORDER BY ${ORDER[n.sort.by].map((c) => `${c} ${dir}`).join(', ')}`,
  };
}

/** The columns a study query selects (listStudies uses them too). */
export interface StudyRowSql {
  study_id: string;
  patient_key: string;
  patient_name: string;
  dicom_patient_id: string;
  birth_date: string;
  study_date: string;
  study_time: string;
  description: string;
  accession_number: string;
  modalities: string;
  series_count: number;
  instance_count: number;
  /** Only when a viewer is given: 1 for a restricted study. */
  restricted?: number;
}

/**
 * With a viewer (accounts in use): studies restricted to others are left out, counts included, and each row says
 * whether it is restricted. Without one (no accounts: tests, the harness) the SQL is exactly as before.
 */
export function viewerSql(viewer: StudyViewer | undefined): { where: string; args: Arg[]; column: string } {
  if (!viewer) return { where: '', args: [], column: '' };
  const v = visibleStudySql(viewer);
  return { where: v.clause, args: v.args, column: `, ${RESTRICTED_COLUMN_SQL}` };
}

function andWhere(where: string, extra: string): string {
  if (extra === '') return where;
  return where === '' ? `WHERE ${extra}` : `${where} AND ${extra}`;
}

/** The count and the page statements of a query, and their arguments (the page's end with limit and offset). */
export function studySearchStatements(q: StudySearch, viewer?: StudyViewer): { countSql: string; pageSql: string; args: Arg[] } {
  const filter = studyFilterSql(q);
  const v = viewerSql(viewer);
  const where = andWhere(filter.where, v.where);
  const args = [...filter.args, ...v.args];
  const orderBy = filter.orderBy;
  return {
    countSql: `SELECT count(*) AS n FROM studies s ${where}`,
    // The page's ids first, from the sort index alone (it covers every searched column): skipping to a far page
    // or sorting thousands of name matches never touches a table row. Then the page's rows and patients.
    pageSql: `SELECT s.study_id, s.patient_id AS patient_key, p.patient_name, p.dicom_patient_id, p.birth_date, s.study_date, s.study_time,
       s.description, s.accession_number, s.modalities, s.series_count, s.instance_count${v.column}
     FROM (SELECT s.study_id AS id FROM studies s ${where} ${orderBy} LIMIT ? OFFSET ?) AS page
       CROSS JOIN studies s ON s.study_id = page.id
       CROSS JOIN patients p ON p.patient_id = s.patient_id
     ${orderBy}`,
    args,
  };
}

/** One page and the total; `prepare` caches statements (the SQL text depends only on which fields are set). */
export function searchStudiesSql(prepare: (sql: string) => Statement, q: StudySearch, viewer?: StudyViewer): { studies: StudySearchRow[]; total: number } {
  const { countSql, pageSql, args } = studySearchStatements(q, viewer);
  const total = (prepare(countSql).get(...args) as { n: number }).n;
  if (total <= q.offset) return { studies: [], total };
  const rows = prepare(pageSql).all(...args, q.limit, q.offset) as StudyRowSql[];
  return { studies: rows.map(toSearchRow), total };
}

export function toSearchRow(r: StudyRowSql): StudySearchRow {
  return {
    studyId: r.study_id,
    patientKey: r.patient_key,
    patientName: r.patient_name,
    patientId: r.dicom_patient_id,
    patientBirthDate: r.birth_date,
    studyDate: r.study_date,
    studyTime: r.study_time,
    studyDescription: r.description,
    accessionNumber: r.accession_number,
    modalities: decodeModalities(r.modalities),
    seriesCount: r.series_count,
    instanceCount: r.instance_count,
    ...(r.restricted ? { restricted: true } : {}),
  };
}
