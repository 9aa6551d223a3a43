// The study browser's search: what users type finds what they mean (name prefix with DICOM '^', IDs,
// accession, description, inclusive dates, modality), in a total order, paged; quick view (memory) and the
// encrypted cache (SQL) answer every query the same; bad requests are refused at the boundary.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestSchemas, type StudySearch } from '../../../src-shared/ipc/contract';
import type { EncryptedStudyStore } from '../../../src-main/services/store/encryptedStudyStore';
import { MemoryStudyStore } from '../../../src-main/services/store/memoryStudyStore';
import { compareText, prefixUpperBound, searchInOrder, type StudySearchRow } from '../../../src-main/services/store/studySearch';
import { instancesOf, searchStudies, type SearchStudy } from './fixtures/searchStudies';
import { makeTempStore, type TempStore } from './fixtures/tempStore';

const studies = searchStudies();
let memory: MemoryStudyStore;
let temp: TempStore;
let sql: EncryptedStudyStore;

beforeAll(async () => {
  memory = new MemoryStudyStore('qv-');
  temp = await makeTempStore();
  sql = await temp.open();
  const items = instancesOf(studies);
  for (const it of items) await memory.addInstance(it.meta, it.bytes, it.sha256);
  await sql.addInstances(items);
});

afterAll(async () => {
  await sql?.close();
  temp?.cleanup();
});

type Query = Omit<StudySearch, 'limit' | 'offset'> & { limit?: number; offset?: number };

/** Everything but the store's own ids, so the two stores can be compared row by row. */
function comparable(r: StudySearchRow) {
  const { studyId: _s, patientKey: _p, ...rest } = r;
  return rest;
}

/** Runs the query on both stores, checks they agree exactly, and returns the accession numbers found. */
async function search(q: Query): Promise<{ accessions: string[]; total: number; rows: StudySearchRow[] }> {
  const full: StudySearch = { limit: 500, offset: 0, ...q };
  const a = await memory.searchStudies(full);
  const b = await sql.searchStudies(full);
  expect(b.total, JSON.stringify(q)).toBe(a.total);
  expect(b.studies.map(comparable), JSON.stringify(q)).toEqual(a.studies.map(comparable));
  return { accessions: b.studies.map((s) => s.accessionNumber), total: b.total, rows: b.studies };
}

const accessionsWhere = (f: (s: SearchStudy) => boolean) => studies.filter(f).map((s) => s.accession).sort();
const sorted = (a: string[]) => [...a].sort();

