// Maps a URL path to a file inside one root, refusing anything that could escape it.
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

export function resolveInsideRoot(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/').filter((s) => s.length > 0);
  if (segments.some((s) => s === '..' || s === '.' || s.includes(':'))) return null;
  const rootAbs = resolve(root);
  const candidate = resolve(join(rootAbs, ...segments));
  const rel = relative(rootAbs, candidate);
  if (rel === '' ) return candidate;
  if (rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) return null;
  return candidate;
}
