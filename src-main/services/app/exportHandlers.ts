// The export dialog's channels over the export services: the scope's instances read from the store that
// holds them (InstanceSource: decrypted in memory, never a plaintext temp file), the viewer's redaction
// rectangles turned into per-file rectangles, the destination from main's own folder dialog, progress,
// cancel, and every export permission-checked and audited through ExportDeps.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { AuditEventInput, AuditObject } from '../../../src-shared/audit/auditEvents';
import { assessBurnedIn, type Rect } from '../../../src-shared/deid';
import { AppError } from '../../../src-shared/errors';
import { EXPORT_MIN_PASSWORD_LENGTH, type ExportReview, type ExportRunRequest, type ExportScope, type ExportSummary, type FlaggedFile } from '../../../src-shared/ipc/exportContract';
import { isRedaction, redactionRect } from '../../../src-shared/viewer/redaction';
import { parseTree } from '../export/deidFiles';
import { exportDicomMedia } from '../export/dicomMediaExport';
import { exportEncryptedZip } from '../export/encryptedZipExport';
import type { ExportDeps, ExportResult, InstanceSource } from '../export/exportTypes';
import { exportDeidentifiedFolder } from '../export/folderExport';
import { exportImage } from '../export/imageExport';
import type { Handlers } from '../ipc/dispatch';
import type { Dialogs, EventSink } from '../platformPorts';
import type { EffectivePolicy } from '../policy/policySchema';
import type { SettingName } from '../store/settingsRows';
import type { StoredInstance, StudyStore } from '../store/studyStore';

export interface ExportHandlerOptions {
  storeFor(id: string): StudyStore;
  dialogs: Dialogs;
  events: EventSink;
  policy(): EffectivePolicy;
  /** Who is exporting: the logged-in user and role (accounts); null or absent = the one local user (no accounts). */
  actor?: () => { userId: string; role: string } | null;
  now?: () => Date;
}

type ExportHandlers = Pick<Handlers, 'export:review' | 'export:run' | 'export:cancel'>;

/** What an encrypted store offers beyond StudyStore: its audit trail and its settings (EncryptedStudyStore). */
interface StoreExtras {
  audit?: { record(event: AuditEventInput): unknown };
  settings?: { get(name: SettingName): string | null; set(name: SettingName, value: string): void };
}

interface ScopeInstance {
  seriesId: string;
  studyId: string;
  seriesDescription: string;
  instance: StoredInstance;
}

const MAX_LISTED_FLAGGED = 200;

async function resolveScope(store: StudyStore, scope: ExportScope): Promise<ScopeInstance[]> {
  const seriesOf = async (seriesId: string, studyId: string | null, description?: string): Promise<ScopeInstance[]> => {
    const study = studyId ?? (await store.studyOfSeries(seriesId));
    if (!study) throw new AppError('NOT_FOUND', 'Series not found.');
    const desc = description ?? (await store.listSeries(study)).find((s) => s.seriesId === seriesId)?.seriesDescription ?? '';
    return (await store.listInstances(seriesId)).map((instance) => ({ seriesId, studyId: study, seriesDescription: desc, instance }));
  };
  if ('studyId' in scope) {
    const series = await store.listSeries(scope.studyId);
    if (series.length === 0) throw new AppError('NOT_FOUND', 'Study not found.');
    const out: ScopeInstance[] = [];
    for (const s of series) out.push(...(await seriesOf(s.seriesId, scope.studyId, s.seriesDescription)));
    return out;
  }
  const all = await seriesOf(scope.seriesId, null);
  if (!('instanceIds' in scope)) return all;
  const wanted = new Set(scope.instanceIds);
  const chosen = all.filter((i) => wanted.has(i.instance.instanceId));
  if (chosen.length !== wanted.size) throw new AppError('NOT_FOUND', 'An image to export is not in that series.');
  return chosen;
}

/**
 * The series' redactions as rectangles per instance: each applies to every image of its series with the
 * size of the image it was drawn on (the same device's layout puts burned-in text in the same place).
 */
async function redactionsOf(store: StudyStore, items: readonly ScopeInstance[]): Promise<Map<string, Rect[]>> {
  const out = new Map<string, Rect[]>();
  const bySeries = new Map<string, ScopeInstance[]>();
  for (const i of items) bySeries.set(i.seriesId, [...(bySeries.get(i.seriesId) ?? []), i]);
  for (const [seriesId, inScope] of bySeries) {
    const marks = (await store.listAnnotations(seriesId)).filter(isRedaction);
    if (marks.length === 0) continue;
    const all = await store.listInstances(seriesId);
    for (const m of marks) {
      const rect = redactionRect(m.points);
      const drawnOn = all.find((i) => i.meta.sopInstanceUid === m.sopInstanceUid);
      if (!rect || !drawnOn) continue;
      for (const i of inScope) {
        if (i.instance.meta.rows !== drawnOn.meta.rows || i.instance.meta.columns !== drawnOn.meta.columns) continue;
        out.set(i.instance.instanceId, [...(out.get(i.instance.instanceId) ?? []), rect]);
      }
    }
  }
  return out;
}

