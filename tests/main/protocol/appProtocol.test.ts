import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppProtocol, type PixelSource } from '../../../src-main/services/protocol/appProtocol';
import { resolveInsideRoot } from '../../../src-main/services/protocol/pathGuard';
import { AppError } from '../../../src-shared/errors';

const root = mkdtempSync(join(tmpdir(), 'enclave-proto-'));
const outside = join(root, '..', `secret-${process.pid}.txt`);

/** Three slices of two Int16 values each: slice k holds [k, -k]. */
const asked: Array<[number, number]> = [];
const pixels: PixelSource = {
  async slices(seriesId, first, last) {
    asked.push([first, last]);
    if (seriesId !== 'series1' || last > 2) throw new AppError('NOT_FOUND', 'nope');
    if (first === 1 && last === 1) throw new AppError('DECODE_BUSY', 'busy');
    const out = new Int16Array(2 * (last - first + 1));
    for (let k = first; k <= last; k++) out.set([k, -k], 2 * (k - first));
    return out.buffer;
  },
};
const handler = createAppProtocol({ rendererDir: join(root, 'renderer'), pixels });
const get = (url: string, method = 'GET') => handler(new Request(url, { method }));

beforeAll(() => {
  mkdirSync(join(root, 'renderer/assets'), { recursive: true });
  writeFileSync(join(root, 'renderer/index.html'), '<!doctype html><title>x</title>');
  writeFileSync(join(root, 'renderer/assets/app.js'), 'console.log(1)');
  writeFileSync(outside, 'TOP SECRET');
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { force: true });
});

describe('appProtocol', () => {
  it('serves the renderer with a strict CSP and the right types', async () => {
    const index = await get('app://enclave/');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toContain('text/html');
    expect(index.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    const js = await get('app://enclave/assets/app.js');
    expect(js.headers.get('content-type')).toContain('javascript');
    expect(await js.text()).toBe('console.log(1)');
  });

  it('refuses path traversal in every spelling', async () => {
    for (const p of [
      `/../secret-${process.pid}.txt`, `/..%2fsecret-${process.pid}.txt`, `/%2e%2e/secret-${process.pid}.txt`,
      `/assets/..%2f..%2fsecret-${process.pid}.txt`, `/..%5csecret-${process.pid}.txt`, '/%00index.html', '/C:%5cWindows', '/%E0%A4%A',
    ]) {
      const res = await get(`app://enclave${p}`);
      expect(res.status, p).toBe(404);
      expect(await res.text()).not.toContain('TOP SECRET');
    }
  });

  it('answers only its own host and read methods', async () => {
    expect((await get('app://other/index.html')).status).toBe(404);
    expect((await get('app://enclave/index.html', 'POST')).status).toBe(405);
    expect((await get('app://enclave/index.html', 'HEAD')).status).toBe(200);
  });

  it('serves pixels and maps errors to statuses', async () => {
    const res = await get('app://enclave/pixels/series1/2');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect([...new Int16Array(await res.arrayBuffer())]).toEqual([2, -2]);
    const missing = await get('app://enclave/pixels/series1/9');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ code: 'NOT_FOUND', message: 'nope' });
    expect((await get('app://enclave/pixels/series1/1')).status).toBe(503);
    expect((await get('app://enclave/pixels/../9')).status).toBe(404);
    expect((await get('app://enclave/pixels/series1/-1')).status).toBe(404);
  });

  it('serves a run of slices a-b concatenated, and refuses malformed or oversized ranges before asking', async () => {
    const res = await get('app://enclave/pixels/series1/0-2');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('12');
    expect([...new Int16Array(await res.arrayBuffer())]).toEqual([0, 0, 1, -1, 2, -2]);
    expect((await get('app://enclave/pixels/series1/2-2')).status).toBe(200);
    asked.length = 0;
    for (const bad of ['2-1', '0-64', '10-200']) {
      const r = await get(`app://enclave/pixels/series1/${bad}`);
      expect(r.status, bad).toBe(400);
      expect((await r.json()).code, bad).toBe('INVALID_REQUEST');
    }
    expect(asked).toEqual([]);
    expect((await get('app://enclave/pixels/series1/0-63')).status).toBe(404);
    expect(asked).toEqual([[0, 63]]);
    for (const bad of ['0-', '-1-2', '0-1-2', '0--2', '0-+2', '0-1x', '0-1/', ' 0-1', '0-1234567']) {
      expect((await get(`app://enclave/pixels/series1/${bad}`)).status, bad).toBe(404);
    }
    expect(asked).toEqual([[0, 63]]);
  });
});

describe('resolveInsideRoot', () => {
  it('keeps paths inside the root', () => {
    expect(resolveInsideRoot('/r', '/a/b.js')).toBe('/r/a/b.js');
    expect(resolveInsideRoot('/r', '/a/../../etc/passwd')).toBeNull();
    expect(resolveInsideRoot('/r', '/a%2f..%2f..%2fetc')).toBeNull();
    expect(resolveInsideRoot('/r', '/a\\b')).toBeNull();
    expect(resolveInsideRoot('/r', '/./a')).toBeNull();
  });
});
