// Private tags are named as dcmdump names them: the committed table is DCMTK's private.dic, and a
// private data element is looked up by the creator that reserves its block (implicit VR gets its VR too).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dumpDataset, type DumpNode } from '../../../src-shared/dicom/dump';
import { parseDicom } from '../../../src-shared/dicom/parse';
import { lookupPrivateTag, privateCreatorTag } from '../../../src-shared/dicom/privateDictionary';
import { dcmdumpLines } from '../../tools/dcmdump';

const ROOT = path.resolve(__dirname, '../../..');
const CORPUS = path.resolve(ROOT, '../shared/data/corpus');
const DIC = '/usr/share/libdcmtk17/private.dic';

/** dcmdump's private elements (odd groups above 0008), in order, with depth, VR and DCMTK's name. */
function dcmdumpPrivate(file: string): string[] {
  return dcmdumpLines(file)
    .filter((l) => parseInt(l.tag.slice(1, 5), 16) % 2 === 1 && parseInt(l.tag.slice(1, 5), 16) > 8)
    // Not in the dictionary, or in it as "Unknown" (VR only): no keyword, shown as 'Private tag'.
    .map((l) => `${l.depth} ${l.tag} ${l.vr === '??' ? '' : l.vr} ${l.name === 'Unknown Tag & Data' || l.name === 'Unknown' ? '' : l.name}`);
}

function ourPrivate(nodes: DumpNode[], depth = 0, out: string[] = []): string[] {
  for (const n of nodes) {
    if (n.private) out.push(`${depth} ${n.tag} ${n.vr} ${n.keyword}`);
    n.items?.forEach((item) => ourPrivate(item, depth + 1, out));
  }
  return out;
}

describe('private dictionary', () => {
  it('is generated from DCMTK private.dic (regenerate and compare)', async () => {
    if (!existsSync(DIC)) throw new Error(`${DIC} (Debian package libdcmtk17) is required`);
    const gen = (await import(path.join(ROOT, 'tests/tools/generatePrivateDictionary.mjs'))) as { generate(dic: string): string };
    const committed = readFileSync(path.join(ROOT, 'src-shared/dicom/privateDictionaryData.ts'), 'utf8');
    expect(gen.generate(readFileSync(DIC, 'latin1')) === committed).toBe(true);
  });

  it('looks up by creator and the element low byte, in any block', () => {
    expect(lookupPrivateTag(0x0029, 0x1010, 'SIEMENS CSA HEADER')).toMatchObject({ vr: 'OB', keyword: 'CSAImageHeaderInfo', name: 'CSA Image Header Info' });
    // The same vendor block reserved at 0x11 instead of 0x10: same entry.
    expect(lookupPrivateTag(0x0029, 0x1110, 'SIEMENS CSA HEADER ')).toMatchObject({ keyword: 'CSAImageHeaderInfo' });
    expect(lookupPrivateTag(0x0029, 0x1010, 'SIEMENS CSA HEADERX')).toBeUndefined();
    // Odd groups of a range: (7001-o-70ff,"DLX_ANNOT_01",04).
    expect(lookupPrivateTag(0x7003, 0x1004, 'DLX_ANNOT_01')).toMatchObject({ keyword: 'TextAnnotation', vr: 'ST' });
    expect(privateCreatorTag(0x0029, 0x1010)).toBe(0x00290010);
    expect(privateCreatorTag(0x0029, 0x0010)).toBeUndefined(); // a creator, not a data element
    expect(privateCreatorTag(0x0028, 0x1010)).toBeUndefined();
  });

  for (const rel of ['debian-python3-pydicom/test_files/CT_small.dcm', 'debian-python3-nibabel/0.dcm']) {
    it(`names every private element as dcmdump does: ${path.basename(rel)}`, () => {
      const file = path.join(CORPUS, rel);
      const ours = ourPrivate(dumpDataset(parseDicom(new Uint8Array(readFileSync(file)))));
      const theirs = dcmdumpPrivate(file);
      expect(theirs.length).toBeGreaterThan(5);
      expect(theirs.filter((l) => !l.endsWith(' ') && !l.endsWith('PrivateCreator')).length).toBeGreaterThan(3);
      expect(ours).toEqual(theirs);
    });
  }
});
