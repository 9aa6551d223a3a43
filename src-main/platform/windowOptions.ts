// Every security-relevant window setting, decided here as plain data so a unit test can pin it.
import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';

export const SESSION_PARTITION = 'enclave-memory'; // no "persist:" prefix: Chromium keeps nothing on disk

export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    partition: SESSION_PARTITION,
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
    enableBlinkFeatures: '',
    disableBlinkFeatures: 'Auxclick', // middle-click would open links in new windows
    navigateOnDragDrop: false,
    safeDialogs: true,
    disableDialogs: true,
    autoplayPolicy: 'document-user-activation-required',
    devTools: process.env['ENCLAVE_DEVTOOLS'] === '1',
  };
}

export function mainWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Enclave',
    backgroundColor: '#101214',
    webPreferences: secureWebPreferences(preloadPath),
  };
}
