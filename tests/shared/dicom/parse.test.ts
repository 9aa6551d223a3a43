// Parser features on real files (with DCMTK's dcmconv as the independent reference for deflate and
// big endian) and hostile input built in memory.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DataSet, Element } from 'dicom-parser';
import { deflateSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDicom, TS_EXPLICIT_BE, TS_EXPLICIT_LE, TS_IMPLICIT_LE, type ParseOptions } from '../../../src-shared/dicom/parse';
import { readInstanceMeta } from '../../../src-shared/dicom/instanceMeta';
import { getItems, getNumber, getString } from '../../../src-shared/dicom/elements';
import { AppError } from '../../../src-shared/errors';
import { codeOf } from '../../tools/errorCode';

const CORPUS = path.resolve(__dirname, '../../../../shared/data/corpus');
const read = (rel: string) => new Uint8Array(readFileSync(path.join(CORPUS, rel)));
const tmp = mkdtempSync(path.join(tmpdir(), 'enclave-parse-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function dcmconv(rel: string, flag: string): Uint8Array {
  const out = path.join(tmp, path.basename(rel) + flag + '.dcm');
  const r = spawnSync('dcmconv', [flag, path.join(CORPUS, rel), out], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`dcmconv (dcmtk) is required: ${r.error?.message ?? r.stderr}`);
  return new Uint8Array(readFileSync(out));
}

const WORD_VRS: Record<string, number> = { US: 2, SS: 2, OW: 2, AT: 2, UL: 4, SL: 4, FL: 4, OL: 4, OF: 4, FD: 8, OD: 8 };

/** Same elements, VRs, item structure and values (binary values compared after byte order). */
function sameContent(a: DataSet, b: DataSet, where = ''): string[] {
  const diffs: string[] = [];
  const keys = new Set([...Object.keys(a.elements), ...Object.keys(b.elements)]);
  for (const k of [...keys].sort()) {
    if (k.startsWith('x0002')) continue; // file meta legitimately differs after conversion
    const x = a.elements[k] as Element | undefined;
    const y = b.elements[k] as Element | undefined;
    if (!x || !y) {
      diffs.push(`${where}${k} only in ${x ? 'first' : 'second'}`);
      continue;
    }
    if (x.items || y.items) {
      if ((x.items?.length ?? -1) !== (y.items?.length ?? -1)) diffs.push(`${where}${k} item counts`);
      else x.items?.forEach((it, i) => diffs.push(...sameContent(it.dataSet as DataSet, y.items?.[i]?.dataSet as DataSet, `${where}${k}/${i}/`)));
      continue;
    }
    const size = WORD_VRS[x.vr ?? ''] ?? 1;
    if (x.length !== y.length) {
      diffs.push(`${where}${k} length ${x.length} vs ${y.length}`);
      continue;
    }
    const bx = a.byteArray as Uint8Array;
    const by = b.byteArray as Uint8Array;
    const lx = a.byteArrayParser.readUint16(new Uint8Array([1, 0]), 0) === 1;
    const ly = b.byteArrayParser.readUint16(new Uint8Array([1, 0]), 0) === 1;
    for (let i = 0; i < x.length; i += size) {
      for (let j = 0; j < size; j++) {
        const ix = x.dataOffset + i + (lx || size === 1 ? j : size - 1 - j);
        const iy = y.dataOffset + i + (ly || size === 1 ? j : size - 1 - j);
        if (bx[ix] !== by[iy]) {
          diffs.push(`${where}${k} differs at byte ${i + j}`);
          i = x.length;
          break;
        }
      }
    }
  }
  return diffs;
}

describe('transfer syntaxes and file layouts', () => {
  it('reads deflated explicit LE like dcmconv inflates it', () => {
    for (const rel of ['orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.1.99.dcm', 'cornerstonejs-dicomParser/testImages/deflate/report_dfl', 'fo-dicom/Issue1097_FailToOpenDeflatedFileWithSQ.dcm']) {
      const ours = parseDicom(read(rel));
      expect(ours.transferSyntaxUid).toBe('1.2.840.10008.1.2.1.99');
      expect(ours.dataSet.byteArray.length).toBeGreaterThan(ours.bytes.length);
      const ref = parseDicom(dcmconv(rel, '+te'));
      expect(ref.transferSyntaxUid).toBe(TS_EXPLICIT_LE);
      expect(sameContent(ours.dataSet, ref.dataSet)).toEqual([]);
    }
  });

  it('reads explicit big endian like dcmconv converts it to little endian (meta stays LE)', () => {
    for (const rel of ['cornerstonejs-dicomParser/testImages/CT1_UNC.explicit_big_endian.dcm', 'orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.2.dcm']) {
      const ours = parseDicom(read(rel));
      expect(ours.transferSyntaxUid).toBe(TS_EXPLICIT_BE);
      expect(getString(ours.dataSet, 'x00020010')).toBe(TS_EXPLICIT_BE);
      const ref = parseDicom(dcmconv(rel, '+te'));
      expect(sameContent(ours.dataSet, ref.dataSet)).toEqual([]);
      expect(readInstanceMeta(ours)).toEqual({ ...readInstanceMeta(ref), transferSyntaxUid: TS_EXPLICIT_BE });
    }
    // The comparison itself can fail: two different images differ.
    const a = parseDicom(read('cornerstonejs-dicomParser/testImages/CT1_UNC.explicit_big_endian.dcm')).dataSet;
    const b = parseDicom(read('orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.2.dcm')).dataSet;
    expect(sameContent(a, b).length).toBeGreaterThan(0);
  });

  it('reads implicit VR little endian like dcmconv converts it to explicit', () => {
    const rel = 'cornerstonejs-dicomParser/testImages/CT1_UNC.implicit_little_endian.dcm';
    const ours = parseDicom(read(rel));
    expect(ours.transferSyntaxUid).toBe(TS_IMPLICIT_LE);
    const ref = parseDicom(dcmconv(rel, '+te'));
    expect(sameContent(ours.dataSet, ref.dataSet)).toEqual([]);
    // "US or SS" attributes follow PixelRepresentation, as DCMTK wrote them when making the file explicit.
    expect(ref.dataSet.elements['x00280120']?.vr).toBe('SS');
    expect(ours.dataSet.elements['x00280120']?.vr).toBe('SS');
    expect(getNumber(ours.dataSet, 'x00280120')).toBe(-2000);
  });

  it('reads files without File Meta (raw data sets), and without preamble', () => {
    const noMeta = parseDicom(read('orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.dcm'));
    expect(noMeta.hasFileMeta).toBe(false);
    expect(noMeta.transferSyntaxUid).toBe(TS_IMPLICIT_LE);
    expect(readInstanceMeta(noMeta)).toMatchObject({ rows: 256, columns: 256, bitsAllocated: 16 });
    const chest = parseDicom(read('fo-dicom/CR-MONO1-10-chest'));
    expect(chest.hasFileMeta).toBe(false);
    expect(readInstanceMeta(chest)).toMatchObject({ modality: 'CR', photometricInterpretation: 'MONOCHROME1', hasPixelData: true });
    // File Meta present but neither preamble nor "DICM".
    const bare = parseDicom(read('pydicom-data/JLSL_RGB_ILV0.dcm'));
    expect(bare.hasFileMeta).toBe(true);
    expect(bare.transferSyntaxUid).toBe('1.2.840.10008.1.2.4.80');
    // Explicit VR without meta, both byte orders.
    expect(parseDicom(read('debian-python3-pydicom/test_files/ExplVR_BigEndNoMeta.dcm')).transferSyntaxUid).toBe(TS_EXPLICIT_BE);
    expect(parseDicom(read('debian-python3-pydicom/test_files/ExplVR_LitEndNoMeta.dcm')).transferSyntaxUid).toBe(TS_EXPLICIT_LE);
  });

  it('strips the preamble-less "DICM" case: a Part 10 file with the prefix at offset 0', () => {
    const full = read('orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.1.dcm');
    const shifted = full.subarray(128);
    const a = parseDicom(full);
    const b = parseDicom(shifted);
    expect(b.hasFileMeta).toBe(true);
    expect(readInstanceMeta(b)).toEqual(readInstanceMeta(a));
  });

  it('keeps the File Meta transfer syntax when the data set repeats group 0002', () => {
    const f = parseDicom(read('orthanc-tests/PrivateTags.dcm'));
    expect(getString(f.dataSet, 'x00020010')).toBe(TS_EXPLICIT_LE);
    const body = [...ex(0x0008, 0x0060, 'CS', ascii('OT')), ...ex(0x0002, 0x0010, 'UI', ascii('1.2.840.10008.1.2.2')), ...ex(0x0010, 0x0010, 'PN', ascii('AB'))];
    const g = parseDicom(part10(TS_EXPLICIT_LE, body));
    expect(getString(g.dataSet, 'x00020010')).toBe(TS_EXPLICIT_LE);
    expect(g.warnings).toContain('group 0002 elements inside the data set');
  });

  it('reads elements written as UN by their dictionary VR', () => {
    const f = parseDicom(read('pydicom-data/explicit_VR-UN.dcm'));
    expect(f.dataSet.elements['x00280030']?.vr).toBe('DS');
    expect(f.dataSet.elements['x00100010']?.vr).toBe('PN');
    expect(f.dataSet.elements['x00131010']?.vr).toBe('UN'); // private: no dictionary VR
    expect(readInstanceMeta(f).pixelSpacing).toEqual([0.859375, 0.859375]);
  });

  it('decodes UN-encoded and private sequences into items', () => {
    const un = parseDicom(read('debian-python3-pydicom/test_files/UN_sequence.dcm'));
    const el = un.dataSet.elements['x4453100c'];
    expect(el?.vr).toBe('SQ');
    const inner = getItems(un.dataSet, 'x4453100c')[0] as DataSet;
    expect(getItems(inner, 'x00081115')).toHaveLength(1);
    const priv = parseDicom(read('debian-python3-pydicom/test_files/priv_SQ.dcm'));
    expect(priv.dataSet.elements['x3f031001']?.items).toHaveLength(1);
  });

  it('stops before pixel data on request, keeping the element header', () => {
    const rel = 'orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.70.dcm';
    const fast = parseDicom(read(rel), { untilPixelData: true });
    const full = parseDicom(read(rel));
    expect(fast.complete).toBe(false);
    expect(full.complete).toBe(true);
    const px = fast.dataSet.elements['x7fe00010'];
    expect(px?.encapsulatedPixelData).toBe(true);
    expect(px?.fragments).toBeUndefined();
    expect(full.dataSet.elements['x7fe00010']?.fragments?.length).toBeGreaterThan(0);
    expect(readInstanceMeta(fast)).toEqual(readInstanceMeta(full));
  });

  it('maps encapsulated fragments inside the file, like dicom-parser (offset from the first fragment item)', () => {
    const f = parseDicom(read('cornerstonejs-dicomParser/testImages/encapsulated/multi-frame/CT0012.fragmented_no_bot_jpeg_ls.80.dcm'));
    const px = f.dataSet.elements['x7fe00010'] as Element;
    const frags = px.fragments ?? [];
    expect(frags.length).toBeGreaterThan(1);
    let expectedOffset = 0;
    for (const fr of frags) {
      expect(fr.offset).toBe(expectedOffset);
      expect(fr.position + fr.length).toBeLessThanOrEqual(f.dataSet.byteArray.length);
      // Each fragment of a JPEG-LS stream set starts with a marker or continues one: just check the item tag precedes it.
      expect(f.dataSet.byteArrayParser.readUint16(f.dataSet.byteArray, fr.position - 8)).toBe(0xfffe);
      expectedOffset += 8 + fr.length;
    }
  });
});

// --- hostile input, built in memory ---------------------------------------------------------------

function le16(n: number): number[] {
  return [n & 0xff, (n >> 8) & 0xff];
}
function le32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}
function tag(g: number, e: number): number[] {
  return [...le16(g), ...le16(e)];
}
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
/** Explicit VR LE element. */
function ex(g: number, e: number, vr: string, value: number[], length = value.length): number[] {
  const long = ['OB', 'OW', 'SQ', 'UN', 'UT', 'UC', 'UR', 'OD', 'OF', 'OL', 'OV', 'SV', 'UV'].includes(vr);
  return [...tag(g, e), ...ascii(vr), ...(long ? [0, 0, ...le32(length)] : le16(length)), ...value];
}
const ITEM = (len: number) => [...tag(0xfffe, 0xe000), ...le32(len)];
const ITEM_END = [...tag(0xfffe, 0xe00d), 0, 0, 0, 0];
const SEQ_END = [...tag(0xfffe, 0xe0dd), 0, 0, 0, 0];
const UNDEF = 0xffffffff;

