// The export channels through the real dispatcher (schemas, handlers, services) over stored instances:
// burned-in review and confirmation, redactions from the viewer's annotations, policy locks, a generated
// package password returned once, progress and cancel leaving nothing behind, a cancelled folder dialog.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppServices, type AppServices } from '../../../src-main/services/app/appServices';
import { openCache } from '../../../src-main/services/app/storeSession';
import { createNodeCodecs } from '../../../src-main/services/codecs/nodeCodecs';
import { noPolicy } from '../../../src-main/services/policy/effectivePolicy';
import type { EffectivePolicy } from '../../../src-main/services/policy/policySchema';
import { MemoryStudyStore } from '../../../src-main/services/store/memoryStudyStore';
import { findElement, PIXEL_DATA } from '../../../src-shared/dicom/write/elementTree';
import { readTree } from '../../../src-shared/dicom/write/readTree';
import type { AuditEventInput } from '../../../src-shared/audit/auditEvents';
import type { Envelope, SeriesListItem, StudyListItem } from '../../../src-shared/ipc/contract';
import type { ExportProgress, ExportReview, ExportSummary } from '../../../src-shared/ipc/exportContract';

const DATA = path.resolve(__dirname, '../../../../shared/data');
const US = path.join(DATA, 'corpus/pydicom-data/US1_UNCR.dcm');
const PHI = path.join(DATA, 'phantoms/deid/phi-everywhere.dcm');
const sender = { url: 'app://enclave/index.html', isTopFrame: true };

interface App {
  services: AppServices;
  progress: ExportProgress[];
  /** Runs on each progress event, as it is emitted. */
  onProgress: ((p: ExportProgress) => void) | null;
  setFolder(p: string | null): void;
  call<T>(channel: string, req: unknown): Promise<Envelope<T>>;
}

async function app(policy: Partial<EffectivePolicy> = {}, store = new MemoryStudyStore()): Promise<App> {
  let folder: string | null = null;
  const progress: ExportProgress[] = [];
  const base = noPolicy('test');
  const self = { onProgress: null } as { onProgress: App['onProgress'] };
  const services = createAppServices({
    cache: openCache(store), storeKind: 'memory', codecs: await createNodeCodecs(),
    dialogs: { chooseFolder: async () => folder },
    events: { emit: (name, payload) => { if (name === 'export:progress') { progress.push(payload as ExportProgress); self.onProgress?.(payload as ExportProgress); } } },
    rendererDir: '/nonexistent', version: 't',
    policy: { loaded: { ...base, effective: { ...base.effective, ...policy } }, network: null },
  });
  return Object.assign(self, { services, progress, setFolder: (p: string | null) => { folder = p; }, call: <T>(c: string, r: unknown) => services.dispatch(c, r, sender) as Promise<Envelope<T>> });
}

function value<T>(e: Envelope<unknown>): T {
  if (!e.ok) throw new Error(`${e.error.code}: ${e.error.message}`);
  return e.value as T;
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'enclave-export-handlers-'));

