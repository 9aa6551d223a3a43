// Saved redaction regions: an image's own rectangles win, else every size (and device) entry that matches;
// untrusted JSON is validated with a message that names the field.
import { describe, expect, it } from 'vitest';
import { parseRedactionRegions, regionsFor } from '../../../src-shared/deid/redactionRegions';

const A = { x: 0, y: 0, width: 640, height: 40 };
const B = { x: 10, y: 440, width: 200, height: 40 };
const C = { x: 1, y: 2, width: 3, height: 4 };

describe('redaction regions', () => {
  const regions = parseRedactionRegions({
    version: 1,
    bySize: [
      { columns: 640, rows: 480, rects: [A] },
      { columns: 640, rows: 480, manufacturer: 'ACME', model: 'Echo 5', rects: [B] },
    ],
    bySopInstance: { '1.2.3.4': [C] },
  });

  it('picks the image own rectangles first, then size, then size + device', () => {
    expect(regionsFor(regions, { sopInstanceUid: '1.2.3.4', rows: 480, columns: 640 })).toEqual([C]);
    expect(regionsFor(regions, { sopInstanceUid: '1.2.3.5', rows: 480, columns: 640, manufacturer: 'Other' })).toEqual([A]);
    expect(regionsFor(regions, { sopInstanceUid: '1.2.3.5', rows: 480, columns: 640, manufacturer: 'acme ', model: 'ECHO 5' })).toEqual([A, B]);
    expect(regionsFor(regions, { sopInstanceUid: '1.2.3.5', rows: 600, columns: 800 })).toBeUndefined();
  });

  it('refuses malformed documents with the failing field named', () => {
    expect(() => parseRedactionRegions({ bySize: [{ columns: 640, rows: 480, rects: [] }] })).toThrow(/bySize\.0\.rects/);
    expect(() => parseRedactionRegions({ bySopInstance: { 'not a uid': [A] } })).toThrow(/INVALID|bySopInstance/);
    expect(() => parseRedactionRegions({ bySize: [{ columns: 640, rows: 480, rects: [{ ...A, x: 1.5 }] }] })).toThrow(/x/);
    expect(() => parseRedactionRegions({ extra: true })).toThrow();
    expect(() => parseRedactionRegions([])).toThrow();
  });
});