/** A name in the chosen folder that is not taken yet: nothing already there is ever overwritten. */
function freshName(dir: string, base: string, ext: string): string {
  for (let n = 1; n < 1000; n++) {
    const name = `${base}${n === 1 ? '' : `-${n}`}${ext}`;
    if (!fs.existsSync(path.join(dir, name))) return name;
  }
  throw new AppError('EXPORT_FAILED', 'The chosen folder has too many earlier exports.');
}

function stamp(d: Date): string {
  return d.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
}

/** 20 characters from an alphabet without look-alikes: ~100 bits, easy to read out over a phone. */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY34679';
  const bytes = randomBytes(40);
  let out = '';
  for (const b of bytes) {
    if (b >= alphabet.length * Math.floor(256 / alphabet.length)) continue;
    out += alphabet[b % alphabet.length];
    if (out.length === 20) break;
  }
  return out.length === 20 ? out : generatePassword();
}

export function createExportHandlers(o: ExportHandlerOptions): ExportHandlers {
  const jobs = new Map<string, AbortController>();
  // Quick-view and memory stores have no settings table: a secret for this session only.
  const sessionSecret = new Uint8Array(randomBytes(32));

  const secretOf = (store: StudyStore & StoreExtras): Uint8Array => {
    const settings = store.settings;
    if (!settings) return sessionSecret;
    const saved = settings.get('deid.secret');
    if (saved && /^[0-9a-f]{64}$/.test(saved)) return new Uint8Array(Buffer.from(saved, 'hex'));
    const fresh = randomBytes(32);
    settings.set('deid.secret', fresh.toString('hex'));
    return new Uint8Array(fresh);
  };

  const review = async (store: StudyStore, items: readonly ScopeInstance[], redactions: ReadonlyMap<string, Rect[]>) => {
    const flagged: FlaggedFile[] = [];
    for (const i of items) {
      const a = assessBurnedIn(parseTree(await store.readInstanceBytes(i.instance.instanceId)));
      if (!a.flagged) continue;
      flagged.push({
        instanceId: i.instance.instanceId, seriesId: i.seriesId, seriesDescription: i.seriesDescription,
        instanceNumber: i.instance.meta.instanceNumber, reasons: a.reasons, redactions: redactions.get(i.instance.instanceId)?.length ?? 0,
      });
    }
    return flagged;
  };

  const scopeStoreId = (scope: ExportScope) => ('studyId' in scope ? scope.studyId : scope.seriesId);

  const handlers: ExportHandlers = {
    'export:review': async ({ scope }) => {
      const store = o.storeFor(scopeStoreId(scope));
      const items = await resolveScope(store, scope);
      const redactions = await redactionsOf(store, items);
      const flagged = await review(store, items, redactions);
      const p = o.policy();
      const result: ExportReview = {
        files: items.length,
        flagged: flagged.slice(0, MAX_LISTED_FLAGGED),
        flaggedTotal: flagged.length,
        unredactedFlagged: flagged.filter((f) => f.redactions === 0).length,
        redactedFiles: redactions.size,
        policy: { exportAllowed: p.ExportAllowedRoles.length > 0, requiresDeidentification: p.ExportRequiresDeidentification, watermarkText: p.WatermarkText },
        minPasswordLength: EXPORT_MIN_PASSWORD_LENGTH,
      };
      return result;
    },

    'export:cancel': async ({ jobId }) => {
      const job = jobs.get(jobId);
      job?.abort();
      return { cancelled: job !== undefined };
    },

    'export:run': async (req: ExportRunRequest) => {
      if (jobs.has(req.jobId)) throw new AppError('INVALID_REQUEST', 'That export is already running.');
      const store = o.storeFor(scopeStoreId(req.scope)) as StudyStore & StoreExtras;
      const items = await resolveScope(store, req.scope);
      const redactions = await redactionsOf(store, items);
      const p = o.policy();
      const image = req.kind === 'image' ? req.image : undefined;
      // Only an unconfirmed request costs a reading pass: a confirmed one says the dialog's review was seen.
      if (req.kind !== 'image' && !req.burnedIn.confirmed) {
        const flagged = await review(store, items, redactions);
        // The dialog listed these files; exporting them needs the user's explicit "I reviewed them".
        if (flagged.length > 0 && !req.burnedIn.confirmed) throw new AppError('DEID_BURNED_IN', `${flagged.length} file(s) may carry burned-in text: review them and confirm before exporting.`);
      }

      const studies = [...new Set(items.map((i) => i.studyId))];
      const objects: AuditObject[] = studies.map((id) => ({ type: 'study', id }));
      const actor = o.actor?.() ?? null;
      const deps: ExportDeps = {
        user: actor?.userId ?? 'local',
        secret: secretOf(store),
        ...(o.now ? { now: o.now } : {}),
        // Main's guard has checked the role's 'export' right; policy can narrow it to named roles, or turn export
        // off for everyone (ExportAllowedRoles empty, also without accounts).
        checkPermission: (permission) => {
          if (p.ExportAllowedRoles.length === 0) throw new AppError('PERMISSION_DENIED', 'Export is turned off by your organisation.');
          if (actor && !p.ExportAllowedRoles.includes(actor.role)) throw new AppError('PERMISSION_DENIED', 'Your organisation does not allow your role to export.');
          if (permission === 'export.image' && p.ExportRequiresDeidentification && image?.variant !== 'deidentified') {
            throw new AppError('PERMISSION_DENIED', 'Your organisation requires exports to be de-identified.');
          }
        },
        // PS3.15 A.5.3.4: the studies exported are participant objects (opaque ids, never UIDs).
        audit: (event) => void store.audit?.record({ ...event, objects: [...(event.objects ?? []), ...objects] }),
      };

      const folder = await o.dialogs.chooseFolder('export');
      if (folder === null) return null;
      const controller = new AbortController();
      jobs.set(req.jobId, controller);
      const total = items.length * (req.kind === 'image' ? 1 : 2);
      let done = 0;
      const inputs: InstanceSource[] = items.map((i) => ({
        id: i.instance.instanceId,
        read: async () => {
          if (controller.signal.aborted) throw new AppError('CANCELLED', 'Export cancelled.');
          const bytes = await store.readInstanceBytes(i.instance.instanceId);
          done++;
          // Each file is read twice: once to check the burned-in policy, once to de-identify and write it.
          o.events.emit('export:progress', { jobId: req.jobId, done, total, phase: done <= items.length && req.kind !== 'image' ? 'checking' : 'writing' });
          return bytes;
        },
      }));

      const when = (o.now ?? (() => new Date()))();
      const base = `enclave-${req.kind === 'image' ? 'image' : 'export'}-${stamp(when)}`;
      const ext = req.kind === 'zip' ? '.zip' : req.kind === 'image' ? `.${image?.format === 'jpeg' ? 'jpg' : 'png'}` : '';
      const outputName = freshName(folder, base, ext);
      const output = path.join(folder, outputName);
      const password = req.zip && 'password' in req.zip ? req.zip.password : generatePassword();
      const opts = { options: req.options, burnedIn: { redactions, override: req.burnedIn.override } };
      let result: ExportResult;
      try {
        if (req.kind === 'folder') result = await exportDeidentifiedFolder(inputs, output, opts, deps);
        else if (req.kind === 'media') result = await exportDicomMedia(inputs, output, opts, deps);
        else if (req.kind === 'zip') result = await exportEncryptedZip(inputs, output, password, opts, deps);
        else {
          const img = image!;
          result = await exportImage(inputs[0]!, output, {
            label: img.variant === 'deidentified' ? 'De-identified' : 'Confidential', format: img.format, frame: img.frame,
            ...(img.window ? { window: img.window } : {}), burnedInOverride: req.burnedIn.override,
            ...(p.WatermarkText ? { watermarkText: p.WatermarkText } : {}),
            ...(redactions.get(inputs[0]!.id) ? { redactions: redactions.get(inputs[0]!.id)! } : {}),
          }, deps);
        }
      } catch (e) {
        // What this export created (a fresh name, so nothing else) goes with a failure or a cancel.
        fs.rmSync(output, { recursive: true, force: true });
        throw e;
      } finally {
        jobs.delete(req.jobId);
      }
      const actions: Record<string, number> = {};
      for (const f of result.files) for (const [k, v] of Object.entries(f.counts)) if (typeof v === 'number') actions[k] = (actions[k] ?? 0) + v;
      const summary: ExportSummary = {
        kind: req.kind,
        files: result.files.length,
        outputName,
        actions,
        flagged: result.files.filter((f) => f.burnedInFlagged).length,
        redacted: req.kind === 'image' ? (redactions.has(inputs[0]!.id) ? 1 : 0) : result.files.filter((f) => f.redacted).length,
        overridden: result.files.filter((f) => f.burnedInFlagged && !f.redacted).length,
        ...(req.kind === 'zip' && req.zip && 'generate' in req.zip ? { password } : {}),
      };
      return summary;
    },
  };
  return handlers;
}