describe('export channels', () => {
  const store = new MemoryStudyStore();
  let a: App;
  let usSeries: string;
  let usStudy: string;
  let phiStudy: string;
  const run = (extra: object) => a.call<ExportSummary | null>('export:run', { jobId: `j${Math.random().toString(36).slice(2)}`, kind: 'folder', burnedIn: { confirmed: true, override: false }, ...extra });

  beforeAll(async () => {
    a = await app({}, store);
    value(await a.call('import:paths', { paths: [US, PHI] }));
    const studies = value<StudyListItem[]>(await a.call('studies:list', {}));
    usStudy = studies.find((s) => s.modalities.includes('US'))!.studyId;
    phiStudy = studies.find((s) => s.modalities.includes('CT'))!.studyId;
    usSeries = value<SeriesListItem[]>(await a.call('series:list', { studyId: usStudy }))[0]!.seriesId;
  });
  afterAll(() => store.close());

  it('lists the ultrasound as flagged for burned-in text and refuses to export it unconfirmed or unredacted', async () => {
    const review = value<ExportReview>(await a.call('export:review', { scope: { studyId: usStudy } }));
    expect(review).toMatchObject({ files: 1, flaggedTotal: 1, unredactedFlagged: 1, redactedFiles: 0, policy: { exportAllowed: true, requiresDeidentification: false } });
    expect(review.flagged[0]!.reasons.join(' ')).toMatch(/modality US/);
    a.setFolder(tmp());
    const unconfirmed = await run({ scope: { studyId: usStudy }, burnedIn: { confirmed: false, override: false } });
    expect(unconfirmed).toMatchObject({ ok: false, error: { code: 'DEID_BURNED_IN' } });
    const unredacted = await run({ scope: { studyId: usStudy } });
    expect(unredacted).toMatchObject({ ok: false, error: { code: 'DEID_BURNED_IN' } });
  });

  it('applies a redaction drawn in the viewer to the exported pixels, and reports it', async () => {
    const view = value<{ frames: { sopInstanceUid: string; instanceId: string }[]; frameOfReferenceUid: string }>(await a.call('series:open', { seriesId: usSeries }));
    const mark = { id: 'r1', kind: 'redaction', seriesId: usSeries, frameOfReferenceUid: view.frameOfReferenceUid, sopInstanceUid: view.frames[0]!.sopInstanceUid, frameIndex: 0, points: [[40, 10, 0], [300, 60, 0]] };
    value(await a.call('annotations:save', { seriesId: usSeries, annotations: [mark] }));
    const review = value<ExportReview>(await a.call('export:review', { scope: { seriesId: usSeries } }));
    expect(review).toMatchObject({ unredactedFlagged: 0, redactedFiles: 1 });
    expect(review.flagged[0]!.redactions).toBe(1);

    const dest = tmp();
    a.setFolder(dest);
    const summary = value<ExportSummary>(await run({ scope: { seriesId: usSeries, instanceIds: [view.frames[0]!.instanceId] } }));
    expect(summary).toMatchObject({ kind: 'folder', files: 1, flagged: 1, redacted: 1, overridden: 0 });
    expect(summary.outputName).toMatch(/^enclave-export-\d{8}-\d{6}$/);
    const [file] = fs.readdirSync(path.join(dest, summary.outputName));
    const px = findElement(readTree(new Uint8Array(fs.readFileSync(path.join(dest, summary.outputName, file!)))).dataSet, PIXEL_DATA)!.value!;
    const orig = findElement(readTree(new Uint8Array(fs.readFileSync(US))).dataSet, PIXEL_DATA)!.value!;
    const at = (buf: Uint8Array, x: number, y: number) => [...buf.subarray((y * 640 + x) * 3, (y * 640 + x) * 3 + 3)];
    let textBytes = 0;
    for (let y = 10; y < 60; y++) for (let x = 40; x < 300; x++) textBytes += at(orig, x, y).filter((v) => v > 0).length;
    expect(textBytes).toBeGreaterThan(1000); // the scanner's text was there
    for (let y = 10; y < 60; y++) for (let x = 40; x < 300; x++) if (at(px, x, y).some((v) => v !== 0)) throw new Error(`pixel ${x},${y} not blanked`);
    expect(at(px, 40, 10)).toEqual([0, 0, 0]);
    expect(at(px, 299, 59)).toEqual([0, 0, 0]);
    for (const [x, y] of [[39, 10], [300, 30], [50, 60], [600, 400]] as const) expect(at(px, x, y)).toEqual(at(orig, x, y));
    value(await a.call('annotations:save', { seriesId: usSeries, annotations: [] }));
  });

  it('exports flagged files unredacted only under the override, audited with the study as participant', async () => {
    const events: AuditEventInput[] = [];
    // The encrypted store's audit trail, as the handlers find it on the store (a memory store has none).
    Object.assign(store, { audit: { record: (e: AuditEventInput) => events.push(e) } });
    try {
      a.setFolder(tmp());
      const summary = value<ExportSummary>(await run({ scope: { studyId: usStudy }, burnedIn: { confirmed: true, override: true } }));
      expect(summary).toMatchObject({ files: 1, flagged: 1, redacted: 0, overridden: 1 });
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ kind: 'export', outcome: 'success', user: 'local', objects: [{ type: 'study', id: usStudy }], detail: { burnedInOverride: true, exportKind: 'export.deidentifiedFolder' } });
    } finally {
      delete (store as { audit?: unknown }).audit;
    }
  });

  it('returns a generated package password once and writes an AES zip', async () => {
    const dest = tmp();
    a.setFolder(dest);
    const summary = value<ExportSummary>(await run({ scope: { studyId: phiStudy }, kind: 'zip', zip: { generate: true } }));
    expect(summary.password).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(summary.outputName).toMatch(/\.zip$/);
    expect(fs.statSync(path.join(dest, summary.outputName)).size).toBeGreaterThan(1000);
    const typed = value<ExportSummary>(await run({ scope: { studyId: phiStudy }, kind: 'zip', zip: { password: 'a typed secret' } }));
    expect(typed.password).toBeUndefined();
    expect(typed.outputName).not.toBe(summary.outputName);
  });

  it('reports progress, and a cancel removes what was written', async () => {
    const dest = tmp();
    a.setFolder(dest);
    const jobId = 'cancelme';
    // The user presses Cancel as soon as the bar moves: the next file read stops the export.
    a.onProgress = (p) => { if (p.jobId === jobId) void a.call('export:cancel', { jobId }); };
    const before = a.progress.length;
    const result = await a.call('export:run', { jobId, scope: { studyId: phiStudy }, kind: 'media', burnedIn: { confirmed: true, override: false } });
    a.onProgress = null;
    expect(result).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(a.progress.length).toBeGreaterThan(before);
    expect(fs.readdirSync(dest)).toEqual([]);
    // Uncancelled, the same export runs its whole course: two reads per file (check, then write).
    const done = value<ExportSummary>(await a.call('export:run', { jobId: 'whole', scope: { studyId: phiStudy }, kind: 'media', burnedIn: { confirmed: true, override: false } }));
    expect(done.files).toBe(1);
    expect(a.progress.filter((p) => p.jobId === 'whole').map((p) => [p.done, p.total, p.phase])).toEqual([[1, 2, 'checking'], [2, 2, 'writing']]);
    expect(fs.existsSync(path.join(dest, done.outputName, 'DICOMDIR'))).toBe(true);
  });

  it('returns null when the folder dialog is cancelled', async () => {
    a.setFolder(null);
    expect(value(await run({ scope: { studyId: phiStudy } }))).toBeNull();
  });

  it('validates requests at the boundary', async () => {
    const bad = [
      { scope: { instanceIds: ['i1'] } }, // images name their series
      { scope: { studyId: phiStudy }, kind: 'zip' }, // a package needs a password
      { scope: { studyId: phiStudy }, kind: 'zip', zip: { password: 'short' } },
      { scope: { studyId: phiStudy }, kind: 'image', image: { format: 'png', variant: 'watermarked', frame: 0 } }, // a picture is of one image
      { scope: { studyId: phiStudy }, options: { retainLongitudinalFullDates: true, retainLongitudinalModifiedDates: true } },
      { scope: { studyId: '../etc' } },
    ];
    for (const b of bad) expect(await run(b)).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
  });
});

