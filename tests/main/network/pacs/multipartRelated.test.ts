// The streamed multipart/related reader on its own: parts come out whole whatever the chunking (down to one byte at
// a time, delimiters split anywhere), bodies that contain look-alike delimiters stay intact, and a part over its
// bound or a body cut short is an error, never a truncated instance.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { multipartBoundary, readMultipart } from '../../../../src-main/services/network/pacs/multipartRelated';

const B = 'b0undary-7d9f';

function body(parts: Buffer[], o: { preamble?: string; padding?: string } = {}): Buffer {
  const out: Buffer[] = [Buffer.from(o.preamble ?? '')];
  for (const p of parts) out.push(Buffer.from(`--${B}${o.padding ?? ''}\r\nContent-Type: application/dicom\r\nContent-Length: ${p.length}\r\n\r\n`), p, Buffer.from('\r\n'));
  out.push(Buffer.from(`--${B}--\r\nepilogue`));
  return Buffer.concat(out);
}

async function* chunks(b: Buffer, size: (i: number) => number): AsyncGenerator<Buffer> {
  let i = 0;
  for (let pos = 0; pos < b.length; i++) {
    const n = Math.max(1, size(i));
    yield b.subarray(pos, pos + n);
    pos += n;
  }
}

async function all(src: AsyncIterable<Buffer>, max = 1 << 20): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const p of readMultipart(src, B, max)) out.push(p.body);
  return out;
}

describe('multipart/related reader', () => {
  const parts = [randomBytes(5000), Buffer.from(`x\r\n--${B.slice(0, 5)} and --${B} without a line break before it: not delimiters\r\n-`), Buffer.alloc(0), randomBytes(70_000)];

  it('gives every part back whole, at any chunking', async () => {
    const whole = body(parts, { preamble: 'ignored preamble\r\n', padding: '  ' });
    for (const size of [() => 1, () => 7, () => 64 * 1024, (i: number) => [3, 1000, 17, 1][i % 4]!]) {
      const got = await all(chunks(whole, size));
      const h = (b: Buffer) => `${b.length}:${createHash('sha256').update(b).digest('hex')}`;
      expect(got.map(h)).toEqual(parts.map(h));
    }
  });

  it('finds delimiters split across chunks anywhere, with chunk sizes around the delimiter length', async () => {
    // Bodies full of near-delimiters ("\r\n--" + a prefix of the boundary) so every straddling case occurs.
    const near = (n: number) => Buffer.concat(Array.from({ length: n }, (_, i) => Buffer.from(`\r\n--${B.slice(0, i % B.length)}x`)));
    const tricky = [near(40), randomBytes(3000), near(7), Buffer.from('\r\n-'), Buffer.from('\r')];
    const whole = body(tricky, { padding: ' ' });
    const h = (b: Buffer) => `${b.length}:${createHash('sha256').update(b).digest('hex')}`;
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const delimiterLength = B.length + 4;
    for (let run = 0; run < 200; run++) {
      const sizes = (i: number) => (i % 3 === 0 ? 1 + Math.floor(rnd() * 2 * delimiterLength) : 1 + Math.floor(rnd() * 400));
      expect((await all(chunks(whole, sizes))).map(h)).toEqual(tricky.map(h));
    }
  });

  it('refuses a part over its bound and a body that ends before its closing delimiter', async () => {
    await expect(all(chunks(body(parts), () => 4096), 10_000)).rejects.toThrow(/larger than 10000 bytes/);
    const cut = body(parts).subarray(0, 6000);
    await expect(all(chunks(cut, () => 512))).rejects.toThrow(/ended before its last part/);
  });

  it('reads the boundary from the content type, quoted or not, and only for multipart/related', () => {
    expect(multipartBoundary('multipart/related; type="application/dicom"; boundary="abc:def"')).toBe('abc:def');
    expect(multipartBoundary('multipart/related;boundary=xyz;type=application/dicom')).toBe('xyz');
    expect(multipartBoundary('application/dicom+json')).toBeNull();
  });
});
