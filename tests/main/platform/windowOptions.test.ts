import { describe, expect, it } from 'vitest';
import { mainWindowOptions, SESSION_PARTITION } from '../../../src-main/platform/windowOptions';

describe('main window options', () => {
  const prefs = mainWindowOptions('/app/preload.cjs').webPreferences!;

  it('isolates and sandboxes the renderer', () => {
    expect(prefs).toMatchObject({
      disableBlinkFeatures: 'Auxclick',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      spellcheck: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      preload: '/app/preload.cjs',
    });
  });

  it('uses an in-memory session partition so Chromium writes no profile to disk', () => {
    expect(prefs.partition).toBe(SESSION_PARTITION);
    expect(prefs.partition!.startsWith('persist:')).toBe(false);
  });

  it('keeps devtools off unless explicitly asked for', () => {
    const saved = process.env['ENCLAVE_DEVTOOLS'];
    delete process.env['ENCLAVE_DEVTOOLS'];
    expect(mainWindowOptions('/p').webPreferences!.devTools).toBe(false);
    if (saved !== undefined) process.env['ENCLAVE_DEVTOOLS'] = saved;
  });
});