describe('export under machine policy', () => {
  it('refuses every export when no role may export, and audits the refusal', async () => {
    const events: AuditEventInput[] = [];
    const store = Object.assign(new MemoryStudyStore(), { audit: { record: (e: AuditEventInput) => events.push(e) } });
    const a = await app({ ExportAllowedRoles: [] }, store);
    value(await a.call('import:paths', { paths: [PHI] }));
    const studyId = value<StudyListItem[]>(await a.call('studies:list', {}))[0]!.studyId;
    expect(value<ExportReview>(await a.call('export:review', { scope: { studyId } })).policy.exportAllowed).toBe(false);
    const dest = tmp();
    a.setFolder(dest);
    const r = await a.call('export:run', { jobId: 'denied', scope: { studyId }, kind: 'folder', burnedIn: { confirmed: true, override: false } });
    expect(r).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    expect(fs.readdirSync(dest)).toEqual([]);
    expect(events).toMatchObject([{ kind: 'export', outcome: 'seriousFailure', eventType: 'useOfRestrictedFunction', detail: { denied: true } }]);
  });

  it('allows only the de-identified picture when policy requires de-identification, with its watermark text', async () => {
    const a = await app({ ExportRequiresDeidentification: true, WatermarkText: 'Example Hospital' });
    value(await a.call('import:paths', { paths: [PHI] }));
    const studyId = value<StudyListItem[]>(await a.call('studies:list', {}))[0]!.studyId;
    const seriesId = value<SeriesListItem[]>(await a.call('series:list', { studyId }))[0]!.seriesId;
    const view = value<{ frames: { instanceId: string }[] }>(await a.call('series:open', { seriesId }));
    const review = value<ExportReview>(await a.call('export:review', { scope: { seriesId } }));
    expect(review.policy).toEqual({ exportAllowed: true, requiresDeidentification: true, watermarkText: 'Example Hospital' });
    const dest = tmp();
    a.setFolder(dest);
    const picture = (variant: string) => a.call('export:run', {
      jobId: `p${variant}`, scope: { seriesId, instanceIds: [view.frames[0]!.instanceId] }, kind: 'image',
      burnedIn: { confirmed: true, override: false }, image: { format: 'png', variant, frame: 0 },
    });
    expect(await picture('watermarked')).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    expect(fs.readdirSync(dest)).toEqual([]);
    const ok = value<ExportSummary>(await picture('deidentified'));
    expect(ok.outputName).toMatch(/^enclave-image-.*\.png$/);
    expect(fs.readFileSync(path.join(dest, ok.outputName)).subarray(1, 4).toString()).toBe('PNG');
  });
});
