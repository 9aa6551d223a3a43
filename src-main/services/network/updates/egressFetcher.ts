// tuf-js fetches through this, so every byte of metadata and every artifact crosses the egress gate
// (policy, https, TLS 1.2+, size cap) and nothing else in the process opens a connection for updates.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Fetcher } from 'tuf-js';
import { DownloadHTTPError } from 'tuf-js/dist/error';
import { EgressRefused, type EgressGate } from '../egress';
import type { LastFetch } from './updateRefusal';

export class EgressFetcher implements Fetcher {
  /** The last file asked for and what came back: a refusal's reason depends on which role failed. */
  last: LastFetch = { url: '', bytes: null, refused: null };

  constructor(private readonly gate: EgressGate, private readonly tmpRoot: string, private readonly timeoutMs = 60_000) {}

  async downloadBytes(url: string, maxLength: number): Promise<Buffer> {
    this.last = { url, bytes: null, refused: null };
    let bytes: Buffer;
    try {
      bytes = await this.gate.get({ kind: 'update', url, maxBytes: maxLength, timeoutMs: this.timeoutMs });
    } catch (e) {
      if (e instanceof EgressRefused) this.last.refused = e;
      // tuf-js reads a 403/404 for the next root as "no newer root": it needs its own error type for that.
      if (e instanceof EgressRefused && e.reason === 'http_status') throw new DownloadHTTPError(e.message, e.status);
      throw e;
    }
    this.last.bytes = bytes;
    return bytes;
  }

  async downloadFile<T>(url: string, maxLength: number, handler: (file: string) => Promise<T>): Promise<T> {
    const bytes = await this.downloadBytes(url, maxLength);
    const dir = await mkdtemp(path.join(this.tmpRoot, 'download-'));
    try {
      const file = path.join(dir, 'target');
      await writeFile(file, bytes, { mode: 0o600 });
      return await handler(file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
