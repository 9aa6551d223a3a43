// The floor for storing files: read each one, SHA-256 it and AES-256-GCM it, in one pass over the
// bytes, writing nothing. An import cannot beat this; the bench reports how far we are from it.
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';

export interface ThroughputFigure {
  files: number;
  bytes: number;
  seconds: number;
  mbPerSecond: number;
}

export async function measurePhysicalLimit(files: string[]): Promise<ThroughputFigure> {
  const key = randomBytes(32);
  const chunk = Buffer.allocUnsafe(1 << 20);
  let bytes = 0;
  const t0 = process.hrtime.bigint();
  for (const f of files) {
    const h = await fsp.open(f, 'r');
    try {
      const hash = createHash('sha256');
      const c = createCipheriv('aes-256-gcm', key, randomBytes(12));
      for (;;) {
        const { bytesRead } = await h.read(chunk, 0, chunk.length, null);
        if (bytesRead === 0) break;
        const part = chunk.subarray(0, bytesRead);
        hash.update(part);
        c.update(part);
        bytes += bytesRead;
      }
      hash.digest();
      c.final();
      c.getAuthTag();
    } finally {
      await h.close();
    }
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { files: files.length, bytes, seconds, mbPerSecond: bytes / 1e6 / seconds };
}