describe('study search: what matches', () => {
  it('finds a patient by name prefix, case-insensitive, with ^ and , read as spaces', async () => {
    const smiths = accessionsWhere((s) => ['Smith^John', 'SMITH^Jane', 'Smithers^Ann', 'smith-jones^Bob'].includes(s.patientName));
    expect(smiths.length).toBeGreaterThan(8);
    const r = await search({ text: 'smith' });
    expect(sorted(r.accessions)).toEqual(smiths);
    expect(r.total).toBe(smiths.length);
    // Goldsmith contains 'smith' but does not start with it.
    expect(r.rows.some((s) => s.patientName.startsWith('Goldsmith'))).toBe(false);

    const johnAndJane = accessionsWhere((s) => s.patientName === 'Smith^John' || s.patientName === 'SMITH^Jane');
    for (const text of ['Smith^J', 'smith j', 'Smith, J', '  SMITH   J ']) expect(sorted((await search({ text })).accessions), text).toEqual(johnAndJane);
    expect(sorted((await search({ patientName: 'smithe' })).accessions)).toEqual(accessionsWhere((s) => s.patientName === 'Smithers^Ann'));
    expect(sorted((await search({ text: 'müll' })).accessions)).toEqual(accessionsWhere((s) => s.patientName.startsWith('Müller')));
    // A given name is not a prefix of the name.
    expect((await search({ text: 'jürgen' })).total).toBe(0);
    // Nothing to look for: everything.
    expect((await search({ text: '   ' })).total).toBe(studies.length);
  });

  it('finds by Patient ID prefix and accession number prefix (text box or own field)', async () => {
    const pid000 = accessionsWhere((s) => /^PID000/i.test(s.patientId));
    expect(pid000.length).toBeGreaterThan(4);
    expect(sorted((await search({ text: 'pid000' })).accessions)).toEqual(pid000);
    expect(sorted((await search({ patientId: 'PID000' })).accessions)).toEqual(pid000);
    expect(sorted((await search({ accession: 'a100' })).accessions)).toEqual(['A1000', 'A1001', 'A1002', 'A1003', 'A1004', 'A1005', 'A1006', 'A1007', 'A1008', 'A1009']);
    expect((await search({ text: 'A1017' })).accessions).toEqual(['A1017']);
    expect((await search({ accession: 'A1017' })).accessions).toEqual(['A1017']);
  });

  it('finds by a piece of the study description, white space and case ignored', async () => {
    expect(sorted((await search({ description: 'chest' })).accessions)).toEqual(accessionsWhere((s) => /chest/i.test(s.description)));
    expect(sorted((await search({ description: 'abdomen pelvis' })).accessions)).toEqual(accessionsWhere((s) => s.description.startsWith('CT  abdomen')));
    expect(sorted((await search({ text: 'brain' })).accessions)).toEqual(accessionsWhere((s) => s.description === 'MR Brain'));
  });

  it('filters by date range, both ends inclusive; a study without a date is in no range', async () => {
    const in2023 = accessionsWhere((s) => ['20230101', '20231231', '20230615'].includes(s.date));
    expect(sorted((await search({ dateFrom: '20230101', dateTo: '20231231' })).accessions)).toEqual(in2023);
    expect(sorted((await search({ dateFrom: '20231231', dateTo: '20231231' })).accessions)).toEqual(accessionsWhere((s) => s.date === '20231231'));
    expect(sorted((await search({ dateFrom: '20240101' })).accessions)).toEqual(accessionsWhere((s) => s.date === '20240229'));
    const undated = accessionsWhere((s) => s.date === '');
    expect(undated.length).toBeGreaterThan(0);
    const everyRange = (await search({ dateTo: '99991231' })).accessions;
    for (const a of undated) expect(everyRange).not.toContain(a);
  });

  it('filters by modality (a study with CT and MR is found by either)', async () => {
    for (const m of ['CT', 'MR', 'US', 'CR']) {
      expect(sorted((await search({ modality: m })).accessions), m).toEqual(accessionsWhere((s) => s.series.some(([mod]) => mod === m)));
    }
    expect((await search({ modality: 'PT' })).total).toBe(0);
  });

  it('combines every field given (AND)', async () => {
    const r = await search({ text: 'smith', modality: 'CT', dateFrom: '20230101', dateTo: '20231231' });
    const expected = accessionsWhere(
      (s) => /^smith(\^|ers|-)/i.test(s.patientName) && s.series.some(([m]) => m === 'CT') && s.date >= '20230101' && s.date <= '20231231',
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(sorted(r.accessions)).toEqual(expected);
  });

  it('carries the counts, modalities and patient grouping of each study', async () => {
    const r = await search({ accession: 'A1002' });
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]).toMatchObject({ seriesCount: 2, instanceCount: 3, modalities: ['CT', 'MR'], patientName: studies[2]!.patientName, studyDate: studies[2]!.date });
    // A series without a modality adds none.
    expect((await search({ accession: 'A1004' })).rows[0]!.modalities).toEqual([]);
    for (const store of [memory, sql]) {
      const all = (await store.searchStudies({ limit: 500, offset: 0 })).studies;
      const keyOf = new Map<string, string>();
      for (const s of all) {
        const patient = `${s.patientId}|${s.patientName}`;
        expect(keyOf.get(patient) ?? s.patientKey).toBe(s.patientKey);
        keyOf.set(patient, s.patientKey);
      }
      expect(new Set(keyOf.values()).size).toBe(keyOf.size);
    }
  });

  it('studies:list (listStudies) gives the same counts as the search', async () => {
    const listed = await sql.listStudies();
    expect(listed).toHaveLength(studies.length);
    const searched = (await sql.searchStudies({ limit: 500, offset: 0 })).studies;
    for (const l of listed) {
      const s = searched.find((x) => x.studyId === l.studyId)!;
      expect({ seriesCount: l.seriesCount, instanceCount: l.instanceCount, modalities: l.modalities }).toEqual({
        seriesCount: s.seriesCount,
        instanceCount: s.instanceCount,
        modalities: s.modalities,
      });
    }
  });
});

