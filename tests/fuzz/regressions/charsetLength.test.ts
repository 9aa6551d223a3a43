// Fuzz finding (seed 1, iteration 1722): a Specific Character Set whose length was corrupted to run
// to the end of a large file made readInstanceMeta spread megabytes onto the call stack
// (RangeError: Maximum call stack size exceeded), an untyped error out of the metadata reader.
import { describe, expect, it } from 'vitest';
import { parseDicom } from '../../../src-shared/dicom/parse';
import { readInstanceMeta } from '../../../src-shared/dicom/instanceMeta';

/** Raw implicit VR LE data set: (0008,0005) of `n` bytes of "ISO_IR 100 " then (0010,0010). */
function hugeCharsetValue(n: number): Uint8Array {
  const name = new TextEncoder().encode('Doe^Jane');
  const b = new Uint8Array(8 + n + 8 + name.length);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, 0x0008, true);
  dv.setUint16(2, 0x0005, true);
  dv.setUint32(4, n, true);
  const term = new TextEncoder().encode('ISO_IR 100');
  b.fill(0x20, 8, 8 + n);
  b.set(term, 8);
  const p = 8 + n;
  dv.setUint16(p, 0x0010, true);
  dv.setUint16(p + 2, 0x0010, true);
  dv.setUint32(p + 4, name.length, true);
  b.set(name, p + 8);
  return b;
}

describe('fuzz regression: oversized Specific Character Set', () => {
  it('reads metadata of a file whose (0008,0005) is 4 MB long without a stack overflow', () => {
    const file = parseDicom(hugeCharsetValue(4 * 1024 * 1024));
    const meta = readInstanceMeta(file);
    expect(meta.specificCharacterSet).toBe('ISO_IR 100');
    expect(meta.patientName).toBe('Doe^Jane');
  });
});
