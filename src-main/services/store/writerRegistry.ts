// Which processes have this data directory open. The orphan sweep at open deletes blobs no row names,
// which would also delete blobs another live process has written but not yet committed: so the sweep
// runs only when no other live process is registered. One empty file per process: writers/<pid>.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class WriterRegistry {
  private readonly dir: string;
  private readonly mine: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'writers');
    this.mine = join(this.dir, String(process.pid));
  }

  /** Registers this process; returns true when no other live process has the directory open. */
  async register(): Promise<boolean> {
    await fsp.mkdir(this.dir, { recursive: true, mode: 0o700 });
    let alone = true;
    for (const f of await fsp.readdir(this.dir)) {
      const pid = Number(f);
      if (!/^\d+$/.test(f) || pid === process.pid) continue;
      if (alive(pid)) alone = false;
      else await fsp.rm(join(this.dir, f), { force: true });
    }
    await fsp.writeFile(this.mine, '', { mode: 0o600 });
    return alone;
  }

  async unregister(): Promise<void> {
    await fsp.rm(this.mine, { force: true });
  }
}
