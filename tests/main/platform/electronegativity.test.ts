// The Electronegativity gate must be able to fail: feed it a window with the classic mistakes.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const runner = resolve(__dirname, '../../../.ci/electronegativity.mjs');

describe('electronegativity gate', () => {
  it('fails on an insecure BrowserWindow and names the findings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'enclave-eng-bad-'));
    try {
      mkdirSync(join(dir, 'src'));
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'bad', devDependencies: { electron: '45.0.0' } }));
      writeFileSync(join(dir, 'src/main.ts'), [
        "import { BrowserWindow, app } from 'electron';",
        'app.whenReady().then(() => {',
        '  const w = new BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false, sandbox: false, webSecurity: false } });',
        "  w.loadURL('http://example.com');",
        '});',
      ].join('\n'));
      const r = spawnSync(process.execPath, [runner, dir], { encoding: 'utf8', timeout: 120_000 });
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/HIGH\s+\S+\s+CONTEXT_ISOLATION_JS_CHECK/);
      expect(r.stdout).toContain('WEB_SECURITY_JS_CHECK');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
