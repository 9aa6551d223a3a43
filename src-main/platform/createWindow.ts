// The main window, hardened: options from windowOptions.ts, navigation and new windows refused.
import { BrowserWindow } from 'electron';
import { APP_ORIGIN } from '../services/protocol/appProtocol';
import { shouldPreventNavigation, windowOpenDecision } from './sessionPolicy';
import { mainWindowOptions } from './windowOptions';

export function createMainWindow(preloadPath: string): BrowserWindow {
  const options = mainWindowOptions(preloadPath);
  // The decisive flags are restated literally (same values as windowOptions.ts, pinned by its unit test) so
  // that static checkers such as Electronegativity can see them at the construction site.
  const win = new BrowserWindow({
    ...options,
    webPreferences: { ...options.webPreferences, contextIsolation: true, sandbox: true, nodeIntegration: false, disableBlinkFeatures: 'Auxclick' },
  });
  const wc = win.webContents;
  wc.setWindowOpenHandler(() => windowOpenDecision());
  wc.on('will-navigate', (event, url) => { if (shouldPreventNavigation(url)) event.preventDefault(); });
  wc.on('will-redirect', (event, url) => { if (shouldPreventNavigation(url)) event.preventDefault(); });
  wc.on('will-attach-webview', (event) => event.preventDefault());
  wc.on('will-frame-navigate', (event) => { if (!event.isMainFrame) event.preventDefault(); });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}
