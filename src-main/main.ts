// Wires the Electron platform to the services. Nothing else wires anything (DESIGN.md section 1).
// Encrypted blob writes fsync in libuv's pool: 4 threads serialise them (measured 167 -> 470 MB/s at 16).
import { app, type BrowserWindow } from 'electron';
import { join } from 'node:path';
import { createAppServices } from './services/app/appServices';
import { createPolicyWiring } from './services/app/policyWiring';
import { createNodeCodecs } from './services/codecs/nodeCodecs';
import { StoreSession } from './services/app/storeSession';
import { KeytarKeyStore } from './services/keys/keytarKeyStore';
import { AuthSession } from './services/users/authSession';
import { loadMachinePolicy } from './services/policy/machinePolicy';
import { createMainWindow } from './platform/createWindow';
import { electronDialogs } from './platform/electronDialogs';
import { appSession, prepareElectronApp } from './platform/electronApp';
import { installVerifiedUpdate, startNetworkServices } from './platform/networkStartup';
import { handleAppProtocol } from './platform/registerProtocol';
import { registerIpc, webContentsEventSink } from './platform/registerIpc';

// libuv reads this when its pool starts, at the first async fs call (after module loading, before any import job runs).
process.env['UV_THREADPOOL_SIZE'] ??= '16';

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
    // The machine policy, read once; the network side starts behind the egress gate (nothing is allowed
    // without a policy). Retention: the policy's CacheRetentionDays, else ENCLAVE_RETENTION_DAYS.
    const policy = await loadMachinePolicy();
    const wiring = createPolicyWiring({ policy, retentionEnv: process.env['ENCLAVE_RETENTION_DAYS'], startNetwork: (audit) => startNetworkServices(policy, audit) });
    // The encrypted cache lives in the user's data folder; ENCLAVE_DATA_DIR lets IT point it elsewhere.
    const cache = new StoreSession(
      process.env['ENCLAVE_DATA_DIR'] ?? join(app.getPath('userData'), 'store'),
      new KeytarKeyStore(),
      wiring.retentionDays,
      wiring.cacheOpened,
    );
    // User accounts: once any exist, the cache waits for a login (the keychain no longer opens it at start).
    // Account events before the cache opens (failed logins) wait in the policy wiring's held audit.
    const auth = new AuthSession({ cache, policy: policy.effective, audit: wiring.audit });
    await cache.start();
    await auth.start();
    app.on('will-quit', () => auth.dispose());
    app.on('will-quit', () => void cache.close());
    app.on('will-quit', () => wiring.stop());
    // A verified update waiting (policy: auto download and install at quit) is installed as the app quits.
    let installing = false;
    app.on('before-quit', (event) => {
      const update = installing ? null : wiring.updateToInstall();
      if (!update) return;
      installing = true;
      event.preventDefault();
      void installVerifiedUpdate(wiring.network, update).then((started) => started || app.quit(), () => app.quit());
    });
    const services = createAppServices({
      cache,
      storeKind: 'encrypted',
      codecs: await createNodeCodecs(),
      dialogs: electronDialogs(() => win),
      events: webContentsEventSink(() => win?.webContents ?? null),
      rendererDir: join(__dirname, '..', 'renderer'),
      version: app.getVersion(),
      decodeWorkerPath: join(__dirname, 'decodeWorker.cjs'),
      importWorkerPath: join(__dirname, 'importWorker.cjs'),
      policy: wiring.appPolicy,
      auth,
    });
    app.on('will-quit', () => void services.series.close());
    handleAppProtocol(ses, services.appProtocol);
    registerIpc(services.dispatch);
    win = createMainWindow(join(__dirname, '..', 'preload', 'preload.cjs'));
    wiring.startUpdates();
  });
}
