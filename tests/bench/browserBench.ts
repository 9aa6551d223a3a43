// The study browser over a big cache: 100,000 studies and 10,000,000 instance rows written straight into a
// fresh encrypted store (one transaction; names, dates, modalities plausible; instances point at no file),
// reopened the way the app opens it, then timed through the app's own dispatcher ('studies:search': zod
// validation, the handler, the store's SQL) and through the store alone. Cold = first call after opening;
// warm = median of RUNS. Main's RSS is read before and after a few hundred searches.
// The rows are written by a child process, so its garbage (10 million statements' worth) is not in the
// heap being measured. `npm run bench -- browser` runs this group alone. ENCLAVE_BENCH_STUDIES (default
// 100000) and ENCLAVE_BENCH_INSTANCES_PER_STUDY (default 100) scale it down; ENCLAVE_BENCH_KEEP=<dir> keeps
// the generated store there and reuses it next time.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { StudySearch } from '../../src-shared/ipc/contract';
import { createAppServices } from '../../src-main/services/app/appServices';
import { openCache } from '../../src-main/services/app/storeSession';
import type { EncryptedStudyStore } from '../../src-main/services/store/encryptedStudyStore';
import { initStore, openStore } from '../../src-main/services/store/openStore';
import { normaliseStudy } from '../../src-main/services/store/studySearch';
import { encodeModalities } from '../../src-main/services/store/studySearchSql';
import type { BenchRow } from './benchTypes';

const GROUP = 'study browser';
const RUNS = 15;
const TARGET_MS = 100;

const SURNAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez', 'Lopez',
  'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee', 'Perez', 'Thompson', 'White',
  'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson', 'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott',
  'Torres', 'Nguyen', 'Hill', 'Flores', 'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell',
  'Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Dubois', 'Durand', 'Moreau', 'Rossi', 'Russo', 'Ferrari', 'Esposito',
  'Kowalski', 'Nowak', 'Novak', 'Svensson', 'Johansson', 'Nielsen', 'Jensen', 'Hansen', 'Sato', 'Suzuki', 'Takahashi', 'Tanaka',
  "O'Brien", 'Murphy', 'Kelly', 'Smithers', 'Goldsmith', 'Smythe', 'van der Berg', 'de Vries',
];
const GIVEN = [
  'James', 'Mary', 'John', 'Patricia', 'Robert', 'Jennifer', 'Michael', 'Linda', 'William', 'Elizabeth', 'David', 'Barbara',
  'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen', 'Anna', 'Jürgen', 'Chloé', 'Hiroshi',
  'Yuki', 'Lars', 'Ingrid', 'Marco', 'Giulia', 'Piotr',
];
const PROTOCOLS: [description: string, modalities: string[]][] = [
  ['CT CHEST W/O CONTRAST', ['CT']], ['CT ABDOMEN PELVIS W CONTRAST', ['CT']], ['CT HEAD', ['CT']], ['MR BRAIN W/WO', ['MR']],
  ['MR KNEE LEFT', ['MR']], ['MR LUMBAR SPINE', ['MR']], ['PET/CT WHOLE BODY', ['CT', 'PT']], ['CHEST 2 VIEWS', ['CR']],
  ['US ABDOMEN', ['US']], ['MAMMO SCREENING BILATERAL', ['MG']], ['XR HAND RIGHT', ['DX']], ['CT ANGIO CORONARY', ['CT', 'SR']],
];

/** Deterministic pseudo-random integers (the same cache on every run). */
function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    s = (s ^ (s >>> 13)) >>> 0;
    return s % n;
  };
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

