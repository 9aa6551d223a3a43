// Migration 0020 on a cache written before it: the study rows get their normalised columns, modalities and
// counts filled in, so the search answers as on a fresh cache; and the queries the browser sends use the
// study indexes, never reading series or instances.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StudySearch } from '../../../src-shared/ipc/contract';
import { openDatabase, type Db } from '../../../src-main/services/db/database';
import { migrate, schemaVersion } from '../../../src-main/services/db/migrate';
import { migration0010 } from '../../../src-main/services/db/migrations/0010-initial';
import { migration0020 } from '../../../src-main/services/db/migrations/0020-study-search';
import { MemoryStudyStore } from '../../../src-main/services/store/memoryStudyStore';
import { searchStudiesSql, studySearchStatements } from '../../../src-main/services/store/studySearchSql';
import { instancesOf, searchStudies } from './fixtures/searchStudies';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'enclave-mig20-'));
  db = openDatabase({ file: path.join(dir, 'e.db'), key: randomBytes(32), create: true });
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Rows as a 0010-era Enclave wrote them (no search columns). */
function fillOldCache(items: ReturnType<typeof instancesOf>): void {
  const patient = db.prepare('INSERT OR IGNORE INTO patients VALUES (?, ?, ?, ?, ?, 0)');
  const study = db.prepare("INSERT OR IGNORE INTO studies VALUES (?, ?, ?, ?, ?, ?, ?, 0, NULL)");
  const series = db.prepare("INSERT OR IGNORE INTO series VALUES (?, ?, ?, ?, '', ?, '', 0)");
  const instance = db.prepare("INSERT INTO instances VALUES (?, ?, ?, '', '', ?, ?, ?, ?, ?, ?, 0, 0, NULL)");
  db.transaction(() => {
    items.forEach((it, k) => {
      const m = it.meta;
      const pt = `pt-${Buffer.from(`${m.patientId}\0${m.patientName}\0${m.patientBirthDate}`).toString('hex').slice(0, 40)}`;
      patient.run(pt, m.patientName, m.patientId, m.patientBirthDate, m.patientSex);
      study.run(`st-${m.studyInstanceUid}`.replace(/\./g, '_'), m.studyInstanceUid, pt, m.studyDate, m.studyTime, m.studyDescription, m.accessionNumber);
      series.run(`se-${m.seriesInstanceUid}`.replace(/\./g, '_'), m.seriesInstanceUid, `st-${m.studyInstanceUid}`.replace(/\./g, '_'), m.seriesNumber, m.modality);
      instance.run(`in-${k}`, m.sopInstanceUid, `se-${m.seriesInstanceUid}`.replace(/\./g, '_'), m.instanceNumber, JSON.stringify(m), it.bytes.length, it.sha256, randomBytes(16).toString('hex'), randomBytes(16));
    });
  })();
}

const QUERIES: StudySearch[] = [
  { limit: 500, offset: 0 },
  { text: 'smith^j', limit: 500, offset: 0 },
  { text: 'pid000', sort: { by: 'name', direction: 'asc' }, limit: 500, offset: 0 },
  { modality: 'MR', dateFrom: '20230101', dateTo: '20231231', limit: 500, offset: 0 },
  { description: 'chest', sort: { by: 'patientId', direction: 'desc' }, limit: 5, offset: 2 },
  { accession: 'a101', limit: 500, offset: 0 },
];

describe('migration 0020 (study search)', () => {
  it('fills in an existing cache: the search answers like quick view over the same studies', async () => {
    const items = instancesOf(searchStudies());
    migrate(db, [migration0010]);
    fillOldCache(items);
    // Up to this migration (later ones have their own tests).
    expect(migrate(db, [migration0010, migration0020])).toEqual({ from: 10, to: 20 });
    expect(schemaVersion(db)).toBe(20);
    const reference = new MemoryStudyStore();
    for (const it of items) await reference.addInstance(it.meta, it.bytes, it.sha256);
    const strip = (r: { studies: { studyId: string; patientKey: string }[]; total: number }) => ({
      total: r.total,
      studies: r.studies.map(({ studyId: _s, patientKey: _p, ...rest }) => rest),
    });
    for (const q of QUERIES) {
      expect(strip(searchStudiesSql((s) => db.prepare(s), q)), JSON.stringify(q)).toEqual(strip(await reference.searchStudies(q)));
    }
    // The counts came from the old rows, not from defaults.
    const one = searchStudiesSql((s) => db.prepare(s), { accession: 'A1005', limit: 1, offset: 0 }).studies[0]!;
    expect(one).toMatchObject({ seriesCount: 2, instanceCount: 3, modalities: ['CR', 'CT'] });
  });

  it('the browser\'s queries walk the study indexes and never touch series or instances', () => {
    migrate(db);
    /** The plan of the page's id query (the co-routine before 'SCAN page') and of the count. */
    const plan = (q: Omit<StudySearch, 'limit' | 'offset'>) => {
      const { countSql, pageSql, args } = studySearchStatements({ ...q, limit: 50, offset: 0 });
      const page = (db.prepare(`EXPLAIN QUERY PLAN ${pageSql}`).all(...args, 50, 0) as { detail: string }[]).map((r) => r.detail);
      const count = (db.prepare(`EXPLAIN QUERY PLAN ${countSql}`).all(...args) as { detail: string }[]).map((r) => r.detail);
      const ids = page.slice(0, page.indexOf('SCAN page')).join('\n');
      return { ids, all: [...page, ...count].join('\n') };
    };
    const list = plan({});
    expect(list.ids).toMatch(/SCAN s USING COVERING INDEX studies_by_date/);
    expect(list.ids).not.toMatch(/TEMP B-TREE/);
    expect(plan({ patientName: 'smi' }).ids).toMatch(/USING COVERING INDEX studies_by_name \(patient_name_norm>\? AND patient_name_norm<\?\)/);
    expect(plan({ dateFrom: '20230101', dateTo: '20231231' }).ids).toMatch(/USING COVERING INDEX studies_by_date \(study_date>\? AND study_date<\?\)/);
    for (const [by, index] of [['name', 'studies_by_name'], ['patientId', 'studies_by_patient_id']] as const) {
      const p = plan({ sort: { by, direction: 'desc' } });
      expect(p.ids).toMatch(new RegExp(`SCAN s USING COVERING INDEX ${index}`));
      expect(p.ids).not.toMatch(/TEMP B-TREE/);
    }
    // Text, modality and description are tested on the index entries: still no table row until the page is known.
    for (const q of [{ text: 'smith' }, { modality: 'CT' }]) expect(plan(q).ids, JSON.stringify(q)).toMatch(/COVERING INDEX/);
    // A substring of the description is looked for in the distinct descriptions, then by index.
    expect(plan({ description: 'chest' }).all).toMatch(/study_descriptions[\s\S]*studies_by_description|studies_by_description[\s\S]*study_descriptions/);
    for (const q of [{}, { text: 'smith' }, { modality: 'CT' }, { description: 'chest' }, { accession: 'A1' }]) {
      expect(plan(q).all, JSON.stringify(q)).not.toMatch(/\b(series|instances)\b/);
    }
  });
});
