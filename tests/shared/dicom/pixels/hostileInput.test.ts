// Hostile lengths and offsets in the pixel path end in typed AppErrors, never an out-of-range read,
// a hang or an untyped throw: offset tables, fragments, RLE headers, codestream headers, sizes.
import type { DataSet, Element } from 'dicom-parser';
import { describe, expect, it } from 'vitest';
import { checkAgainstDicom, readCodestreamHeader } from '../../../../src-shared/dicom/pixels/codestreamHeader';
import { encapsulatedFrame } from '../../../../src-shared/dicom/pixels/encapsulatedFrames';
import { decodeJpegDct } from '../../../../src-shared/dicom/pixels/jpegDct';
import { decodeJpegLossless } from '../../../../src-shared/dicom/pixels/jpegLossless';
import { readPixelDescription } from '../../../../src-shared/dicom/pixels/pixelDescription';
import { decodeRle } from '../../../../src-shared/dicom/pixels/rle';
import { codeOf } from '../../../tools/errorCode';

function us(v: number): Uint8Array {
  return new Uint8Array([v & 255, v >> 8]);
}

/** A data set of US elements laid out in one byte array, shaped like dicom-parser's. */
function dataSetOf(values: Record<string, Uint8Array>, extra: Record<string, Element> = {}, tail = new Uint8Array(0)): DataSet {
  const parts: Uint8Array[] = [];
  const elements: Record<string, Element> = {};
  let at = 0;
  for (const [tag, bytes] of Object.entries(values)) {
    elements[tag] = { tag, vr: 'US', length: bytes.length, dataOffset: at };
    parts.push(bytes);
    at += bytes.length;
  }
  const byteArray = new Uint8Array(at + tail.length);
  let p = 0;
  for (const b of parts) {
    byteArray.set(b, p);
    p += b.length;
  }
  byteArray.set(tail, at);
  for (const [tag, el] of Object.entries(extra)) elements[tag] = { ...el, dataOffset: el.dataOffset + at };
  return { byteArray, elements } as unknown as DataSet;
}

describe('pixel sizes', () => {
  it('refuses sizes that overflow the allocation cap before allocating', () => {
    const ds = dataSetOf(
      { x00280010: us(65535), x00280011: us(65535), x00280002: us(3), x00280100: us(32) },
      { x7fe00010: { tag: 'x7fe00010', vr: 'OW', length: 0, dataOffset: 0 } },
    );
    expect(codeOf(() => readPixelDescription(ds, '1.2.840.10008.1.2.1'))).toBe('DICOM_LIMIT_EXCEEDED');
  });

  it('reads a US element of length 1 as absent rather than past its end', () => {
    const ds = dataSetOf({ x00280010: new Uint8Array([5]), x00280011: us(4) }, { x7fe00010: { tag: 'x7fe00010', vr: 'OW', length: 0, dataOffset: 0 } });
    expect(codeOf(() => readPixelDescription(ds, '1.2.840.10008.1.2.1'))).toBe('DICOM_PARSE');
  });
});

describe('encapsulated frames', () => {
  // Two frames, three fragments: [0..10) [10..20) [20..30) of a 30-byte tail.
  const tail = new Uint8Array(30).map((_, i) => i);
  const fragments = [
    { offset: 0, position: 0, length: 10 },
    { offset: 18, position: 10, length: 10 },
    { offset: 36, position: 20, length: 10 },
  ];
  const make = (bot: number[], frags = fragments): DataSet => {
    const ds = dataSetOf({}, {}, tail);
    ds.elements.x7fe00010 = { tag: 'x7fe00010', vr: 'OB', length: 0xffffffff, dataOffset: 0, encapsulatedPixelData: true, basicOffsetTable: bot, fragments: frags };
    return ds;
  };
  const el = (ds: DataSet): Element => ds.elements.x7fe00010!;

  it('maps frames through a valid basic offset table', () => {
    const ds = make([0, 18]);
    expect([...encapsulatedFrame(ds, el(ds), 0, 2, false)]).toEqual([...tail.subarray(0, 10)]);
    expect([...encapsulatedFrame(ds, el(ds), 1, 2, false)]).toEqual([...tail.subarray(10, 30)]);
  });

  it('refuses offsets between fragments, unordered tables, wrong counts and missing frames', () => {
    let ds = make([0, 17]);
    expect(codeOf(() => encapsulatedFrame(ds, el(ds), 1, 2, false))).toBe('DICOM_PARSE');
    ds = make([18, 0]);
    expect(codeOf(() => encapsulatedFrame(ds, el(ds), 0, 2, false))).toBe('DICOM_PARSE');
    ds = make([0, 18, 36]);
    expect(codeOf(() => encapsulatedFrame(ds, el(ds), 0, 2, false))).toBe('DICOM_PARSE');
    ds = make([0, 18]);
    expect(codeOf(() => encapsulatedFrame(ds, el(ds), 2, 2, false))).toBe('DICOM_PARSE');
    expect(codeOf(() => encapsulatedFrame(ds, el(ds), -1, 2, false))).toBe('DICOM_PARSE');
  });

  it('refuses a fragment that lies outside the file', () => {
    const ds = make([], [{ offset: 0, position: 25, length: 10 }]);
    expect(codeOf(() => encapsulatedFrame(ds, el(ds), 0, 1, false))).toBe('DICOM_PARSE');
  });

  it('refuses ambiguous fragment-to-frame mapping without an offset table', () => {
    const ds = make([]);
    expect(codeOf(() => encapsulatedFrame(ds, el(ds), 0, 2, false))).toBe('DICOM_PARSE');
  });
});

