// The structure check every compressed frame passes before a codec sees it: real frames of every
// codec pass untouched; truncated scans, broken tables, lying segment lengths and hostile tile
// grids are refused (CodestreamRefused, code DICOM_DECODE) without decoding anything.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExpectedFrame } from '../../../../src-shared/dicom/codecs/codecTypes';
import { parseDicom } from '../../../../src-shared/dicom/parse';
import { CodestreamRefused } from '../../../../src-shared/dicom/pixels/codestreamRefused';
import { checkCodestream } from '../../../../src-shared/dicom/pixels/codestreamStructure';
import { encapsulatedFrame } from '../../../../src-shared/dicom/pixels/encapsulatedFrames';
import { readPixelDescription } from '../../../../src-shared/dicom/pixels/pixelDescription';

const CORPUS = path.resolve(__dirname, '../../../../../shared/data/corpus');
const FILES = {
  baseline: 'orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.50.dcm',
  extended12: 'orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.51.dcm',
  lossless: 'orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.70.dcm',
  jpegLs: 'orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.80.dcm',
  jpegLsNear: 'orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.81.dcm',
  j2k: 'orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.90.dcm',
  htj2k: 'pydicom-data/HTJ2KLossless_08_RGB.dcm',
  htj2kLossy: 'pydicom-data/HTJ2K_08_RGB.dcm',
};

function frameOf(rel: string): { encoded: Uint8Array; expected: ExpectedFrame } {
  const file = parseDicom(new Uint8Array(readFileSync(path.join(CORPUS, rel))));
  const d = readPixelDescription(file.dataSet, file.transferSyntaxUid);
  const encoded = encapsulatedFrame(file.dataSet, file.dataSet.elements[d.pixelTag]!, 0, d.numberOfFrames, true).slice();
  return {
    encoded,
    expected: { rows: d.rows, columns: d.columns, samplesPerPixel: d.samplesPerPixel, bitsStored: d.bitsStored, bitsAllocated: d.bitsAllocated, signed: d.pixelRepresentation === 1 },
  };
}

/** Offset of the first JPEG marker `m` (its FF byte) in the header part of a codestream. */
function marker(b: Uint8Array, m: number): number {
  for (let i = 0; i + 1 < b.length; i++) if (b[i] === 0xff && b[i + 1] === m) return i;
  throw new Error(`no marker ${m.toString(16)}`);
}

/** The refusal's message, or 'passed' / the other error. */
function verdict(encoded: Uint8Array, expected: ExpectedFrame): string {
  try {
    checkCodestream(encoded, expected);
    return 'passed';
  } catch (e) {
    if (e instanceof CodestreamRefused) {
      expect(e.code).toBe('DICOM_DECODE');
      return `refused: ${e.message}`;
    }
    return `other: ${String(e)}`;
  }
}

function put32(b: Uint8Array, at: number, v: number): void {
  new DataView(b.buffer, b.byteOffset).setUint32(at, v);
}

describe('codestream structure check', () => {
  it.each(Object.entries(FILES))('passes the real %s frame', (_kind, rel) => {
    const { encoded, expected } = frameOf(rel);
    expect(verdict(encoded, expected)).toBe('passed');
  });

  it.each(Object.entries(FILES))('refuses the %s frame cut short (entropy data or tile-part truncated)', (_kind, rel) => {
    const { encoded, expected } = frameOf(rel);
    for (const share of [0.3, 0.6, 0.95]) {
      expect(verdict(encoded.subarray(0, Math.floor(encoded.length * share)), expected)).toMatch(/^refused: .*truncated/);
    }
  });

  it('refuses a Huffman table with more codes than its lengths allow', () => {
    const { encoded, expected } = frameOf(FILES.baseline);
    const dht = marker(encoded, 0xc4);
    encoded[dht + 5] = 3; // three codes of length 1
    expect(verdict(encoded, expected)).toBe('refused: JPEG Huffman table has more codes than its lengths allow');
  });

  it('refuses a scan that names a Huffman table never defined', () => {
    const { encoded, expected } = frameOf(FILES.lossless);
    const sos = marker(encoded, 0xda);
    encoded[sos + 6] = 0x30; // component 1 -> DC table 3
    expect(verdict(encoded, expected)).toBe('refused: JPEG scan uses a DC Huffman table that was never defined');
  });

  it('refuses a marker segment whose length runs past the codestream, and a stream without a scan', () => {
    const { encoded, expected } = frameOf(FILES.baseline);
    const dqt = marker(encoded, 0xdb);
    const lying = encoded.slice();
    lying[dqt + 2] = 0xff;
    lying[dqt + 3] = 0xff;
    expect(verdict(lying.subarray(0, 0xff00), expected)).toMatch(/^refused: /);
    const sos = marker(encoded, 0xda);
    const noScan = new Uint8Array(sos + 2);
    noScan.set(encoded.subarray(0, sos));
    noScan.set([0xff, 0xd9], sos);
    expect(verdict(noScan, expected)).toBe('refused: JPEG codestream has no scan (SOS)');
  });

  it('refuses a JPEG-LS scan with an invalid interleave mode', () => {
    const { encoded, expected } = frameOf(FILES.jpegLs);
    const sos = marker(encoded, 0xda);
    const ns = encoded[sos + 4]!;
    encoded[sos + 4 + 1 + 2 * ns + 1] = 7;
    expect(verdict(encoded, expected)).toBe('refused: JPEG-LS interleave mode is invalid');
  });

  it.each([['j2k', FILES.j2k], ['htj2k', FILES.htj2k]])('refuses %s tile grids of one-pixel tiles, a lying tile-part length and oversized code-blocks', (_k, rel) => {
    const { encoded, expected } = frameOf(rel);
    const siz = marker(encoded, 0x51);
    const tiny = encoded.slice();
    put32(tiny, siz + 22, 1); // XTsiz
    put32(tiny, siz + 26, 1); // YTsiz
    expect(verdict(tiny, expected)).toMatch(/^refused: J2K tile grid has \d+ tiles$/);

    const sot = marker(encoded, 0x90);
    const lying = encoded.slice();
    put32(lying, sot + 6, encoded.length * 2); // Psot
    expect(verdict(lying, expected)).toBe('refused: J2K tile-part overruns the codestream (the frame is truncated)');

    const cod = marker(encoded, 0x52);
    const blocks = encoded.slice();
    blocks[cod + 4 + 6] = 8; // xcb: 2^10 wide code-blocks
    blocks[cod + 4 + 7] = 8;
    expect(verdict(blocks, expected)).toBe('refused: J2K code-block size is invalid');
  });

  it('refuses in well under a millisecond per frame (no decoding happens)', () => {
    const { encoded, expected } = frameOf(FILES.jpegLs);
    const cut = encoded.subarray(0, encoded.length - 100);
    for (let i = 0; i < 20; i++) verdict(cut, expected);
    const t0 = performance.now();
    for (let i = 0; i < 200; i++) verdict(cut, expected);
    const perFrameMs = (performance.now() - t0) / 200;
    console.log(`truncated ${encoded.length}-byte JPEG-LS frame refused in ${(perFrameMs * 1000).toFixed(0)} µs`);
    expect(perFrameMs).toBeLessThan(10);
  });
});
