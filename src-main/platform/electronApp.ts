// The Electron process-level switches: sandbox everywhere, nothing that phones home, one instance.
import { app, session } from 'electron';
import { CHROMIUM_SWITCHES } from './sessionPolicy';
import { SESSION_PARTITION } from './windowOptions';
import { hardenSession } from './hardenSession';
import { registerAppScheme } from './registerProtocol';

/** Call first, before 'ready'. Returns false when another instance already runs (this one must quit). */
export function prepareElectronApp(): boolean {
  app.enableSandbox();
  for (const [name, value] of CHROMIUM_SWITCHES) app.commandLine.appendSwitch(name, value);
  app.setPath('crashDumps', app.getPath('temp')); // crash reports stay local; nothing uploads them
  registerAppScheme();
  if (!app.requestSingleInstanceLock()) return false;
  app.on('web-contents-created', (_e, wc) => {
    wc.on('will-attach-webview', (event) => event.preventDefault());
    wc.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
  return true;
}

export function appSession(): Electron.Session {
  const ses = session.fromPartition(SESSION_PARTITION, { cache: false });
  hardenSession(ses);
  return ses;
}
