// Where the bundled decode worker lives: beside the running bundle (dist/main, or dist/cli -> dist/main).
// Null when running from source (tests, tsx): callers then decode on their own thread, as before.
import { existsSync } from 'node:fs';
import path from 'node:path';

export function bundledDecodeWorkerScript(): string | null {
  const fromEnv = process.env['ENCLAVE_DECODE_WORKER'];
  if (fromEnv) return fromEnv;
  const dirs: string[] = [];
  if (typeof __dirname === 'string') dirs.push(__dirname);
  if (process.argv[1]) dirs.push(path.dirname(path.resolve(process.argv[1])));
  for (const d of dirs) {
    for (const c of [path.join(d, 'decodeWorker.cjs'), path.join(d, '..', 'main', 'decodeWorker.cjs')]) if (existsSync(c)) return c;
  }
  return null;
}
