// multipart/related (RFC 2387, as WADO-RS sends instances) read as a stream: each part is handed on as soon as its
// closing delimiter arrives, so a study is never held whole in memory, and every part and header block is bounded
// (a part over the limit is refused, not truncated). Bytes are copied once per part.
import { AppError } from '../../../../src-shared/errors';

export interface MultipartPart {
  headers: Record<string, string>;
  body: Buffer;
}

const CRLF = Buffer.from('\r\n');
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
  let buf: Buffer = CRLF;
  let state: 'preamble' | 'afterDelimiter' | 'headers' | 'body' | 'end' = 'preamble';
  let headers: Record<string, string> = {};
  let pieces: Buffer[] = [];
  let partBytes = 0;

  for await (const chunk of body) {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    for (;;) {
      if (state === 'preamble' || state === 'body') {
        const at = buf.indexOf(delimiter);
        if (at < 0) {
          // Keep a tail that could be the start of a delimiter; the rest belongs to the part (or the preamble).
          const keep = Math.min(buf.length, delimiter.length - 1);
          const done = buf.subarray(0, buf.length - keep);
          if (state === 'body' && done.length > 0) {
            partBytes += done.length;
            if (partBytes > maxPartBytes) throw tooBig('part', maxPartBytes);
            pieces.push(done);
          } else if (state === 'preamble' && done.length > MAX_HEADER_BYTES) throw tooBig('preamble', MAX_HEADER_BYTES);
          buf = buf.subarray(buf.length - keep);
          break;
        }
        if (state === 'body') {
          partBytes += at;
          if (partBytes > maxPartBytes) throw tooBig('part', maxPartBytes);
          pieces.push(buf.subarray(0, at));
          yield { headers, body: Buffer.concat(pieces, partBytes) };
          pieces = [];
          partBytes = 0;
        }
        buf = buf.subarray(at + delimiter.length);
        state = 'afterDelimiter';
      }
      if (state === 'afterDelimiter') {
        if (buf.length < 2) break;
        if (buf[0] === 0x2d && buf[1] === 0x2d) {
          state = 'end';
          break;
        }
        state = 'headers';
      }
      if (state === 'headers') {
        // After the delimiter: optional padding, CRLF, header lines, an empty line.
        const end = buf.indexOf(HEADER_END);
        if (end < 0) {
          if (buf.length > MAX_HEADER_BYTES) throw tooBig('header block', MAX_HEADER_BYTES);
          break;
        }
        const lineEnd = buf.indexOf(CRLF);
        headers = parseHeaders(buf.subarray(lineEnd + 2, end + 2));
        buf = buf.subarray(end + HEADER_END.length);
        state = 'body';
        continue;
      }
      break;
    }
    if (state === 'end') break;
    // Copy the small tail out so the chunk it came from can be freed.
    if (state !== 'body' && buf.length > 0) buf = Buffer.from(buf);
  }
  if (state !== 'end') throw new AppError('DICOM_PARSE', 'The PACS answer ended before its last part was complete.');
}
