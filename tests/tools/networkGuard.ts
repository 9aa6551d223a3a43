// The privacy promise as a check: no network module outside src-main/services/network/ (the egress
// gate's folder, DESIGN.md section 4), and no remote URL in the renderer. Used by tests/shared/networkGuard.test.ts on the real tree and on violations.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const NET_MODULES = ['http', 'https', 'http2', 'net', 'tls', 'dgram', 'dns', 'undici', 'dns/promises', 'ws', 'axios', 'node-fetch', 'dcmjs-dimse'];
const modulePattern = `(?:node:)?(?:${NET_MODULES.map((m) => m.replace('/', '\\/').replace('-', '\\-')).join('|')})`;
const IMPORT_RE = new RegExp(`(?:from\\s*|import\\s*\\(\\s*|require\\s*\\(\\s*|import\\s+)['"\`]${modulePattern}['"\`]`);
const FETCH_RE = /(?<![\w.])fetch\s*\(|globalThis\s*\.\s*fetch|\bXMLHttpRequest\b|\bWebSocket\b|\bEventSource\b|\bnavigator\s*\.\s*sendBeacon/;
const REMOTE_URL_RE = /['"`](?:https?|wss?|ftp):\/\/(?!enclave\/)/;

export interface Violation { file: string; line: number; rule: string; text: string }

export function checkMainSource(file: string, text: string): Violation[] {
  if (file.replace(/\\/g, '/').includes('src-main/services/network/')) return [];
  return scanLines(file, text, [['network-module', IMPORT_RE], ['fetch', FETCH_RE]]);
}

export function checkRendererSource(file: string, text: string): Violation[] {
  return scanLines(file, text, [['remote-url', REMOTE_URL_RE], ['network-api', /\bXMLHttpRequest\b|\bWebSocket\b|\bEventSource\b|sendBeacon/]]);
}

function scanLines(file: string, text: string, rules: [string, RegExp][]): Violation[] {
  const out: Violation[] = [];
  text.split('\n').forEach((line, i) => {
    const code = line.replace(/(^|[^:])\/\/.*$/, '$1'); // a comment, but not the // of a URL
    for (const [rule, re] of rules) if (re.test(code)) out.push({ file, line: i + 1, rule, text: line.trim() });
  });
  return out;
}

export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (/\.(ts|tsx|js|mjs|cjs)$/.test(e.name)) out.push(p);
  }
  return out;
}

export function scanRepo(repo: string): Violation[] {
  const out: Violation[] = [];
  for (const f of sourceFiles(join(repo, 'src-main'))) out.push(...checkMainSource(relative(repo, f), readFileSync(f, 'utf8')));
  for (const f of sourceFiles(join(repo, 'src-shared'))) out.push(...checkMainSource(relative(repo, f), readFileSync(f, 'utf8')));
  for (const f of sourceFiles(join(repo, 'src-renderer'))) out.push(...checkRendererSource(relative(repo, f), readFileSync(f, 'utf8')));
  return out;
}
