// Fuzz finding (seed 31, iterations 116, 152, 1348...): a deflated data set whose stream is corrupt
// (bit flips, truncation, or a transfer syntax switched to Deflated) made readTree, the
// de-identifier's reader, pass zlib's own Error through untyped.
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readTree } from '../../../src-shared/dicom/write/readTree';
import { parseTree } from '../../../src-main/services/export/deidFiles';

/** Preamble, DICM, File Meta with Deflated Explicit VR LE, then `body` as the (supposedly deflated) data set. */
function deflatedFile(body: Uint8Array): Uint8Array {
  const uid = '1.2.840.10008.1.2.1.99\0';
  const el = new Uint8Array(8 + uid.length);
  const dv = new DataView(el.buffer);
  dv.setUint16(0, 0x0002, true);
  dv.setUint16(2, 0x0010, true);
  el[4] = 0x55; // 'U'
  el[5] = 0x49; // 'I'
  dv.setUint16(6, uid.length, true);
  for (let i = 0; i < uid.length; i++) el[8 + i] = uid.charCodeAt(i);
  const out = new Uint8Array(132 + el.length + body.length);
  out.set([0x44, 0x49, 0x43, 0x4d], 128);
  out.set(el, 132);
  out.set(body, 132 + el.length);
  return out;
}

describe('fuzz regression: corrupt deflated data set in the element-tree reader', () => {
  const good = zlib.deflateRawSync(Buffer.from([0x10, 0x00, 0x10, 0x00, 0x50, 0x4e, 0x04, 0x00, 0x41, 0x5e, 0x42, 0x20]));
  const corrupt = [
    ['garbage', new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x00, 0x13, 0x37])],
    ['truncated', new Uint8Array(good.subarray(0, 3))],
  ] as const;

  it('reads an intact deflated file', () => {
    const tree = parseTree(deflatedFile(new Uint8Array(good)));
    expect(tree.dataSet.elements.map((e) => e.tag)).toEqual([0x00100010]);
  });

  for (const [what, body] of corrupt) {
    it(`fails with a typed DICOM_PARSE on a ${what} stream (readTree and the export's parseTree)`, () => {
      const bytes = deflatedFile(body);
      expect(() => readTree(bytes, { inflateRaw: (b) => new Uint8Array(zlib.inflateRawSync(b)) })).toThrow(expect.objectContaining({ name: 'AppError', code: 'DICOM_PARSE' }));
      expect(() => parseTree(bytes)).toThrow(expect.objectContaining({ name: 'AppError', code: 'DICOM_PARSE' }));
    });
  }
});
