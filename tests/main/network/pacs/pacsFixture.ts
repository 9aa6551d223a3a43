// What the PACS tests share: the phantom study and two compressed corpus files uploaded to a real Orthanc, a real
// encrypted store, and a PacsService over a real egress gate whose policy lists the archive as a node.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { EgressGate } from '../../../../src-main/services/network/egress';
import { PacsService, type PacsLimitsConfig } from '../../../../src-main/services/network/pacs/pacsService';
import type { KeyStore } from '../../../../src-main/services/keys/keyStore';
import { POLICY_DEFAULTS, type EffectivePolicy, type PacsNode } from '../../../../src-main/services/policy/policySchema';
import type { AuditEventInput } from '../../../../src-shared/audit/auditEvents';
import { CORPUS, PHANTOMS } from '../../import/fixtures/importFixtures';
import type { EncryptedStudyStore } from '../../../../src-main/services/store/encryptedStudyStore';
import { readTree } from '../../../../src-shared/dicom/write/readTree';
import { PIXEL_DATA } from '../../../../src-shared/dicom/write/elementTree';
import { makeTempStore, type TempStore } from '../../store/fixtures/tempStore';
import { startOrthanc, type OrthancServer } from './orthancServer';

export const PHANTOM_STUDY = '1.2.826.0.1.3680043.10.1234.1';
export const NM_STUDY = '1.3.6.1.4.1.5962.1.2.8.20040826185059.5457';
export const JPEG_LS = path.join(CORPUS, 'orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.80.dcm');
export const JPEG_2000 = path.join(CORPUS, 'orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.90.dcm');

export function phantomFiles(): string[] {
  return ['ct-axial', 'mr-sagittal'].flatMap((d) => readdirSync(path.join(PHANTOMS, d)).map((f) => path.join(PHANTOMS, d, f)));
}

export function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

/** SHA-256 of every uploaded file's bytes: what must come back. */
export function uploadedHashes(files: string[]): Set<string> {
  return new Set(files.map((f) => sha256(readFileSync(f))));
}

/** The keychain as a map: the service reads secrets only through the KeyStore interface. */
export function memoryKeyStore(entries: Record<string, string> = {}): KeyStore {
  const m = new Map(Object.entries(entries));
  return {
    get: async (a) => m.get(a) ?? null,
    set: async (a, s) => void m.set(a, s),
    delete: async (a) => m.delete(a),
  };
}

export interface PacsHarness {
  service: PacsService;
  gate: EgressGate;
  events: AuditEventInput[];
}

export function pacsHarness(nodes: PacsNode[], o: { secrets?: KeyStore; limits?: Partial<PacsLimitsConfig>; audit?: { record(e: AuditEventInput): unknown } } = {}): PacsHarness {
  const events: AuditEventInput[] = [];
  const audit = {
    record: (e: AuditEventInput) => {
      events.push(e);
      return o.audit?.record(e);
    },
  };
  const policy: EffectivePolicy = { ...POLICY_DEFAULTS, PacsNodes: nodes };
  const gate = new EgressGate({ policy: () => policy, audit });
  const service = new PacsService({ gate, policy: () => policy, secrets: o.secrets ?? memoryKeyStore(), audit, ...(o.limits ? { limits: o.limits } : {}) });
  return { service, gate, events };
}

/**
 * What must survive the data set's re-encoding over DIMSE (dcmjs re-fragments encapsulated pixel data and writes its
 * own offset table): the SOP instance, the transfer syntax, and the pixel data's bytes (the compressed codestream).
 */
export function pixelKey(bytes: Uint8Array): string {
  const t = readTree(bytes);
  const px = t.dataSet.elements.find((e) => e.tag === PIXEL_DATA)!;
  const sop = Buffer.from(t.dataSet.elements.find((e) => e.tag === 0x00080018)!.value!).toString('latin1').replace(/\0+$/, '');
  const data = px.fragments ? Buffer.concat(px.fragments.slice(1)) : px.value!;
  return `${sop}:${t.transferSyntaxUid}:${sha256(data)}`;
}

/** pixelKey() of every instance in the encrypted store, read back through the store. */
export async function storedKeys(s: EncryptedStudyStore): Promise<Set<string>> {
  const ids = (s.database.prepare('SELECT instance_id FROM instances').all() as { instance_id: string }[]).map((r) => r.instance_id);
  return new Set(await Promise.all(ids.map(async (id) => pixelKey(await s.readInstanceBytes(id)))));
}

export interface PacsFixture {
  orthanc: OrthancServer;
  ts: TempStore;
  store: EncryptedStudyStore;
  /** Closes the store, removes its folder, stops Orthanc. */
  stop(): Promise<void>;
}

/** A real Orthanc with `files` uploaded, and a real encrypted store opened beside it (a test file's beforeAll). */
export async function startPacsFixture(files: string[], orthancOptions?: Parameters<typeof startOrthanc>[0]): Promise<PacsFixture> {
  const orthanc = await startOrthanc(orthancOptions);
  try {
    for (const f of files) await orthanc.upload(f);
    const ts = await makeTempStore();
    const store = await ts.open();
    return {
      orthanc,
      ts,
      store,
      async stop() {
        await store.close();
        ts.cleanup();
        await orthanc.stop();
      },
    };
  } catch (e) {
    await orthanc.stop();
    throw e;
  }
}
