// The tag browser's channel against real stores and real files: names decoded as pydicom decodes them,
// sequences nested as dcmdump nests them, the frame's functional groups item, bounded responses,
// and requests refused at the boundary.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAppServices } from '../../../src-main/services/app/appServices';
import { openCache } from '../../../src-main/services/app/storeSession';
import { createNodeCodecs } from '../../../src-main/services/codecs/nodeCodecs';
import { MemoryStudyStore } from '../../../src-main/services/store/memoryStudyStore';
import type { StudyStore } from '../../../src-main/services/store/studyStore';
import type { EncryptedStudyStore } from '../../../src-main/services/store/encryptedStudyStore';
import { instanceTagsOf, TAG_LIMITS } from '../../../src-main/services/tags/instanceTags';
import type { InstanceTags, TagNode } from '../../../src-shared/ipc/contract';
import { TS, type DicomElement, type DicomItem } from '../../../src-shared/dicom/write/elementTree';
import { writeTree } from '../../../src-shared/dicom/write/writeTree';
import { dcmdumpLines } from '../../tools/dcmdump';
import { makeTempStore, type TempStore } from '../store/fixtures/tempStore';

const CORPUS = path.resolve(__dirname, '../../../../shared/data/corpus');
const CHARSETS = path.join(CORPUS, 'debian-python3-pydicom/charset_files');
const sender = { url: 'app://enclave/index.html', isTopFrame: true };

async function appWith(store: StudyStore, quickViewFolder: string | null = null) {
  return createAppServices({
    cache: openCache(store), storeKind: 'memory', codecs: await createNodeCodecs(),
    dialogs: { chooseFolder: async () => quickViewFolder }, events: { emit: () => {} },
    rendererDir: '/nonexistent', version: 't',
  });
}

/** Instance ids of everything in `store`, by SOP Instance UID. */
async function instanceIds(store: StudyStore): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const study of await store.listStudies()) {
    for (const series of await store.listSeries(study.studyId)) {
      for (const inst of await store.listInstances(series.seriesId)) out.set(inst.meta.sopInstanceUid, inst.instanceId);
    }
  }
  return out;
}

function uidOf(file: string): string {
  return instanceTagsOf(new Uint8Array(readFileSync(file))).sopInstanceUid;
}

function flatten(nodes: TagNode[], depth = 0, out: { depth: number; node: TagNode; path: string }[] = [], prefix = ''): typeof out {
  for (const n of nodes) {
    out.push({ depth, node: n, path: prefix + n.tag });
    n.items?.forEach((item, i) => flatten(item, depth + 1, out, `${prefix}${n.tag}/${i}/`));
  }
  return out;
}

/** pydicom's text values at every depth: path ("0032,1064/0/0010,0010") -> value (components trimmed, joined by "\"). */
function pydicomText(file: string): Record<string, string> {
  const py = String.raw`
import json, sys, warnings
warnings.simplefilter('ignore')
import pydicom
from pydicom.multival import MultiValue
out = {}
def walk(ds, prefix):
    for el in ds:
        tag = '%04X,%04X' % (el.tag.group, el.tag.element)
        if el.VR == 'SQ':
            for i, item in enumerate(el.value):
                walk(item, prefix + tag + '/' + str(i) + '/')
        elif el.VR in ('PN', 'SH', 'LO', 'ST', 'LT', 'UT', 'UC') and not el.tag.is_private and el.value not in (None, ''):
            items = list(el.value) if isinstance(el.value, MultiValue) else [el.value]
            out[prefix + tag] = '\\'.join(str(x).strip(' \0') for x in items)
ds = pydicom.dcmread(sys.argv[1], force=True)
walk(ds.file_meta, '')
walk(ds, '')
json.dump(out, sys.stdout)
`;
  const r = spawnSync('/usr/bin/python3', ['-c', py, file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error('python3-pydicom is required: ' + r.stderr);
  return JSON.parse(r.stdout) as Record<string, string>;
}

const TEXT_VRS = new Set(['PN', 'SH', 'LO', 'ST', 'LT', 'UT', 'UC']);
function ourText(tags: InstanceTags): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { node, path: p } of flatten(tags.elements)) {
    if (!TEXT_VRS.has(node.vr) || parseInt(node.tag, 16) % 2 === 1 || node.value === '') continue;
    out[p] = node.value.split('\\').map((v) => v.replace(/^[ \0]+|[ \0]+$/g, '')).join('\\');
  }
  return out;
}

let temp: TempStore | undefined;
afterEach(() => {
  temp?.cleanup();
  temp = undefined;
});

