// Runs Electronegativity over the Electron code and fails on any HIGH or MEDIUM finding.
// Its CLI is broken against the commander it declares (15.x), and it exits 0 whatever it finds,
// so call its runner directly and read the CSV it writes.
import { createRequire } from 'node:module';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(join(tmpdir(), 'enclave-eng-'));
// Scan exactly the Electron-facing code: main process, preload, renderer (not node_modules or tests).
// A folder may be given (tests feed it known-bad code to prove the check fires).
const scanRoot = process.argv[2] ?? join(work, 'app');
if (!process.argv[2]) {
  for (const dir of ['src-main', 'src-renderer', 'src-shared']) cpSync(join(root, dir), join(scanRoot, dir), { recursive: true });
  cpSync(join(root, 'package.json'), join(scanRoot, 'package.json'));
  // The built page carries the CSP <meta> (injected at build time from csp.ts): scan it too.
  if (!existsSync(join(root, 'dist/renderer/index.html'))) {
    console.error('Build first (npm run build): the built renderer is part of what is scanned.');
    process.exit(1);
  }
  cpSync(join(root, 'dist/renderer/index.html'), join(scanRoot, 'renderer-dist/index.html'));
}
const output = join(work, 'report.csv');

const run = require('@doyensec/electronegativity/dist/runner.js');
const origLog = console.log;
console.log = () => {}; // it prints a progress table; the CSV is what we read
try {
  await run({
    input: scanRoot, output, isSarif: false, customScan: [], excludeFromScan: [], severitySet: undefined,
    confidenceSet: undefined, isRelative: true, isVerbose: false, electronUpgrade: undefined,
    electronVersionOverride: '45.4.1', parserPlugins: [],
  }, false);
} finally {
  console.log = origLog;
}
// It writes the CSV with a callback it does not await: wait for the file to settle.
let text = '';
for (let i = 0; i < 100; i++) {
  await new Promise((r) => setTimeout(r, 100));
  if (!existsSync(output)) continue;
  const next = readFileSync(output, 'utf8');
  if (next.length > 0 && next === text) break;
  text = next;
}
if (!text) {
  console.error('Electronegativity wrote no report: the check did not run.');
  process.exit(1);
}
const parseCsvLine = (line) => [...line.matchAll(/"((?:[^"]|"")*)"|([^,]+)|(?<=,)(?=,|$)/g)].map((m) => (m[1] ?? m[2] ?? '').replace(/""/g, '"'));
const rows = text.trim().split(/\r?\n/).slice(1).filter(Boolean).map(parseCsvLine);
const findings = rows.map((c) => ({ issue: c[0], severity: c[1] ?? '', confidence: c[2] ?? '', file: c[3], location: c[4], description: c[6] }));
const serious = findings.filter((f) => /^(HIGH|MEDIUM)$/i.test(f.severity));
console.log(`electronegativity: ${findings.length} findings (${serious.length} HIGH/MEDIUM)`);
for (const f of findings) console.log(`  ${f.severity.padEnd(13)} ${f.confidence.padEnd(10)} ${f.issue} ${f.file}:${f.location}`);
rmSync(work, { recursive: true, force: true });
if (serious.length > 0) {
  console.error('Electronegativity found HIGH/MEDIUM issues: fix them (or document a false positive with a check exclusion and a reason).');
  process.exit(1);
}
