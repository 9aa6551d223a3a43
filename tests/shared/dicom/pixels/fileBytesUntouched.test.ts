// Decoding masks stored values in place in the decoder's own output. These files carry garbage high
// bits (0x0F0F), so masking a view of the file instead of a copy would change the bytes an export,
// the store or the next frame reads: the file must come out of decoding byte for byte as it went in.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDicom } from '../../../../src-shared/dicom/parse';
import { decodeFrame } from '../../../../src-shared/dicom/pixels/decodeFrame';

const DIR = join(__dirname, '../../../../../shared/data/corpus/dcm_qa_12bit/In');

describe('decoding leaves the file bytes alone', () => {
  it.each(['12bitUnsigned_0x0F0F.dcm', '12bitSigned_0x0F0F.dcm'])('%s', async (name) => {
    const bytes = new Uint8Array(readFileSync(join(DIR, name)));
    const before = bytes.slice();
    const file = parseDicom(bytes);
    const first = await decodeFrame(file, 0, {});
    const again = await decodeFrame(file, 0, {});
    // The high nibble is garbage in the file and masked (or sign-extended) in the stored values.
    let largest = 0;
    for (const v of first.pixels) largest = Math.max(largest, Math.abs(v));
    expect(largest).toBeLessThan(4096);
    expect([...again.pixels]).toEqual([...first.pixels]);
    expect(Buffer.compare(Buffer.from(bytes), Buffer.from(before))).toBe(0);
  });
});
