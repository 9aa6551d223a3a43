import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppProtocol, type PixelSource } from '../../../src-main/services/protocol/appProtocol';
import { resolveInsideRoot } from '../../../src-main/services/protocol/pathGuard';
import { AppError } from '../../../src-shared/errors';

const root = mkdtempSync(join(tmpdir(), 'enclave-proto-'));
const outside = join(root, '..', `secret-${process.pid}.txt`);

const pixels: PixelSource = {
  async slice(seriesId, index) {
    if (seriesId !== 'series1' || index > 2) throw new AppError('NOT_FOUND', 'nope');
    return new Float32Array([index, 1.5]).buffer;
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
    expect([...new Float32Array(await res.arrayBuffer())]).toEqual([2, 1.5]);
    expect((await get('app://enclave/pixels/series1/9')).status).toBe(404);
    expect((await get('app://enclave/pixels/../9')).status).toBe(404);
    expect((await get('app://enclave/pixels/series1/-1')).status).toBe(404);
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
