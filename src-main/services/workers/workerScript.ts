// Where a worker thread's script is: the bundle beside the running one (dist/main, or dist/cli -> dist/main), else
// the TypeScript source (tests and tsx runs, which start it with `--import tsx`). One lookup for every worker.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../src-shared/errors';

export type WorkerName = 'importWorker' | 'decodeWorker' | 'auditVerifyWorker';

export function resolveWorkerScript(name: WorkerName, envOverride?: string): string {
  const fromEnv = envOverride ? process.env[envOverride] : undefined;
  if (fromEnv) return fromEnv;
  const dirs: string[] = [];
  if (typeof __dirname === 'string') dirs.push(__dirname);
  if (process.argv[1]) dirs.push(path.dirname(path.resolve(process.argv[1])));
  for (const d of dirs) {
    for (const c of [path.join(d, `${name}.cjs`), path.join(d, '..', 'main', `${name}.cjs`)]) if (existsSync(c)) return c;
    for (const c of [path.join(d, '..', 'services', 'workers', `${name}.ts`), path.join(d, `${name}.ts`)]) if (existsSync(c)) return c;
  }
  const src = path.resolve(`src-main/services/workers/${name}.ts`);
  if (existsSync(src)) return src;
  throw new AppError('INTERNAL', `The ${name} script is missing from this installation.`);
}

/** How to start a worker from its script: TypeScript sources run through tsx. */
export function workerExecArgv(script: string): string[] {
  return script.endsWith('.ts') ? ['--import', 'tsx'] : [];
}
