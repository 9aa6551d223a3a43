// The harness's loopback origin: it answers only its host name, on 127.0.0.1 only, hands the body over
// byte for byte, and is gone once closed (nothing of a test run stays listening).
import { connect } from 'node:http2';
import { describe, expect, it } from 'vitest';
import { startOriginServer } from './originServer';

function get(port: number, authority: string, path: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const session = connect(`https://127.0.0.1:${port}`, { servername: 'enclave.test', rejectUnauthorized: false });
    session.on('error', reject);
    const req = session.request({ ':path': path, ':authority': authority });
    const chunks: Buffer[] = [];
    let status = 0;
    req.on('response', (h) => { status = Number(h[':status']); });
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => { session.close(); resolve({ status, body: Buffer.concat(chunks) }); });
    req.on('error', reject);
    req.end();
  });
}

describe('harness origin server', () => {
  it('serves its host name from the handler, byte for byte, and refuses any other', async () => {
    const slice = new Uint8Array(512 * 1024).map((_, i) => (i * 31) & 0xff);
    const seen: string[] = [];
    const server = await startOriginServer('enclave.test', async (path, method) => {
      seen.push(`${method} ${path}`);
      return new Response(slice, { status: 200, headers: { 'Content-Type': 'application/octet-stream' } });
    });
    try {
      const ok = await get(server.port, 'enclave.test', '/pixels/abc/7?x=1');
      expect(ok.status).toBe(200);
      expect(Buffer.compare(ok.body, Buffer.from(slice))).toBe(0);
      expect(seen).toEqual(['GET /pixels/abc/7?x=1']);
      const other = await get(server.port, 'elsewhere.example', '/pixels/abc/7');
      expect(other.status).toBe(421);
      expect(seen).toHaveLength(1);
    } finally {
      await server.close();
    }
    await expect(get(server.port, 'enclave.test', '/')).rejects.toThrow(/ECONNREFUSED/);
  });
});
