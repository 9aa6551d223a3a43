// Fuzz finding (issue 13; seed 942608, iteration 7738): a two-frame JPEG-LS file whose second frame
// lost its last fragment. CharLS spent 28 s of CPU on the truncated scan before failing; dcmdjpls
// refuses it in 36 ms. The structure check must refuse it before any codec runs, in under 100 ms.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createNodeCodecs } from '../../../src-main/services/codecs/nodeCodecs';
import type { CodecRegistry } from '../../../src-shared/dicom/codecs/codecTypes';
import { parseDicom } from '../../../src-shared/dicom/parse';
import { CodestreamRefused } from '../../../src-shared/dicom/pixels/codestreamRefused';
import { decodeFrame } from '../../../src-shared/dicom/pixels/decodeFrame';
import { AppError } from '../../../src-shared/errors';

const SEED_FILE = path.resolve(__dirname, '../../../../shared/data/corpus/cornerstonejs-dicomParser/testImages/encapsulated/multi-frame/CT0012.fragmented_no_bot_jpeg_ls.80.dcm');
/** SHA-256 of `node dist/bench/fuzz.cjs --seed 942608 --start 7738 --iterations 1 --write DIR --codestream-share 0`. */
const REPRODUCER_SHA256 = '85bc8dfb3939d81ef286c0764d0c7c1460d795fccfa18a8ef33820244f6c327c';
/** The item tag of the removed fragment (the fuzzer's "fragment at 83184 removed"). */
const REMOVED_ITEM = 83184;

function reproducer(): Uint8Array {
  const b = new Uint8Array(readFileSync(SEED_FILE));
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  expect(dv.getUint32(REMOVED_ITEM, true)).toBe(0xe000fffe);
  const end = REMOVED_ITEM + 8 + dv.getUint32(REMOVED_ITEM + 4, true);
  const out = new Uint8Array(b.length - (end - REMOVED_ITEM));
  out.set(b.subarray(0, REMOVED_ITEM));
  out.set(b.subarray(end), REMOVED_ITEM);
  return out;
}

/** The real codecs, counting how often each is asked to decode. */
async function countingCodecs(): Promise<{ codecs: CodecRegistry; calls: Record<string, number> }> {
  const real = await createNodeCodecs();
  const calls: Record<string, number> = {};
  const codecs: CodecRegistry = {};
  for (const [name, c] of Object.entries(real)) {
    codecs[name as keyof CodecRegistry] = {
      decode: (e, x) => {
        calls[name] = (calls[name] ?? 0) + 1;
        return c.decode(e, x);
      },
    };
  }
  return { codecs, calls };
}

describe('fuzz regression: JPEG-LS frame missing its last fragment', () => {
  it('is the issue\'s reproducer, byte for byte', () => {
    expect(createHash('sha256').update(reproducer()).digest('hex')).toBe(REPRODUCER_SHA256);
  });

  it('decodes the intact first frame and refuses the truncated second one before CharLS runs, in under 100 ms', async () => {
    const { codecs, calls } = await countingCodecs();
    const file = parseDicom(reproducer());
    const first = await decodeFrame(file, 0, codecs);
    expect(first.rows * first.columns).toBe(512 * 512);
    expect(calls['jpegLs']).toBe(1);

    const t0 = performance.now();
    const error = await decodeFrame(file, 1, codecs).then(() => null, (e: unknown) => e);
    const ms = performance.now() - t0;
    console.log(`truncated JPEG-LS frame refused in ${ms.toFixed(2)} ms: ${(error as Error).message}`);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('DICOM_DECODE');
    // Refused by the structure check: the codec was never called for it.
    expect(error).toBeInstanceOf(CodestreamRefused);
    expect(calls['jpegLs']).toBe(1);
    expect(ms).toBeLessThan(100);
  });
});
