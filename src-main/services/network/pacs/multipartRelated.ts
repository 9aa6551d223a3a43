// multipart/related (RFC 2387, as WADO-RS sends instances) read as a stream: each part is handed on as soon as its
// closing delimiter arrives, so a study is never held whole in memory, and every part and header block is bounded
// (a part over the limit is refused, not truncated). Body bytes are copied once, from the socket's chunks
// into their part (a retrieve moves hundreds of megabytes: a copy per chunk showed in the profile).
import { AppError } from '../../../../src-shared/errors';

export interface MultipartPart {
  headers: Record<string, string>;
  body: Buffer;
}

const CRLF = Buffer.from('\r\n');
const EMPTY = Buffer.alloc(0);
const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_HEADER_BYTES = 16 * 1024;

/** The boundary parameter of a multipart Content-Type, or null. */
export function multipartBoundary(contentType: string): string | null {
  if (!/^\s*multipart\/related\s*;/i.test(contentType)) return null;
  const m = /;\s*boundary\s*=\s*(?:"([^"]{1,70})"|([^;\s"]{1,70}))/i.exec(contentType);
  return m ? (m[1] ?? m[2]!) : null;
}

function tooBig(what: string, limit: number): AppError {
  return new AppError('DICOM_LIMIT_EXCEEDED', `A ${what} in the PACS answer is larger than ${limit} bytes.`);
}

function parseHeaders(block: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of block.toString('latin1').split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}

export async function* readMultipart(body: AsyncIterable<Buffer>, boundary: string, maxPartBytes: number): AsyncGenerator<MultipartPart> {
  // A leading CRLF lets the first delimiter (at the very start of the body) match like the others.
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const D = delimiter.length;
  let state: 'preamble' | 'afterDelimiter' | 'headers' | 'body' | 'end' = 'preamble';
  // Bytes kept from the previous chunk: in the preamble or a body, a tail that may be the start of a delimiter
  // (shorter than one); after a delimiter, the start of a header block not yet complete. Always a small copy.
  let carry: Buffer = CRLF;
  let preambleBytes = 0;
  let headers: Record<string, string> = {};
  let pieces: Buffer[] = [];
  let partBytes = 0;
  const take = (b: Buffer) => {
    if (b.length === 0) return;
    if (state === 'preamble') {
      preambleBytes += b.length;
      if (preambleBytes > MAX_HEADER_BYTES) throw tooBig('preamble', MAX_HEADER_BYTES);
      return;
    }
    partBytes += b.length;
    if (partBytes > maxPartBytes) throw tooBig('part', maxPartBytes);
    pieces.push(b);
  };

  for await (const chunk of body) {
    let c = chunk;
    for (;;) {
      if (state === 'preamble' || state === 'body') {
        // Body bytes are kept as views into the chunks they came in and copied once, into the part.
        if (carry.length > 0 && c.length < D - 1) {
          c = Buffer.concat([carry, c]);
          carry = EMPTY;
        }
        let after: Buffer | null = null;
        if (carry.length > 0) {
          // A delimiter that starts in the carried tail ends within the first D-1 bytes of this chunk.
          const joint = Buffer.concat([carry, c.subarray(0, D - 1)]);
          const j = joint.indexOf(delimiter);
          if (j >= 0 && j < carry.length) {
            take(carry.subarray(0, j));
            after = c.subarray(j + D - carry.length);
          } else take(carry);
          carry = EMPTY;
        }
        if (after === null) {
          const at = c.indexOf(delimiter);
          if (at < 0) {
            const keep = Math.min(c.length, D - 1);
            take(c.subarray(0, c.length - keep));
            carry = Buffer.from(c.subarray(c.length - keep));
            break;
          }
          take(c.subarray(0, at));
          after = c.subarray(at + D);
        }
        if (state === 'body') {
          yield { headers, body: Buffer.concat(pieces, partBytes) };
          pieces = [];
          partBytes = 0;
        }
        state = 'afterDelimiter';
        c = after;
        continue;
      }
      const b = carry.length > 0 ? Buffer.concat([carry, c]) : c;
      carry = EMPTY;
      if (state === 'afterDelimiter') {
        if (b.length < 2) {
          carry = Buffer.from(b);
          break;
        }
        if (b[0] === 0x2d && b[1] === 0x2d) {
          state = 'end';
          break;
        }
        state = 'headers';
      }
      // After the delimiter: optional padding, CRLF, header lines, an empty line.
      const end = b.indexOf(HEADER_END);
      if (end < 0) {
        if (b.length > MAX_HEADER_BYTES) throw tooBig('header block', MAX_HEADER_BYTES);
        carry = Buffer.from(b);
        break;
      }
      headers = parseHeaders(b.subarray(b.indexOf(CRLF) + 2, end + 2));
      c = b.subarray(end + HEADER_END.length);
      state = 'body';
    }
    if (state === 'end') break;
  }
  if (state !== 'end') throw new AppError('DICOM_PARSE', 'The PACS answer ended before its last part was complete.');
}
