// app://enclave/ — serves the built renderer and decoded pixels. A plain Fetch-API function so
// Electron's protocol.handle, unit tests and the browser harness all call the very same code.
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { toAppError, type AppError } from '../../../src-shared/errors';
import { SECURITY_HEADERS } from './csp';
import { resolveInsideRoot } from './pathGuard';

export const APP_SCHEME = 'app';
export const APP_HOST = 'enclave';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** Decoded pixels for the renderer; implemented by the series service over the store. */
export interface PixelSource {
  /**
   * Slices first..last (inclusive) of an opened series, concatenated, each as the series' display.pixelType
   * values, little-endian ('rgb8': interleaved RGB bytes). The source enforces its own limits on a range.
   */
  slices(seriesId: string, first: number, last: number): Promise<ArrayBuffer>;
}

/** Most slices one range request may ask for (the source also caps the bytes). */
export const MAX_PIXEL_RANGE = 64;
/** Series previews made at import (store/seriesThumbnail.ts); null when a series has none. */
export interface ThumbnailSource {
  thumbnail(seriesId: string): Promise<{ mime: string; data: Uint8Array } | null>;
}

export interface AppProtocolOptions {
  rendererDir: string;
  pixels: PixelSource;
  thumbnails?: ThumbnailSource;
  /**
   * Asked before any slice or preview is read: the refusal (no session, locked, no 'view', a restricted study) or
   * null. Without it (no accounts) everything the store holds is served, as before.
   */
  authorize?: (resource: 'pixels' | 'thumbs', seriesId: string) => AppError | null;
}

export type AppProtocol = (request: Request) => Promise<Response>;

function respond(status: number, body: ConstructorParameters<typeof Response>[0], headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { ...SECURITY_HEADERS, ...headers } });
}

// /pixels/<series>/<k> or /pixels/<series>/<a>-<b>: plain decimal indices, no signs, no leading junk.
const PIXEL_PATH = /^\/pixels\/([A-Za-z0-9_-]{1,64})\/(\d{1,6})(?:-(\d{1,6}))?$/;

const STATUS: Partial<Record<string, number>> = {
  NOT_FOUND: 404, INVALID_REQUEST: 400, INTEGRITY_TAMPERED: 409, DECODE_BUSY: 503, AUTH_REQUIRED: 403, SESSION_LOCKED: 403, FORBIDDEN: 403,
};

function pixelError(code: string, message: string): Response {
  return respond(STATUS[code] ?? 500, JSON.stringify({ code, message }), { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
}
const THUMB_PATH = /^\/thumbs\/([A-Za-z0-9_-]{1,64})$/;

export function createAppProtocol(options: AppProtocolOptions): AppProtocol {
  return async (request) => {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return respond(400, 'Bad request');
    }
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return respond(404, 'Not found');
    if (request.method !== 'GET' && request.method !== 'HEAD') return respond(405, 'Method not allowed');

    const pixel = PIXEL_PATH.exec(url.pathname);
    if (pixel) {
      const first = Number(pixel[2]);
      const last = pixel[3] === undefined ? first : Number(pixel[3]);
      if (last < first || last - first + 1 > MAX_PIXEL_RANGE) return pixelError('INVALID_REQUEST', `A range is a-b with a <= b and at most ${MAX_PIXEL_RANGE} slices.`);
      const refused = options.authorize?.('pixels', pixel[1]!);
      if (refused) return pixelError(refused.code, refused.message);
      try {
        const data = await options.pixels.slices(pixel[1]!, first, last);
        return respond(200, request.method === 'HEAD' ? null : data, {
          'Content-Type': 'application/octet-stream', 'Content-Length': String(data.byteLength), 'Cache-Control': 'no-store',
        });
      } catch (e) {
        const err = toAppError(e);
        return pixelError(err.code, err.message);
      }
    }

    const thumb = THUMB_PATH.exec(url.pathname);
    if (thumb) {
      // A preview of a patient's image: never cached by the renderer, never found without the store.
      const refused = options.authorize?.('thumbs', thumb[1]!);
      if (refused) return pixelError(refused.code, refused.message);
      const t = await options.thumbnails?.thumbnail(thumb[1]!).catch(() => null);
      if (!t) return respond(404, 'Not found', { 'Cache-Control': 'no-store' });
      return respond(200, request.method === 'HEAD' ? null : new Uint8Array(t.data), { 'Content-Type': t.mime, 'Cache-Control': 'no-store' });
    }

    const path = url.pathname === '/' ? '/index.html' : url.pathname;
    const file = resolveInsideRoot(options.rendererDir, path);
    if (!file) return respond(404, 'Not found');
    try {
      const info = await stat(file);
      if (!info.isFile()) return respond(404, 'Not found');
      const body = request.method === 'HEAD' ? null : new Uint8Array(await readFile(file));
      return respond(200, body, { 'Content-Type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream' });
    } catch {
      return respond(404, 'Not found');
    }
  };
}