function dateOf(dayIndex: number): string {
  const d = new Date(Date.UTC(2005, 0, 1) + dayIndex * 86_400_000);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCDate(), 2)}`;
}

/** Writes the cache rows directly (what years of imports would leave), in one transaction. */
function generate(store: EncryptedStudyStore, studies: number, perStudy: number): { instances: number; series: number; patients: number } {
  const db = store.database;
  const r = rng(12345);
  const patients = Math.max(1, Math.round(studies * 0.4));
  // Bulk load: no journal while writing (a failed bench just starts over), back to the app's settings after.
  db.pragma('journal_mode = DELETE');
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  const insPatient = db.prepare('INSERT INTO patients VALUES (?, ?, ?, ?, ?, 0)');
  const insStudy = db.prepare(
    `INSERT INTO studies (study_id, study_uid, patient_id, study_date, study_time, description, accession_number, created_at, last_access,
       patient_name_norm, patient_id_norm, accession_norm, description_norm, modalities, series_count, instance_count)
     VALUES (?, ?, ?, ?, ?, ?, ?, 0, NULL, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insDescription = db.prepare('INSERT OR IGNORE INTO study_descriptions VALUES (?)');
  const insSeries = db.prepare("INSERT INTO series VALUES (?, ?, ?, ?, '', ?, '', 0)");
  const insInstance = db.prepare(
    "INSERT INTO instances VALUES (?, ?, ?, '1.2.840.10008.5.1.4.1.1.2', '1.2.840.10008.1.2.1', ?, '{}', 0, ?, ?, ?, 0, 0, NULL)",
  );
  const sha = '0'.repeat(64);
  const salt = Buffer.alloc(16, 7);
  const people: { name: string; id: string; key: string }[] = [];
  let seriesN = 0;
  let instanceN = 0;
  db.transaction(() => {
    for (let p = 0; p < patients; p++) {
      const name = `${SURNAMES[r(SURNAMES.length)]}^${GIVEN[r(GIVEN.length)]}`;
      const person = { name, id: `MRN${pad(p, 7)}`, key: `pt-${pad(p, 8)}` };
      people.push(person);
      insPatient.run(person.key, person.name, person.id, dateOf(-r(30_000)), r(2) ? 'F' : 'M');
    }
    for (let s = 0; s < studies; s++) {
      const person = people[r(patients)]!;
      const [description, modalities] = PROTOCOLS[r(PROTOCOLS.length)]!;
      const seriesCount = modalities.length + r(3);
      const accession = `ACC${pad(s, 8)}`;
      const studyId = `st-${pad(s, 8)}`;
      const n = normaliseStudy({ patientName: person.name, patientId: person.id, accessionNumber: accession, studyDescription: description });
      insStudy.run(
        studyId, `2.25.1.${s}`, person.key, dateOf(r(7300)), pad(r(240000), 6), description, accession,
        n.name, n.patientId, n.accession, n.description, encodeModalities(modalities), seriesCount, perStudy,
      );
      insDescription.run(n.description);
      for (let k = 0; k < seriesCount; k++) {
        const seriesId = `se-${pad(seriesN++, 9)}`;
        insSeries.run(seriesId, `2.25.2.${seriesN}`, studyId, k + 1, modalities[k % modalities.length]!);
        // The study's instances, split over its series.
        const count = Math.floor(perStudy / seriesCount) + (k < perStudy % seriesCount ? 1 : 0);
        for (let i = 0; i < count; i++) {
          const id = pad(instanceN++, 10);
          insInstance.run(`in-${id}`, `2.25.3.${id}`, seriesId, i + 1, sha, pad(instanceN, 32), salt);
        }
      }
    }
  })();
  db.pragma('synchronous = FULL');
  db.pragma('journal_mode = WAL');
  return { instances: instanceN, series: seriesN, patients };
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const mb = (bytes: number) => bytes / 2 ** 20;

async function timed(f: () => Promise<unknown>): Promise<{ cold: number; warm: number }> {
  let t = performance.now();
  await f();
  const cold = performance.now() - t;
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    t = performance.now();
    await f();
    runs.push(performance.now() - t);
  }
  return { cold, warm: median(runs) };
}

