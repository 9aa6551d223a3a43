// dumpDataset against dcmdump: the same elements (with nesting), VRs and lengths, and readable values.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dumpDataset, type DumpNode } from '../../../src-shared/dicom/dump';
import { parseDicom } from '../../../src-shared/dicom/parse';
import { dcmdumpLines } from '../../tools/dcmdump';

const CORPUS = path.resolve(__dirname, '../../../../shared/data/corpus');

function flatten(nodes: DumpNode[], depth: number, out: { depth: number; node: DumpNode }[]): void {
  for (const n of nodes) {
    out.push({ depth, node: n });
    n.items?.forEach((item) => flatten(item, depth + 1, out));
  }
}

describe('dumpDataset', () => {
  for (const rel of ['debian-python3-pydicom/test_files/rtplan.dcm', 'debian-python3-pydicom/test_files/CT_small.dcm', 'cornerstonejs-dicomParser/testImages/CT1_UNC.explicit_big_endian.dcm']) {
    it(`lists the elements dcmdump lists: ${path.basename(rel)}`, () => {
      const file = path.join(CORPUS, rel);
      const ours: { depth: number; node: DumpNode }[] = [];
      flatten(dumpDataset(parseDicom(new Uint8Array(readFileSync(file)))), 0, ours);
      const theirs = dcmdumpLines(file);
      expect(ours.map((o) => `${o.depth} ${o.node.tag}`)).toEqual(theirs.map((t) => `${t.depth} ${t.tag}`));
      ours.forEach((o, i) => {
        const t = theirs[i] as { vr: string; length: number };
        if (t.vr !== 'na' && t.vr !== '??' && o.node.vr !== 'SQ') expect(o.node.vr, o.node.tag).toBe(t.vr === 'up' ? 'UL' : t.vr);
        if (t.length >= 0 && !o.node.items) expect(o.node.length, o.node.tag).toBe(t.length);
      });
    });
  }

  it('shows names, decoded text and numbers', () => {
    const f = parseDicom(new Uint8Array(readFileSync(path.join(CORPUS, 'debian-python3-pydicom/test_files/CT_small.dcm'))));
    const nodes = dumpDataset(f, { maxValueChars: 40 });
    const byTag = new Map(nodes.map((n) => [n.tag, n]));
    expect(byTag.get('(0028,0010)')).toMatchObject({ keyword: 'Rows', name: 'Rows', vr: 'US', value: '128' });
    expect(byTag.get('(0020,0032)')?.value.split('\\')).toHaveLength(3);
    // Pixel Data: its size, never its bytes.
    expect(byTag.get('(7FE0,0010)')?.value).toBe('32768 bytes');
    // GE's private blocks: named from DCMTK's private dictionary via the block's creator.
    expect(byTag.get('(0009,0010)')).toMatchObject({ name: 'Private Creator', value: 'GEMS_IDEN_01', private: true });
    expect(byTag.get('(0009,1004)')).toMatchObject({ keyword: 'ProductId', name: 'Product Id', creator: 'GEMS_IDEN_01', value: 'HiSpeed CT/i' });
    expect(nodes.every((n) => n.value.length <= 40 + 41)).toBe(true);
    expect(dumpDataset(f, { maxNodes: 5 }).at(-1)?.name).toBe('output truncated');
  });
});