describe('instance:tags', () => {
  it('decodes a Japanese (ISO 2022 IR 87) name from the encrypted cache exactly as pydicom does, and audits nothing more', async () => {
    temp = await makeTempStore();
    const store = (await temp.open()) as EncryptedStudyStore;
    const services = await appWith(store);
    const file = path.join(CHARSETS, 'chrH31.dcm');
    expect(await services.dispatch('import:paths', { paths: [file] }, sender)).toMatchObject({ ok: true, value: { added: 1 } });
    const instanceId = (await instanceIds(store)).get(uidOf(file))!;
    const auditBefore = store.audit.list().length;
    const r = await services.dispatch('instance:tags', { instanceId, frameIndex: 0 }, sender);
    if (!r.ok) throw new Error(r.error.message);
    const tags = r.value as InstanceTags;
    expect(store.audit.list().length).toBe(auditBefore);
    const name = tags.elements.find((n) => n.tag === '0010,0010')!;
    expect(name).toMatchObject({ name: 'Patient Name', vr: 'PN', value: 'Yamada^Tarou=山田^太郎=やまだ^たろう' });
    expect(name.value).toBe(pydicomText(file)['0010,0010']);
    expect(tags.specificCharacterSet).toBe('\\ISO 2022 IR 87');
    // File meta is part of the tree.
    expect(tags.elements.find((n) => n.tag === '0002,0010')).toMatchObject({ name: 'Transfer Syntax UID', value: expect.stringMatching(/^1\.2\.840\.10008\.1\.2/) });
    await store.close();
  });

  for (const f of ['chrH31.dcm', 'chrH32.dcm', 'chrJapMulti.dcm', 'chrSQEncoding.dcm', 'chrI2.dcm', 'chrX2.dcm', 'chrRuss.dcm']) {
    it(`decodes every text value at every depth as pydicom does: ${f}`, () => {
      const file = path.join(CHARSETS, f);
      const ours = ourText(instanceTagsOf(new Uint8Array(readFileSync(file))));
      const theirs = pydicomText(file);
      expect(Object.keys(theirs).length).toBeGreaterThan(0);
      expect(ours).toEqual(theirs);
    });
  }

  it('nests sequences as dcmdump does and points at the requested frame of an enhanced multi-frame image (quick view)', async () => {
    const folder = path.join(CORPUS, 'dcm_qa_enh/In/Siemens/XA10');
    const file = path.join(folder, '6_1.dcm');
    const services = await appWith(new MemoryStudyStore(), folder);
    expect(await services.dispatch('quickview:chooseFolder', {}, sender)).toMatchObject({ ok: true, value: { added: 4 } });
    const instanceId = (await instanceIds(services.quickView()!)).get(uidOf(file))!;
    expect(instanceId.startsWith('qv-')).toBe(true);
    const r = await services.dispatch('instance:tags', { instanceId, frameIndex: 3 }, sender);
    if (!r.ok) throw new Error(r.error.message);
    const tags = r.value as InstanceTags;
    expect(tags.truncated).toBe(false);
    expect(tags.frameCount).toBe(6);

    const ours = flatten(tags.elements).map((o) => `${o.depth} (${o.node.tag})`);
    const theirs = dcmdumpLines(file).map((t) => `${t.depth} ${t.tag}`);
    expect(theirs.length).toBeGreaterThan(500);
    expect(ours).toEqual(theirs);

    // Frame 3's item: its Plane Position is pydicom's PerFrameFunctionalGroupsSequence[3] (z = 1.79644).
    expect(tags.frameGroups).toEqual({ tag: '5200,9230', itemIndex: 3 });
    const perFrame = tags.elements.find((n) => n.tag === '5200,9230')!;
    expect(perFrame.items).toHaveLength(6);
    const item = perFrame.items![3]!;
    const position = item.find((n) => n.tag === '0020,9113')!.items![0]!.find((n) => n.tag === '0020,0032')!;
    expect(position.value.split('\\').map(Number)).toEqual([-109.79, -58.4774, 1.79644]);
    const inStack = item.find((n) => n.tag === '0020,9111')!.items![0]!.find((n) => n.tag === '0020,9057')!;
    expect(inStack).toMatchObject({ name: 'In Stack Position Number', vr: 'UL', value: '4' });

    // Pixel Data: its size, never its bytes.
    expect(tags.elements.find((n) => n.tag === '7FE0,0010')!.value).toBe(`${64 * 64 * 6 * 2} bytes`);
    expect(await services.dispatch('instance:tags', { instanceId, frameIndex: 6 }, sender)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    // Quick view closed: its ids name nothing any more.
    await services.dispatch('quickview:close', {}, sender);
    expect(await services.dispatch('instance:tags', { instanceId }, sender)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('names private tags from their creator and the private dictionary (implicit VR Siemens CSA)', () => {
    const tags = instanceTagsOf(new Uint8Array(readFileSync(path.join(CORPUS, 'debian-python3-nibabel/0.dcm'))));
    const byTag = new Map(tags.elements.map((n) => [n.tag, n]));
    expect(byTag.get('0029,0010')).toMatchObject({ name: 'Private Creator', value: 'SIEMENS CSA HEADER' });
    expect(byTag.get('0029,1010')).toMatchObject({ name: 'CSA Image Header Info', vr: 'OB', length: 11560, creator: 'SIEMENS CSA HEADER' });
    expect(byTag.get('0029,1010')!.value).toMatch(/^11560 bytes: 53 56 31 30 /);
    expect(byTag.get('0019,1008')).toMatchObject({ name: 'Private tag', creator: 'SIEMENS MR HEADER' });
  });

  it('bounds the response for a hostile file: long values cut, elements and items capped, truncation said', () => {
    const enc = new TextEncoder();
    const str = (tag: number, vr: string, s: string): DicomElement => {
      const b = enc.encode(s.length % 2 ? s + ' ' : s);
      return { tag, vr, value: b };
    };
    const items: DicomItem[] = [];
    for (let i = 0; i < 60_000; i++) items.push({ elements: [str(0x00080100, 'SH', `C${i}`), str(0x00080104, 'LO', 'x'.repeat(64))] });
    const privates: DicomElement[] = [str(0x00090010, 'LO', 'HOSTILE')];
    for (let e = 0x1000; e < 0x10ff; e++) privates.push(str(0x00090000 + e, 'LO', 'y'.repeat(60)));
    const dataSet: DicomItem = {
      elements: [
        str(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.7'),
        str(0x00080018, 'UI', '1.2.3.4.5'),
        ...privates,
        str(0x00100010, 'PN', 'Huge^Value'),
        str(0x00204000, 'LT', 'z'.repeat(4 << 20)),
        { tag: 0x00400275, vr: 'SQ', items },
        { tag: 0x7fe00010, vr: 'OB', value: new Uint8Array(1 << 20).fill(0x41) },
      ],
    };
    const bytes = writeTree({ meta: [], dataSet, transferSyntaxUid: TS.explicitLE, hadFileMeta: false });
    const tags = instanceTagsOf(bytes);
    expect(tags.truncated).toBe(true);
    const all = flatten(tags.elements);
    expect(all.length + all.reduce((s, o) => s + (o.node.items?.length ?? 0), 0)).toBeLessThanOrEqual(TAG_LIMITS.maxNodes);
    const comments = all.find((o) => o.node.tag === '0020,4000')!.node;
    expect(comments).toMatchObject({ length: 4 << 20, valueTruncated: true });
    expect(comments.value.length).toBeLessThanOrEqual(TAG_LIMITS.maxValueChars + 1);
    expect(comments.value.endsWith('…')).toBe(true);
    const seq = all.find((o) => o.node.tag === '0040,0275')!.node;
    expect(seq.value).toBe('60000 item(s)');
    expect(seq.items!.length).toBeLessThan(60_000);
    expect(all.find((o) => o.node.tag === '7FE0,0010')?.node.value ?? '').not.toContain('41');
    // The whole response stays a few megabytes.
    expect(JSON.stringify(tags).length).toBeLessThan(3 << 20);
    // A smaller value budget empties later values rather than growing the response.
    const small = instanceTagsOf(bytes, undefined, { maxValueChars: 1024, maxNodes: 1000, maxTotalValueChars: 5000 });
    expect(JSON.stringify(small).length).toBeLessThan(200_000);
  });

  it('refuses malformed requests at the boundary and unknown instances', async () => {
    const services = await appWith(new MemoryStudyStore());
    const bad = [{}, { instanceId: '../etc/passwd' }, { instanceId: 'a'.repeat(65) }, { instanceId: 'abc', frameIndex: -1 }, { instanceId: 'abc', frameIndex: 1.5 },
      { instanceId: 'abc', frameIndex: '0' }, { instanceId: 'abc', extra: 1 }, { instanceId: 'abc', frameIndex: 2_000_000 }];
    for (const request of bad) {
      expect(await services.dispatch('instance:tags', request, sender), JSON.stringify(request)).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    }
    expect(await services.dispatch('instance:tags', { instanceId: 'in-0000' }, sender)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await services.dispatch('instance:tags', { instanceId: 'qv-0000' }, sender)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});
