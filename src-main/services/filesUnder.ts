// Regular files below a folder (or the file itself), sorted, for the CLI, the bench and the tests.
// The import engine has its own discovery (DICOMDIR, zips, progress); this is the plain walk.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every regular file under `root`, depth first in name order; `keep(name)` filters by file name. */
export function filesUnder(root: string, keep: (name: string) => boolean = () => true): string[] {
  const out: string[] = [];
  const walk = (p: string, name: string) => {
    const st = statSync(p);
    if (st.isDirectory()) for (const n of readdirSync(p).sort()) walk(join(p, n), n);
    else if (st.isFile() && keep(name)) out.push(p);
  };
  walk(root, '');
  return out;
}
