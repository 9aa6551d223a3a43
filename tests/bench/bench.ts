// `npm run bench`: calls every run*Bench() exported by tests/bench/*Bench.ts and prints one table.
// Bundled to dist/bench/bench.cjs; esbuild bundles every *Bench.ts through the template import below.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { BenchRow } from './benchTypes';
import { assemblyChild, ASSEMBLY_CHILD_FLAG, decodeChild, DECODE_CHILD_FLAG, repoRoot } from './engineBench';
import { browserGenChild, BROWSER_GEN_CHILD_FLAG } from './browserBench';

// Same libuv pool size as the app and the CLI (fsync-heavy encrypted writes), so the import row measures what users get.
process.env['UV_THREADPOOL_SIZE'] ??= '16';

type BenchModule = Record<string, unknown>;

async function loadModules(): Promise<Array<[string, BenchModule]>> {
  const dir = path.join(repoRoot(), 'tests/bench');
  const names = readdirSync(dir).filter((n) => /^[a-zA-Z0-9]+Bench\.ts$/.test(n)).sort();
  const out: Array<[string, BenchModule]> = [];
  for (const n of names) {
    const base = n.replace(/Bench\.ts$/, '');
    out.push([n, (await import(`./${base}Bench.ts`)) as BenchModule]);
  }
  return out;
}

function fmtNumber(v: number): string {
  if (!Number.isFinite(v) || Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toFixed(3);
}

export function formatTable(rows: BenchRow[]): string {
  const cells = rows.map((r) => [
    r.group, r.name, `${fmtNumber(r.value)} ${r.unit}`, r.ratio === undefined ? '' : `${fmtNumber(r.ratio)}x`, r.target ?? '',
    r.pass === undefined ? '' : r.pass ? 'PASS' : 'FAIL',
  ]);
  const head = ['group', 'measure', 'value', 'ratio', 'target', 'result'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((s, i) => (i === 2 || i === 3 ? s.padStart(widths[i]!) : s.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

async function main(): Promise<void> {
  if (process.argv[2] === ASSEMBLY_CHILD_FLAG) {
    await assemblyChild(process.argv[3] ?? '');
    return;
  }
  if (process.argv[2] === DECODE_CHILD_FLAG) {
    await decodeChild();
    return;
  }
  if (process.argv[2] === BROWSER_GEN_CHILD_FLAG) {
    await browserGenChild();
    return;
  }
  const only = process.argv[2];
  const rows: BenchRow[] = [];
  for (const [file, mod] of await loadModules()) {
    for (const [name, fn] of Object.entries(mod)) {
      if (!/^run\w*Bench$/.test(name) || typeof fn !== 'function') continue;
      if (only && !name.toLowerCase().includes(only.toLowerCase())) continue;
      process.stderr.write(`bench: ${file} ${name}...\n`);
      try {
        rows.push(...((await (fn as () => Promise<BenchRow[]>)()) ?? []));
      } catch (e) {
        rows.push({ group: file.replace(/\.ts$/, ''), name: `${name} failed: ${e instanceof Error ? e.message : String(e)}`, value: NaN, unit: '', pass: false });
      }
    }
  }
  console.log(formatTable(rows));
  const failed = rows.filter((r) => r.pass === false).length;
  const passed = rows.filter((r) => r.pass === true).length;
  console.log(`\n${passed} target(s) met, ${failed} missed`);
}

main().catch((e: unknown) => {
  console.error(`bench: ${e instanceof Error ? e.stack : String(e)}`);
  process.exitCode = 1;
});
