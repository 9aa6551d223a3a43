// Damaged input never escapes as anything but a typed error: seeded byte flips, truncations and length
// overwrites over files with sequences, encapsulated pixels and implicit VR. What parses also de-identifies
// and writes.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../../src-shared/errors';
import { readTree } from '../../../../src-shared/dicom/write/readTree';
import { writeTree } from '../../../../src-shared/dicom/write/writeTree';
import { createDeidContext, deidentifyTree } from '../../../../src-shared/deid/deidentify';
import { Rng } from '../../../fuzz/prng';
import { DATA, PHI_FILE } from '../../deid/deidTestKit';

const SEEDS = [
  PHI_FILE,
  path.join(DATA, 'corpus/debian-python3-pydicom/test_files/rtplan.dcm'),
  path.join(DATA, 'corpus/cornerstonejs-dicomParser/testImages/encapsulated/multi-frame/CT0012.fragmented_no_bot_jpeg_baseline.51.dcm'),
  path.join(DATA, 'corpus/cornerstonejs-dicomParser/testImages/CT1_UNC.implicit_little_endian.dcm'),
];

function mutate(src: Uint8Array, rng: Rng): Uint8Array {
  const b = src.slice(0, Math.min(src.length, 40_000));
  const kind = rng.int(3);
  if (kind === 0) {
    for (let i = 0, n = 1 + rng.int(8); i < n; i++) b[rng.int(b.length)] = rng.int(256);
    return b;
  }
  if (kind === 1) return b.subarray(0, rng.int(b.length));
  const at = 132 + rng.int(Math.max(1, b.length - 140));
  new DataView(b.buffer).setUint32(at, rng.u32(), true);
  return b;
}

describe('reader under damaged input', () => {
  it.each(SEEDS.map((f) => [path.basename(f), f]))('%s: 400 mutations', (_n, file) => {
    const src = new Uint8Array(fs.readFileSync(file));
    const ctx = createDeidContext(new TextEncoder().encode('fuzz'));
    let parsed = 0;
    for (let i = 0; i < 400; i++) {
      const input = mutate(src, new Rng(20261121, i));
      try {
        const tree = readTree(input);
        deidentifyTree(tree, ctx);
        writeTree(tree);
        parsed++;
      } catch (e) {
        if (!isAppError(e)) throw new Error(`iteration ${i}: untyped ${String(e)}`, { cause: e });
      }
    }
    expect(parsed).toBeGreaterThan(0);
  });
});