describe('RLE', () => {
  const layout = { rows: 2, columns: 2, samplesPerPixel: 1, bitsAllocated: 8 };
  const header = (segments: number, offsets: number[]): Uint8Array => {
    const h = new Uint8Array(64);
    const dv = new DataView(h.buffer);
    dv.setUint32(0, segments, true);
    offsets.forEach((o, i) => dv.setUint32(4 + 4 * i, o, true));
    return h;
  };
  const join = (...parts: Uint8Array[]): Uint8Array => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };

  it('decodes literal and replicate runs', () => {
    const seg = new Uint8Array([0x00, 7, 0xff, 9]); // literal [7], then replicate 9 twice... and one more below
    const enc = join(header(1, [64]), seg, new Uint8Array([0x00, 5]));
    expect([...decodeRle(enc, layout)]).toEqual([7, 9, 9, 5]);
  });

  it('refuses a segment count that disagrees with the header, offsets out of range, overruns and short segments', () => {
    expect(codeOf(() => decodeRle(join(header(2, [64, 66]), new Uint8Array(4)), layout))).toBe('DICOM_PIXEL_MISMATCH');
    expect(codeOf(() => decodeRle(join(header(1, [6400]), new Uint8Array(4)), layout))).toBe('DICOM_DECODE');
    expect(codeOf(() => decodeRle(join(header(1, [10]), new Uint8Array(4)), layout))).toBe('DICOM_DECODE');
    expect(codeOf(() => decodeRle(join(header(1, [64]), new Uint8Array([0x7f, 1])), layout))).toBe('DICOM_DECODE');
    expect(codeOf(() => decodeRle(join(header(1, [64]), new Uint8Array([0x00, 1])), layout))).toBe('DICOM_DECODE');
    expect(codeOf(() => decodeRle(new Uint8Array(10), layout))).toBe('DICOM_DECODE');
  });
});

describe('codestream headers', () => {
  const expected = { rows: 4, columns: 8, samplesPerPixel: 1, bitsStored: 12, bitsAllocated: 16, signed: false };
  const sof = (marker: number, precision: number, h: number, w: number, nc: number): Uint8Array =>
    new Uint8Array([0xff, 0xd8, 0xff, marker, 0, 8 + 3 * nc, precision, h >> 8, h & 255, w >> 8, w & 255, nc, ...Array.from({ length: nc }, (_, i) => [i + 1, 0x11, 0]).flat()]);

  it('reads JPEG SOF and refuses a mismatch with the DICOM header', () => {
    const h = readCodestreamHeader(sof(0xc1, 12, 4, 8, 1));
    expect(h).toMatchObject({ width: 8, height: 4, componentCount: 1, bitsPerSample: 12 });
    expect(codeOf(() => checkAgainstDicom(h, expected))).toBe('no error');
    expect(codeOf(() => checkAgainstDicom(readCodestreamHeader(sof(0xc1, 12, 4, 9, 1)), expected))).toBe('DICOM_PIXEL_MISMATCH');
    expect(codeOf(() => checkAgainstDicom(readCodestreamHeader(sof(0xc1, 12, 4, 8, 3)), expected))).toBe('DICOM_PIXEL_MISMATCH');
    expect(codeOf(() => checkAgainstDicom(readCodestreamHeader(sof(0xc1, 12, 4, 8, 1)), { ...expected, bitsAllocated: 8 }))).toBe('DICOM_PIXEL_MISMATCH');
  });

  it('refuses a frame whose SOF disagrees before the decoder allocates from it', () => {
    expect(codeOf(() => decodeJpegDct(sof(0xc1, 12, 60000, 60000, 1), expected))).toBe('DICOM_PIXEL_MISMATCH');
    expect(codeOf(() => decodeJpegLossless(sof(0xc3, 16, 60000, 60000, 1), expected))).toBe('DICOM_PIXEL_MISMATCH');
  });

  it('reads J2K SIZ (signed, precision) and refuses truncated ones', () => {
    const siz = new Uint8Array(4 + 41);
    const dv = new DataView(siz.buffer);
    dv.setUint16(0, 0xff4f);
    dv.setUint16(2, 0xff51);
    dv.setUint16(4, 41);
    dv.setUint32(8, 8); // Xsiz
    dv.setUint32(12, 4); // Ysiz
    dv.setUint16(40, 1); // Csiz
    siz[42] = 0x80 | 11; // signed, 12 bits
    expect(readCodestreamHeader(siz)).toMatchObject({ width: 8, height: 4, componentCount: 1, bitsPerSample: 12, signed: true });
    expect(codeOf(() => readCodestreamHeader(siz.subarray(0, 20)))).toBe('DICOM_DECODE');
    expect(codeOf(() => readCodestreamHeader(new Uint8Array([1, 2, 3])))).toBe('DICOM_DECODE');
  });

  it('truncated or empty JPEG streams are typed errors', () => {
    for (const bytes of [new Uint8Array(0), new Uint8Array([0xff, 0xd8]), sof(0xc1, 12, 4, 8, 1).subarray(0, 9)]) {
      expect(codeOf(() => decodeJpegDct(bytes, expected))).toMatch(/^DICOM_/);
      expect(codeOf(() => decodeJpegLossless(bytes, expected))).toMatch(/^DICOM_/);
    }
  });
});
