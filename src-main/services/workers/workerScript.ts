// Where a worker thread's script is: the bundle beside the running one (dist/main, or dist/cli -> dist/main), else
// the TypeScript source (tests and tsx runs, which start it with `--import tsx`). One lookup for every worker.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../src-shared/errors';

export type WorkerName = 'importWorker' | 'decodeWorker' | 'auditVerifyWorker' | 'blobWriteWorker';

function searchDirs(): string[] {
  const dirs: string[] = [];
  if (typeof __dirname === 'string') dirs.push(__dirname);
  if (process.argv[1]) dirs.push(path.dirname(path.resolve(process.argv[1])));
  return dirs;
}

/** The bundled script (or the one the environment variable names); null when running from source. */
export function findBundledWorker(name: WorkerName, envOverride?: string): string | null {
  const fromEnv = envOverride ? process.env[envOverride] : undefined;
  if (fromEnv) return fromEnv;
  for (const d of searchDirs()) {
    for (const c of [path.join(d, `${name}.cjs`), path.join(d, '..', 'main', `${name}.cjs`)]) if (existsSync(c)) return c;
  }
  return null;
}

/** The bundled script, else its TypeScript source; an installation without either is broken. */
export function resolveWorkerScript(name: WorkerName, envOverride?: string): string {
  const bundled = findBundledWorker(name, envOverride);
  if (bundled) return bundled;
  const sources = [...searchDirs().flatMap((d) => [path.join(d, '..', 'services', 'workers', `${name}.ts`), path.join(d, `${name}.ts`)]), path.resolve(`src-main/services/workers/${name}.ts`)];
  const src = sources.find((c) => existsSync(c));
  if (src) return src;
  throw new AppError('INTERNAL', `The ${name} script is missing from this installation.`);
}

/** How to start a worker from its script: TypeScript sources run through tsx. */
export function workerExecArgv(script: string): string[] {
  return script.endsWith('.ts') ? ['--import', 'tsx'] : [];
}
