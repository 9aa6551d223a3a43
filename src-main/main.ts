// Wires the Electron platform to the services. Nothing else wires anything (DESIGN.md section 1).
import { app, type BrowserWindow } from 'electron';
import { join } from 'node:path';
import { createAppServices } from './services/app/appServices';
import { createNodeCodecs } from './services/codecs/nodeCodecs';
import { MemoryStudyStore } from './services/store/memoryStudyStore';
import { createMainWindow } from './platform/createWindow';
import { electronDialogs } from './platform/electronDialogs';
import { appSession, prepareElectronApp } from './platform/electronApp';
import { handleAppProtocol } from './platform/registerProtocol';
import { registerIpc, webContentsEventSink } from './platform/registerIpc';

if (!prepareElectronApp()) {
  app.quit();
} else {
  let win: BrowserWindow | null = null;
  app.on('second-instance', () => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  app.on('window-all-closed', () => app.quit());

  void app.whenReady().then(async () => {
    const ses = appSession();
    const services = createAppServices({
      store: new MemoryStudyStore(),
      storeKind: 'memory',
      codecs: await createNodeCodecs(),
      dialogs: electronDialogs(() => win),
      events: webContentsEventSink(() => win?.webContents ?? null),
      rendererDir: join(__dirname, '..', 'renderer'),
      version: app.getVersion(),
    });
    handleAppProtocol(ses, services.appProtocol);
    registerIpc(services.dispatch);
    win = createMainWindow(join(__dirname, '..', 'preload', 'preload.cjs'));
  });
}