function part10(ts: string, body: number[]): Uint8Array {
  const tsv = ascii(ts.length % 2 ? ts + '\0' : ts);
  const metaBody = [...ex(0x0002, 0x0001, 'OB', [0, 1]), ...ex(0x0002, 0x0010, 'UI', tsv)];
  const meta = [...ex(0x0002, 0x0000, 'UL', le32(metaBody.length)), ...metaBody];
  return new Uint8Array([...new Array(128).fill(0), ...ascii('DICM'), ...meta, ...body]);
}

describe('hostile input', () => {
  it('caps sequence nesting (a nesting bomb is DICOM_LIMIT_EXCEEDED, not a stack overflow)', () => {
    const depth = 5000;
    const open: number[] = [];
    for (let i = 0; i < depth; i++) open.push(...ex(0x0008, 0x1115, 'SQ', [], UNDEF), ...ITEM(UNDEF));
    const close: number[] = [];
    for (let i = 0; i < depth; i++) close.push(...ITEM_END, ...SEQ_END);
    const bytes = part10(TS_EXPLICIT_LE, [...open, ...close]);
    expect(codeOf(() => parseDicom(bytes))).toBe('DICOM_LIMIT_EXCEEDED');
    // A legitimate depth parses.
    const ok = part10(TS_EXPLICIT_LE, [...open.slice(0, 20 * 20), ...close.slice(0, 20 * 16)]);
    expect(codeOf(() => parseDicom(ok))).toBe('no error');
  });

  it('caps the element count', () => {
    const body: number[] = [];
    for (let i = 0; i < 5000; i++) body.push(...ex(0x0009, 0x1000 + i, 'LO', ascii('ab')));
    expect(codeOf(() => parseDicom(part10(TS_EXPLICIT_LE, body), { maxElements: 1000 }))).toBe('DICOM_LIMIT_EXCEEDED');
    expect(codeOf(() => parseDicom(part10(TS_EXPLICIT_LE, body)))).toBe('no error');
  });

  it('caps inflation of deflated data sets (deflate bomb)', () => {
    const body = deflateSync(new Uint8Array(16 * 1024 * 1024));
    const bytes = part10('1.2.840.10008.1.2.1.99', [...body]);
    const opts: ParseOptions = { maxInflatedBytes: 1024 * 1024 };
    expect(codeOf(() => parseDicom(bytes, opts))).toBe('DICOM_LIMIT_EXCEEDED');
    expect(codeOf(() => parseDicom(part10('1.2.840.10008.1.2.1.99', [1, 2, 3, 4, 5])))).toBe('DICOM_PARSE');
  });

  it('rejects lengths that overrun their container inside a sequence', () => {
    // An item claims 100 bytes inside a sequence of 24, followed by more data: structural error.
    const inner = ex(0x0010, 0x0010, 'PN', ascii('AB'), 400);
    const seq = ex(0x0008, 0x1115, 'SQ', [...ITEM(inner.length), ...inner]);
    const bytes = part10(TS_EXPLICIT_LE, [...seq, ...ex(0x0010, 0x0020, 'LO', ascii('12'))]);
    expect(codeOf(() => parseDicom(bytes))).toBe('DICOM_PARSE');
    // Fragment longer than the file.
    const px = [...ex(0x7fe0, 0x0010, 'OB', [], UNDEF), ...ITEM(0), ...ITEM(1_000_000), 1, 2, 3];
    expect(codeOf(() => parseDicom(part10('1.2.840.10008.1.2.4.50', px)))).toBe('DICOM_PARSE');
  });

  it('flags a value cut short by the end of the file instead of reading past it', () => {
    const bytes = part10(TS_EXPLICIT_LE, [...ex(0x0010, 0x0010, 'PN', ascii('AB')), ...ex(0x7fe0, 0x0010, 'OW', [1, 2, 3, 4], 1000)]);
    const f = parseDicom(bytes);
    expect(f.truncated).toBe(true);
    expect(f.dataSet.elements['x7fe00010']?.length).toBe(4);
  });

  it('says DICOM_NOT_DICOM for things that are not DICOM', () => {
    expect(codeOf(() => parseDicom(new Uint8Array(0)))).toBe('DICOM_NOT_DICOM');
    expect(codeOf(() => parseDicom(new Uint8Array(200)))).toBe('DICOM_NOT_DICOM');
    expect(codeOf(() => parseDicom(new Uint8Array(ascii('hello, this is a text file that is long enough'))))).toBe('DICOM_NOT_DICOM');
    expect(codeOf(() => parseDicom(read('orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.50.png')))).toBe('DICOM_NOT_DICOM');
    expect(codeOf(() => parseDicom('nope' as unknown as Uint8Array))).toBe('DICOM_NOT_DICOM');
  });

  it('every prefix of a real file parses or fails with an AppError', () => {
    const full = read('debian-python3-pydicom/test_files/rtplan.dcm');
    const seen = new Set<string>();
    for (let n = 0; n <= full.length; n += 3) seen.add(codeOf(() => readInstanceMeta(parseDicom(full.subarray(0, n)))));
    expect([...seen].every((c) => c === 'no error' || c.startsWith('DICOM_'))).toBe(true);
  });

  it('random corruption yields only AppErrors (seeded)', () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const sources = ['debian-python3-pydicom/test_files/rtplan.dcm', 'debian-python3-pydicom/test_files/UN_sequence.dcm', 'cornerstonejs-dicomParser/testImages/deflate/report_dfl', 'dcm4che/test-data/MR-JPEGLosslessSV1.dcm', 'debian-python3-pydicom/test_files/ExplVR_BigEndNoMeta.dcm'].map(read);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 1500; i++) {
      const src = sources[i % sources.length] as Uint8Array;
      const b = src.slice();
      const flips = 1 + Math.floor(rand() * 8);
      for (let k = 0; k < flips; k++) {
        const at = Math.floor(rand() * b.length);
        // Bias toward length fields and tags: write 0xFF runs or random bytes.
        if (rand() < 0.3) b.fill(0xff, at, at + 4);
        else b[at] = Math.floor(rand() * 256);
      }
      let code: string;
      try {
        const f = parseDicom(b);
        readInstanceMeta(f);
        code = 'ok';
      } catch (e) {
        expect(e).toBeInstanceOf(AppError);
        code = (e as AppError).code;
      }
      counts[code] = (counts[code] ?? 0) + 1;
    }
    console.log('corruption outcomes', counts);
  });
});
