// Each event Enclave produces today, driven by the action that produces it (start/stop, import through the CLI
// and its worker, opening a series, an export, a tampered image read, a purge, exporting the trail), then
// `enclave audit export --format atna-xml`: every message validates against DICOM PS3.15 A.5.1's own RELAX NG
// schema with jing (an independent validator), and says who, which patient and which study.
import { readFileSync, readdirSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportDeidentifiedFolder } from '../../../src-main/services/export/folderExport';
import { unlockDataKey } from '../../../src-main/services/keys/dataKeyVault';
import { dataDirLayout } from '../../../src-main/services/store/dataDirLayout';
import type { EncryptedStudyStore } from '../../../src-main/services/store/encryptedStudyStore';
import { openStoreWithDataKey } from '../../../src-main/services/store/openStore';
import { buildCli, isolatedEnv, type BuiltCli } from '../cli/fixtures/cliBuild';
import { PHANTOMS, tempDir } from '../import/fixtures/importFixtures';
import { jing } from './fixtures/atnaSchema';

let cli: BuiltCli;
let root: string;
let dataDir: string;
let rk: string;
let env: Record<string, string>;

function ok(args: string[]): string {
  const r = cli.run(args, env);
  expect(r.status, `enclave ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

async function openStore(): Promise<EncryptedStudyStore> {
  const { dataKey } = await unlockDataKey({ keyFilePath: dataDirLayout(dataDir).keyFile, keyStore: null, recoveryKey: readFileSync(rk, 'utf8').trim() });
  return openStoreWithDataKey({ dataDir, dataKey, unlockedVia: 'recovery' });
}

let messages: string[];

beforeAll(async () => {
  cli = await buildCli();
  root = tempDir('audit-atna');
  for (const d of ['home', 'tmp', 'msgs']) mkdirSync(path.join(root, d));
  dataDir = path.join(root, 'data');
  rk = path.join(root, 'recovery.key');
  env = isolatedEnv(path.join(root, 'home'), path.join(root, 'tmp'), { ENCLAVE_DATA_DIR: dataDir });
  ok(['init', '--no-keychain', '--recovery-key-out', rk]); // Application Activity (start, stop)
  ok(['import', '--recovery-key-file', rk, '--no-progress', path.join(PHANTOMS, 'ct-axial')]); // Import, from the worker's connection

  const store = await openStore();
  const [study] = await store.listStudies();
  const [series] = await store.listSeries(study!.studyId);
  store.markSeriesAccessed(series!.seriesId); // DICOM Instances Accessed
  const instances = (await store.listInstances(series!.seriesId)).slice(0, 2);
  await exportDeidentifiedFolder(
    instances.map((i) => ({ id: i.instanceId, read: () => store.readInstanceBytes(i.instanceId) })),
    path.join(root, 'export'),
    {},
    { user: 'local', secret: new TextEncoder().encode('test-secret'), checkPermission: () => undefined, audit: (e) => void store.audit.record(e) },
  ); // Export
  // A flipped byte in one image file: the read is refused and a Security Alert recorded.
  const victim = store.database.prepare('SELECT blob_name FROM instances ORDER BY instance_id DESC LIMIT 1').get() as { blob_name: string };
  const blob = path.join(dataDir, 'blobs', victim.blob_name.slice(0, 2), victim.blob_name.slice(2));
  const b = readFileSync(blob);
  b[b.length - 20]! ^= 0x01;
  writeFileSync(blob, b);
  await store.verifyAll(); // Security Alert
  await store.purgeStudy(study!.studyId); // Study Deleted
  await store.close();

  const out = ok(['audit', 'export', '--format', 'atna-xml', '--recovery-key-file', rk]); // Audit Log Used
  messages = out.split('\n').filter((l) => l !== '');
  messages.forEach((m, i) => writeFileSync(path.join(root, 'msgs', `m${String(i).padStart(4, '0')}.xml`), m));
}, 180_000);

afterAll(() => {
  cli?.cleanup();
  if (root) rmSync(root, { recursive: true, force: true });
});

const ev = (m: string) => /<EventID csd-code="(\d+)"/.exec(m)![1];

describe('ATNA export', () => {
  it('every event kind the app produces is there, produced by its action', () => {
    const ids = new Set(messages.map(ev));
    for (const id of ['110100', '110107', '110103', '110106', '110113', '110105', '110101']) expect(ids, id).toContain(id);
    const types = messages.map((m) => /<EventTypeCode csd-code="(\d+)"/.exec(m)?.[1]);
    expect(types).toContain('110120');
    expect(types).toContain('110121');
  });

  it('every message validates against the PS3.15 A.5.1 RELAX NG schema (jing), and the schema check can fail', () => {
    const files = readdirSync(path.join(root, 'msgs')).map((f) => path.join(root, 'msgs', f));
    expect(files.length).toBe(messages.length);
    const r = jing(files);
    expect(r.out).toBe('');
    expect(r.status).toBe(0);
    for (const m of messages) {
      expect(m).not.toMatch(/xsi:/);
      // Every coded value carries all three.
      for (const c of m.match(/<(EventID|EventTypeCode|RoleIDCode|ParticipantObjectIDTypeCode|AuditSourceTypeCode)\b[^>]*>/g) ?? []) {
        expect(c).toMatch(/csd-code="[^"]+" codeSystemName="[^"]+" originalText="[^"]+"/);
      }
    }
    // Control: the same message without originalText is refused by the schema.
    const bad = path.join(root, 'bad.xml');
    writeFileSync(bad, messages[0]!.replace(/ originalText="[^"]*"/, ''));
    expect(jing([bad]).status).not.toBe(0);
  });

  it('a series opened names the user, the Study Instance UID and the patient', () => {
    const m = messages.find((x) => ev(x) === '110103')!;
    expect(m).toMatch(/<ActiveParticipant UserID="[^"]+" UserName="local user" UserIsRequestor="true"/);
    expect(m).toContain('ParticipantObjectID="1.2.826.0.1.3680043.10.1234.1" ParticipantObjectTypeCode="2" ParticipantObjectTypeCodeRole="3"');
    expect(m).toContain('<ParticipantObjectIDTypeCode csd-code="110180" codeSystemName="DCM" originalText="Study Instance UID"/>');
    expect(m).toMatch(/ParticipantObjectID="PH-0001" ParticipantObjectTypeCode="1" ParticipantObjectTypeCodeRole="1"[^>]*><ParticipantObjectIDTypeCode[^>]*\/><ParticipantObjectName>Phantom\^Patricia<\/ParticipantObjectName>/);
    expect(m).toMatch(/<SOPClass UID="1\.2\.840\.10008\.5\.1\.4\.1\.1\.2" NumberOfInstances="80"\/>/);
  });

  it('the purge names the deleted study, the import names the imported one, the alert carries its type and Alert Description', () => {
    expect(messages.find((x) => ev(x) === '110105')).toContain('ParticipantObjectID="1.2.826.0.1.3680043.10.1234.1"');
    expect(messages.find((x) => ev(x) === '110107')).toContain('ParticipantObjectID="1.2.826.0.1.3680043.10.1234.1"');
    const alert = messages.find((x) => ev(x) === '110113')!;
    expect(alert).toContain('<EventTypeCode csd-code="110135" codeSystemName="DCM" originalText="Object Security Attributes Changed"/>');
    const desc = /<ParticipantObjectDetail type="Alert Description" value="([^"]+)"/.exec(alert)![1]!;
    expect(Buffer.from(desc, 'base64').toString('utf8')).toMatch(/^Object Security Attributes Changed: code=INTEGRITY_TAMPERED reason=/);
  });

  it('the trail, written by two connections (the import worker and main), still verifies', () => {
    expect(ok(['audit', 'verify', '--recovery-key-file', rk])).toMatch(/Audit trail intact/);
  });
});