export const BROWSER_GEN_CHILD_FLAG = '--browser-bench-generate';

interface GenRequest {
  dataDir: string;
  recoveryKey: string;
  studies: number;
  perStudy: number;
}

/** The child: writes the rows and prints what it made (the request comes in ENCLAVE_BENCH_GEN). */
export async function browserGenChild(): Promise<void> {
  const req = JSON.parse(process.env['ENCLAVE_BENCH_GEN'] ?? '{}') as GenRequest;
  const t0 = performance.now();
  const store = await openStore({ dataDir: req.dataDir, keyStore: null, recoveryKey: req.recoveryKey });
  const made = generate(store, req.studies, req.perStudy);
  await store.close();
  process.stdout.write(JSON.stringify({ ...made, seconds: (performance.now() - t0) / 1000 }));
}

/** A store holding the generated cache: made by the child, or the one ENCLAVE_BENCH_KEEP holds already. */
async function generatedStore(root: string, studies: number, perStudy: number): Promise<{ dataDir: string; recoveryKey: string; made: string }> {
  const dataDir = path.join(root, 'data');
  const saved = path.join(root, 'bench.json');
  if (existsSync(saved)) return JSON.parse(readFileSync(saved, 'utf8')) as { dataDir: string; recoveryKey: string; made: string };
  const { recoveryKey } = await initStore({ dataDir, keyStore: null });
  const child = spawnSync(process.execPath, [process.argv[1]!, BROWSER_GEN_CHILD_FLAG], {
    encoding: 'utf8',
    env: { ...process.env, ENCLAVE_BENCH_GEN: JSON.stringify({ dataDir, recoveryKey, studies, perStudy } satisfies GenRequest) },
    maxBuffer: 1 << 20,
  });
  if (child.status !== 0) throw new Error(`generating the cache failed: ${child.stderr.slice(-500)}`);
  const m = JSON.parse(child.stdout) as { instances: number; series: number; patients: number; seconds: number };
  const made = `${studies} studies, ${m.series} series, ${m.instances} instances, ${m.patients} patients (written in ${m.seconds.toFixed(0)} s)`;
  writeFileSync(saved, JSON.stringify({ dataDir, recoveryKey, made }));
  return { dataDir, recoveryKey, made };
}