describe('study search: order and pages', () => {
  const distinctRuns = (xs: string[]) => xs.filter((x, i) => i === 0 || x !== xs[i - 1]);

  it('sorts by name in code point order (what SQLite does), patients kept together', async () => {
    const names = (await search({ sort: { by: 'name', direction: 'asc' } })).rows.map((s) => s.patientName);
    expect(distinctRuns(names)).toEqual([
      '',
      'Doe^John^^Dr',
      'Goldsmith^Eve',
      'Müller^Jürgen',
      'SMITH^Jane',
      'Smith^John',
      'smith-jones^Bob',
      'Smithers^Ann',
      'Yamada^Tarou=山田^太郎',
      '\uFF3Aeta^Y',
      '\u{1D49C}lpha^X',
    ]);
    const desc = (await search({ sort: { by: 'name', direction: 'desc' } })).rows.map((s) => s.patientName);
    expect(desc).toEqual([...names].reverse());
  });

  it('sorts by Patient ID, and by date (newest first by default, time breaking ties)', async () => {
    const ids = (await search({ sort: { by: 'patientId', direction: 'asc' } })).rows.map((s) => s.patientId.toUpperCase());
    expect(distinctRuns(ids)).toEqual(['AB-77', 'ANON', 'JP-9', 'M-1', 'PID0001', 'PID0002', 'PID0003', 'PID0005', 'PID0011', 'U-1', 'U-2']);
    const byDate = (await search({})).rows;
    const keys = byDate.map((s) => `${s.studyDate}\u0000${s.studyTime}`);
    expect(keys).toEqual([...keys].sort().reverse());
    expect(byDate[0]!.studyDate).toBe('20240229');
    expect(byDate.at(-1)!.studyDate).toBe('');
  });

  it('pages: consecutive pages add up to the whole list, each with the full total', async () => {
    for (const sort of [undefined, { by: 'name', direction: 'asc' }, { by: 'patientId', direction: 'desc' }] as const) {
      const whole = (await search({ ...(sort ? { sort } : {}) })).accessions;
      const paged: string[] = [];
      for (let offset = 0; offset < studies.length; offset += 7) {
        const page = await search({ ...(sort ? { sort } : {}), limit: 7, offset });
        expect(page.total).toBe(studies.length);
        paged.push(...page.accessions);
      }
      expect(paged).toEqual(whole);
      const past = await search({ ...(sort ? { sort } : {}), limit: 7, offset: 1000 });
      expect(past).toMatchObject({ accessions: [], total: studies.length });
    }
  });

  it('the two stores agree on a sweep of queries', async () => {
    const texts = [undefined, 's', 'SMITH', 'smith^jo', 'a10', 'pid', 'ct', 'x', 'zz', '山', '\u{1D49C}', '\uFF3A'];
    const filters: Query[] = [{}, { modality: 'MR' }, { dateFrom: '20230101' }, { dateTo: '20230615' }, { description: 'ct' }, { patientId: 'u-' }];
    for (const text of texts) {
      for (const f of filters) {
        for (const by of ['date', 'name', 'patientId'] as const) {
          await search({ ...f, ...(text !== undefined ? { text } : {}), sort: { by, direction: by === 'date' ? 'desc' : 'asc' }, limit: 9, offset: 3 });
        }
      }
    }
  });

  it('quick view first, then the cache, paged across both', async () => {
    const small = new MemoryStudyStore('qv-');
    for (const it of instancesOf(studies.slice(0, 5))) await small.addInstance(it.meta, it.bytes, it.sha256);
    const sources = [small, sql].map((s) => async (q: StudySearch) => ({ ...(await s.searchStudies(q)), studies: [] as never[] }));
    expect((await searchInOrder(sources, { limit: 10, offset: 0 })).total).toBe(45);
    const real = [small, sql].map((s, i) => async (q: StudySearch) => {
      const r = await s.searchStudies(q);
      return { total: r.total, studies: r.studies.map((x) => ({ ...x, source: i === 0 ? ('quickview' as const) : ('cache' as const) })) };
    });
    const all: string[] = [];
    for (let offset = 0; offset < 45; offset += 4) {
      const page = await searchInOrder(real, { limit: 4, offset });
      expect(page.total).toBe(45);
      all.push(...page.studies.map((s) => `${s.source}:${s.accessionNumber}`));
    }
    expect(all).toHaveLength(45);
    expect(all.slice(0, 5).every((a) => a.startsWith('quickview:'))).toBe(true);
    expect(all.slice(5).every((a) => a.startsWith('cache:'))).toBe(true);
    expect(all.slice(5)).toEqual((await sql.searchStudies({ limit: 500, offset: 0 })).studies.map((s) => `cache:${s.accessionNumber}`));
  });
});

