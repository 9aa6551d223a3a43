// Decoding bounded in state (issue 13): after a WebAssembly codec throws or fails on a hostile frame,
// its module instance (memory, internal state) is discarded and a fresh one decodes the next frame,
// which must come out bit-identical to an independent reference (dcmtk, GDCM, OpenJPH's ojph_expand).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { codecModuleInstances, createCodecRegistry } from '../../../src-main/services/codecs/nodeCodecs';
import type { CodecName, ExpectedFrame } from '../../../src-shared/dicom/codecs/codecTypes';
import { encapsulatedFrame } from '../../../src-shared/dicom/pixels/encapsulatedFrames';
import { readPixelDescription } from '../../../src-shared/dicom/pixels/pixelDescription';
import type { DicomFile } from '../../../src-shared/dicom/parse';
import { AppError } from '../../../src-shared/errors';
import { compareWithOjphExpand, compareWithReference, CORPUS, loadDicom, makeReference } from './referenceHarness';

const OUT = mkdtempSync(join(tmpdir(), 'enclave-trap-'));
afterAll(() => rmSync(OUT, { recursive: true, force: true }));

function frameOf(file: DicomFile): { encoded: Uint8Array; expected: ExpectedFrame } {
  const d = readPixelDescription(file.dataSet, file.transferSyntaxUid);
  return {
    encoded: encapsulatedFrame(file.dataSet, file.dataSet.elements[d.pixelTag]!, 0, d.numberOfFrames, true).slice(),
    expected: { rows: d.rows, columns: d.columns, samplesPerPixel: d.samplesPerPixel, bitsStored: d.bitsStored, bitsAllocated: d.bitsAllocated, signed: d.pixelRepresentation === 1 },
  };
}

function markerAt(b: Uint8Array, m: number): number {
  for (let i = 0; i + 1 < b.length; i++) if (b[i] === 0xff && b[i + 1] === m) return i;
  throw new Error(`no marker ff${m.toString(16)}`);
}

/** J2K / HTJ2K: 2^17-sample code-blocks in COD, which the codec's own parser rejects. */
function oversizedCodeBlocks(b: Uint8Array): Uint8Array {
  const cod = markerAt(b, 0x52);
  b[cod + 10] = 15;
  b[cod + 11] = 15;
  return b;
}

interface Case {
  codec: CodecName;
  module: string;
  file: string;
  /** Makes the module throw (or report failure) on the first frame; its header still agrees with DICOM. */
  hostile(encoded: Uint8Array): Uint8Array;
}

const CASES: Case[] = [
  { codec: 'jpegLs', module: 'CharLS', file: 'orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.80.dcm', hostile: (b) => b.slice(0, 400) },
  { codec: 'jpegBaseline8', module: 'libjpeg-turbo', file: 'orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.50.dcm', hostile: (b) => b.fill(0, 600, b.length - 2) },
  { codec: 'jpeg2000', module: 'OpenJPEG', file: 'orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.90.dcm', hostile: oversizedCodeBlocks },
  { codec: 'htj2k', module: 'OpenJPH', file: 'pydicom-data/HTJ2KLossless_08_RGB.dcm', hostile: oversizedCodeBlocks },
];

describe('a codec instance that failed is replaced before it decodes again', () => {
  it.each(CASES)('$module: hostile frame, then a good frame bit-identical to the reference', { timeout: 120_000 }, async (c) => {
    const registry = await createCodecRegistry();
    const codec = registry[c.codec]!;
    const path = join(CORPUS, c.file);
    const good = loadDicom(path);
    const { encoded, expected } = frameOf(good);
    const made = () => codecModuleInstances()[c.module] ?? 0;

    // A good frame does not cost a new instance.
    const start = made();
    await codec.decode(encoded, expected);
    expect(made()).toBe(start);

    const t0 = performance.now();
    const error = await Promise.resolve(codec.decode(c.hostile(encoded.slice()), expected)).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('DICOM_DECODE');

    const t1 = performance.now();
    let diff;
    if (c.codec === 'htj2k') {
      diff = await compareWithOjphExpand(good, registry, OUT, c.module);
    } else {
      const ref = await makeReference(path, good.transferSyntaxUid, OUT, c.module);
      if (!ref.tool) throw new Error(`no reference: ${ref.why}`);
      diff = await compareWithReference(good, loadDicom(ref.path), registry, 1);
    }
    console.log(`${c.module}: hostile frame failed in ${(t1 - t0).toFixed(0)} ms (${(error as Error).message}); next frame from a fresh instance: ${JSON.stringify(diff)}`);
    // The good frame was decoded by a new instance, and exactly as the reference tool decodes it.
    expect(made()).toBe(start + 1);
    expect(diff).toMatchObject({ frames: 1, maxAbsDiff: 0, differing: 0, refused: [] });
    expect((diff as { samples: number }).samples).toBe(expected.rows * expected.columns * expected.samplesPerPixel);
  });
});