export async function runBrowserBench(): Promise<BenchRow[]> {
  const studies = Number(process.env['ENCLAVE_BENCH_STUDIES'] ?? 100_000);
  const perStudy = Number(process.env['ENCLAVE_BENCH_INSTANCES_PER_STUDY'] ?? 100);
  const keep = process.env['ENCLAVE_BENCH_KEEP'];
  if (keep) mkdirSync(keep, { recursive: true });
  const work = keep ?? mkdtempSync(path.join(tmpdir(), 'enclave-browser-bench-'));
  const rows: BenchRow[] = [];
  try {
    const { dataDir, recoveryKey, made } = await generatedStore(work, studies, perStudy);
    const dbBytes = statSync(path.join(dataDir, 'enclave.db')).size;
    rows.push({ group: GROUP, name: `cache: ${made}`, value: mb(dbBytes), unit: 'MB' });

    // As the app opens it: keys, migrations (none left to run), a fresh connection with the app's pragmas.
    const opening = performance.now();
    const store = await openStore({ dataDir, keyStore: null, recoveryKey });
    rows.push({ group: GROUP, name: 'open the cache (keys, migrations, orphan sweep)', value: performance.now() - opening, unit: 'ms' });
    try {
      const services = createAppServices({
        cache: openCache(store),
        storeKind: 'encrypted',
        // Searching decodes nothing.
        codecs: {},
        dialogs: { chooseFolder: async () => null },
        events: { emit: () => undefined },
        rendererDir: work,
        version: 'bench',
      });
      const sender = { url: 'app://enclave/index.html', isTopFrame: true };
      const viaIpc = async (q: StudySearch) => {
        const e = await services.dispatch('studies:search', q, sender);
        if (!e.ok) throw new Error(`studies:search failed: ${e.error.code}`);
        return e.value as { total: number };
      };
      const page = { limit: 50, offset: 0 };
      const farPage = Math.floor(studies / 100);
      const cases: [string, StudySearch][] = [
        ['list, first page (newest first)', { ...page }],
        ['name prefix "smi"', { ...page, text: 'smi' }],
        ['name prefix "s" (one letter)', { ...page, patientName: 's' }],
        ['name prefix "johnson^ma" by name', { ...page, patientName: 'johnson^ma', sort: { by: 'name', direction: 'asc' } }],
        ['date range, one month', { ...page, dateFrom: '20180301', dateTo: '20180331' }],
        ['date range, one year, CT', { ...page, dateFrom: '20200101', dateTo: '20201231', modality: 'CT' }],
        [`list sorted by name, page ${farPage + 1}`, { limit: 50, offset: farPage * 50, sort: { by: 'name', direction: 'asc' } }],
        ['description substring "knee"', { ...page, description: 'knee' }],
      ];
      for (const [name, q] of cases) {
        let total = 0;
        const ipc = await timed(async () => {
          total = (await viaIpc(q)).total;
        });
        const direct = await timed(() => store.searchStudies(q));
        const pass = ipc.warm < TARGET_MS && ipc.cold < TARGET_MS;
        rows.push({ group: GROUP, name: `${name}: ${total} matches, dispatch incl. zod, cold`, value: ipc.cold, unit: 'ms' });
        rows.push({ group: GROUP, name: `${name}: dispatch incl. zod, warm median of ${RUNS}`, value: ipc.warm, unit: 'ms', target: `< ${TARGET_MS} ms`, pass });
        rows.push({ group: GROUP, name: `${name}: store SQL alone, warm`, value: direct.warm, unit: 'ms' });
      }

      // Memory: sessions of typing (a search per keystroke) and paging. The first fills SQLite's page cache
      // (capped at 64 MiB); the second shows whether anything keeps growing.
      const words = ['s', 'sm', 'smi', 'smit', 'smith', 'g', 'ga', 'gar', 'garc', 'mrn00', 'acc0001', 'knee', 'ct'];
      const session = async () => {
        for (let i = 0; i < 300; i++) {
          await viaIpc({ limit: 50, offset: (i % 20) * 50, text: words[i % words.length]!, ...(i % 3 === 0 ? { dateFrom: '20150101', dateTo: '20191231' } : {}) });
        }
      };
      const start = process.memoryUsage().rss;
      await session();
      const middle = process.memoryUsage().rss;
      await session();
      const end = process.memoryUsage();
      const growth = mb(end.rss - middle);
      rows.push({ group: GROUP, name: 'main RSS after opening and the timed searches', value: mb(start), unit: 'MB' });
      rows.push({ group: GROUP, name: 'main RSS growth, first 300 searches (page cache filling)', value: mb(middle - start), unit: 'MB' });
      rows.push({ group: GROUP, name: 'main RSS growth, next 300 searches', value: growth, unit: 'MB', target: '< 8 MB', pass: growth < 8 });
      rows.push({ group: GROUP, name: 'main JS heap used after them', value: mb(end.heapUsed), unit: 'MB' });

      // The old channel returns every study at once: what the browser replaces, for comparison.
      const legacy = performance.now();
      const listed = await services.dispatch('studies:list', {}, sender);
      if (!listed.ok) throw new Error('studies:list failed');
      rows.push({ group: GROUP, name: `studies:list, all ${studies} at once (the old list; not paged)`, value: performance.now() - legacy, unit: 'ms' });
    } finally {
      await store.close();
    }
  } finally {
    if (!keep) rmSync(work, { recursive: true, force: true });
  }
  return rows;
}
