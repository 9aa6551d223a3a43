// Found while building the structure check (issue 13): frames on which a WebAssembly codec spins
// instead of failing. OpenJPH never returned (> 300 s) on an HTJ2K frame whose first tile-part length
// (Psot) claims 4 GB; CharLS took 49 s on a JPEG-LS frame cut to a tenth (orthanc's 4.80 file; the test
// cuts a single-fragment JPEG-LS CT the same way). Both must be refused by the
// structure check, before any codec is called, in milliseconds.
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createNodeCodecs } from '../../../src-main/services/codecs/nodeCodecs';
import type { CodecRegistry } from '../../../src-shared/dicom/codecs/codecTypes';
import { parseDicom } from '../../../src-shared/dicom/parse';
import { CodestreamRefused } from '../../../src-shared/dicom/pixels/codestreamRefused';
import { decodeFrame } from '../../../src-shared/dicom/pixels/decodeFrame';

const CORPUS = path.resolve(__dirname, '../../../../shared/data/corpus');

/** The file with its single fragment's codestream rewritten (the item length kept true). */
function withCodestream(rel: string, change: (codestream: Uint8Array) => Uint8Array): Uint8Array {
  const bytes = new Uint8Array(readFileSync(path.join(CORPUS, rel)));
  const frag = parseDicom(bytes).dataSet.elements['x7fe00010']!.fragments!;
  expect(frag).toHaveLength(1);
  const { position, length } = frag[0]!;
  const changed = change(bytes.slice(position, position + length));
  const padded = changed.length % 2 ? new Uint8Array([...changed, 0]) : changed;
  const out = new Uint8Array(position + padded.length + (bytes.length - position - length));
  out.set(bytes.subarray(0, position));
  out.set(padded, position);
  out.set(bytes.subarray(position + length), position + padded.length);
  new DataView(out.buffer).setUint32(position - 4, padded.length, true);
  return out;
}

async function refusedWithoutCodec(bytes: Uint8Array): Promise<{ error: unknown; ms: number; calls: number }> {
  const real = await createNodeCodecs();
  let calls = 0;
  const codecs: CodecRegistry = Object.fromEntries(Object.entries(real).map(([k, c]) => [k, { decode: (e: Uint8Array, x: Parameters<typeof c.decode>[1]) => (calls++, c.decode(e, x)) }]));
  const file = parseDicom(bytes);
  const t0 = performance.now();
  const error = await decodeFrame(file, 0, codecs).then(() => null, (e: unknown) => e);
  return { error, ms: performance.now() - t0, calls };
}

describe('fuzz regression: frames a codec spins on', () => {
  it('HTJ2K whose tile-part length claims 4 GB (OpenJPH never returned)', async () => {
    const bytes = withCodestream('pydicom-data/HTJ2KLossless_08_RGB.dcm', (cs) => {
      for (let i = 0; i + 1 < cs.length; i++) {
        if (cs[i] === 0xff && cs[i + 1] === 0x90) {
          new DataView(cs.buffer).setUint32(i + 6, 0xfffffff0);
          return cs;
        }
      }
      throw new Error('no SOT');
    });
    const r = await refusedWithoutCodec(bytes);
    console.log(`HTJ2K with a lying Psot refused in ${r.ms.toFixed(2)} ms: ${(r.error as Error).message}`);
    expect(r.error).toBeInstanceOf(CodestreamRefused);
    expect(r.calls).toBe(0);
    expect(r.ms).toBeLessThan(100);
  });

  it('JPEG-LS cut to a tenth of its length (CharLS took 49 s)', async () => {
    const bytes = withCodestream('icometrix-dicom2nifti/generic/compressed_jpegls/001/IM-0001-0002-0001.dcm', (cs) => cs.slice(0, Math.floor(cs.length * 0.1)));
    const r = await refusedWithoutCodec(bytes);
    console.log(`JPEG-LS cut to 10% refused in ${r.ms.toFixed(2)} ms: ${(r.error as Error).message}`);
    expect(r.error).toBeInstanceOf(CodestreamRefused);
    expect(r.calls).toBe(0);
    expect(r.ms).toBeLessThan(100);
  });
});
