// Stores hand the engine Node Buffers that are views into larger memory (decrypted blobs, pooled reads).
// Decoding must depend only on the view's bytes.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseDicom } from '../../../src-shared/dicom/parse';
import { decodeFrame } from '../../../src-shared/dicom/pixels/decodeFrame';
import { createNodeCodecs } from '../../../src-main/services/codecs/nodeCodecs';

const dir = resolve(__dirname, '../../../../shared/data/phantoms/mr-sagittal');

describe('engine input as a Buffer view', () => {
  it('decodes the same pixels from a Buffer at an offset in a larger allocation as from a plain copy', async () => {
    const codecs = await createNodeCodecs();
    const file = readFileSync(join(dir, readdirSync(dir)[0]!));
    const big = Buffer.alloc(file.length + 4099, 0x5a);
    file.copy(big, 4099);
    const view = big.subarray(4099);
    const a = await decodeFrame(parseDicom(view), 0, codecs);
    const b = await decodeFrame(parseDicom(new Uint8Array(file)), 0, codecs);
    expect(a.pixels.length).toBe(200 * 200);
    expect(Array.from(a.pixels)).toEqual(Array.from(b.pixels));
  });
});