describe('study search: purge', () => {
  it('a purged study is found no more, and its description leaves the search table unless another study has it', async () => {
    const t = await makeTempStore();
    const s = await t.open();
    try {
      const three = searchStudies().slice(0, 3).map((x, i) => ({ ...x, description: i === 0 ? 'Unique protocol ZZQ' : 'Shared protocol' }));
      await s.addInstances(instancesOf(three));
      const descriptions = () => (s.database.prepare('SELECT description_norm AS d FROM study_descriptions ORDER BY d').all() as { d: string }[]).map((r) => r.d);
      expect(descriptions()).toEqual(['SHARED PROTOCOL', 'UNIQUE PROTOCOL ZZQ']);
      const find = (text: string) => s.searchStudies({ text, limit: 10, offset: 0 });
      await s.purgeStudy((await find('zzq')).studies[0]!.studyId);
      expect((await find('zzq')).total).toBe(0);
      expect(descriptions()).toEqual(['SHARED PROTOCOL']);
      await s.purgeStudy((await find('shared')).studies[0]!.studyId);
      expect(descriptions()).toEqual(['SHARED PROTOCOL']);
      expect((await find('shared')).total).toBe(1);
    } finally {
      await s.close();
      t.cleanup();
    }
  });
});

describe('study search: text order helpers', () => {
  it('compares by code point and bounds a prefix', () => {
    expect(compareText('\uFF3A', '\u{1D49C}')).toBeLessThan(0);
    expect('\uFF3A' < '\u{1D49C}').toBe(false); // why compareText exists
    expect(compareText('AB', 'ABC')).toBeLessThan(0);
    expect(prefixUpperBound('SMITH')).toBe('SMITI');
    expect(prefixUpperBound('A\uD7FF')).toBe('A\uE000');
    expect(prefixUpperBound('\u{10FFFF}')).toBeNull();
  });
});

describe('studies:search request schema', () => {
  const schema = requestSchemas['studies:search'];
  const ok = { limit: 50, offset: 0 };

  it('accepts a full, valid query', () => {
    const q = { ...ok, text: 'Smith^J', patientName: 'smi', patientId: 'P1', accession: 'A1', description: 'chest', modality: 'CT', dateFrom: '20230101', dateTo: '20231231', sort: { by: 'name', direction: 'asc' } };
    expect(schema.safeParse(q).success).toBe(true);
    expect(schema.safeParse({ ...ok, dateFrom: '20240229', dateTo: '20240229' }).success).toBe(true);
  });

  it.each([
    ['no limit', { offset: 0 }],
    ['no offset', { limit: 10 }],
    ['limit 0', { limit: 0, offset: 0 }],
    ['limit above 500', { limit: 501, offset: 0 }],
    ['fractional limit', { limit: 1.5, offset: 0 }],
    ['negative offset', { limit: 10, offset: -1 }],
    ['unknown field', { ...ok, sql: 'DROP TABLE studies' }],
    ['month 13', { ...ok, dateFrom: '20231301' }],
    ['day 32', { ...ok, dateTo: '20230132' }],
    ['dashed date', { ...ok, dateFrom: '2023-01-01' }],
    ['range backwards', { ...ok, dateFrom: '20240101', dateTo: '20231231' }],
    ['lower-case modality', { ...ok, modality: 'ct' }],
    ['modality with a comma', { ...ok, modality: 'CT,MR' }],
    ['text too long', { ...ok, text: 'x'.repeat(129) }],
    ['control character', { ...ok, text: 'smith\u0000' }],
    ['number as text', { ...ok, text: 12 }],
    ['unknown sort', { ...ok, sort: { by: 'size', direction: 'asc' } }],
    ['sort without direction', { ...ok, sort: { by: 'name' } }],
  ])('refuses %s', (_why, q) => {
    expect(schema.safeParse(q).success).toBe(false);
  });
});
