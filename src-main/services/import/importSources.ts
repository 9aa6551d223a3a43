// What an import reads: the paths a user chose or dropped, expanded into files. A folder is everything
// under it (a DICOMDIR at any level is also read, to report the files it lists that are missing); a
// DICOMDIR given directly is what it lists (nested vendor DIRFILEs included), or its folder when it is
// broken. Zip archives are opened later, in memory, by the engine.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { isDirectoryFile, scanDicomdir, type DicomdirScan } from './dicomdir';

export interface SourceFile {
  path: string;
  size: number;
}

export interface DiscoveredSources {
  files: SourceFile[];
  dicomdirs: (DicomdirScan & { fallbackScan: boolean })[];
  notFound: string[];
}

const DICOMDIR_NAME = /^DICOMDIR(\.|;1)?$/i;

export function isDicomdirName(name: string): boolean {
  return DICOMDIR_NAME.test(name);
}

/** Every regular file under `root` (symlinked folders are not followed: no loops, no escaping the media). */
async function walk(root: string, out: SourceFile[], dicomdirs: string[], signal?: AbortSignal): Promise<void> {
  const stack = [root];
  while (stack.length > 0) {
    if (signal?.aborted) return;
    const dir = stack.pop()!;
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: string[] = [];
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) subdirs.push(p);
      else if (e.isFile() || e.isSymbolicLink()) {
        const st = await fsp.stat(p).catch(() => null);
        if (!st?.isFile()) continue;
        out.push({ path: p, size: st.size });
        if (isDicomdirName(e.name)) dicomdirs.push(p);
      }
    }
    // Depth-first in name order, so files arrive series by series on ordinary layouts.
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]!);
  }
}

export async function discoverSources(paths: string[], signal?: AbortSignal): Promise<DiscoveredSources> {
  const result: DiscoveredSources = { files: [], dicomdirs: [], notFound: [] };
  const seen = new Set<string>();
  const add = (f: SourceFile) => {
    if (seen.has(f.path)) return;
    seen.add(f.path);
    result.files.push(f);
  };
  for (const given of paths) {
    const p = path.resolve(given);
    const st = await fsp.stat(p).catch(() => null);
    if (!st) {
      result.notFound.push(given);
      continue;
    }
    if (st.isDirectory()) {
      const files: SourceFile[] = [];
      const dirs: string[] = [];
      await walk(p, files, dirs, signal);
      // Files a DICOMDIR lists come first (in its order); everything else in the folder follows.
      const byPath = new Map(files.map((f) => [f.path, f]));
      for (const d of dirs) {
        const scan = await scanDicomdir(d);
        result.dicomdirs.push({ ...scan, fallbackScan: false });
        for (const f of scan.files) {
          const s = byPath.get(f.path);
          if (s) add(s);
        }
      }
      for (const f of files) add(f);
      continue;
    }
    if (!st.isFile()) {
      result.notFound.push(given);
      continue;
    }
    if (isDicomdirName(path.basename(p)) || (await isDirectoryFile(p))) {
      const scan = await scanDicomdir(p);
      const fallbackScan = scan.broken !== null;
      result.dicomdirs.push({ ...scan, fallbackScan });
      if (fallbackScan) {
        const files: SourceFile[] = [];
        await walk(path.dirname(p), files, [], signal);
        for (const f of files) add(f);
      } else {
        for (const f of scan.files) {
          const s = await fsp.stat(f.path).catch(() => null);
          if (s?.isFile()) add({ path: f.path, size: s.size });
        }
      }
      continue;
    }
    add({ path: p, size: st.size });
  }
  return result;
}
