// Start-up of the network side inside Electron: the machine policy (read once), the update trust root
// shipped in resources/, where update state lives, and how this copy was installed (MSI and deb copies
// leave updating to IT and the package manager). The services themselves know nothing of Electron.
import { app } from 'electron';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createNetworkServices, type NetworkServices } from '../services/network/networkServices';
import type { EgressAudit } from '../services/network/egress';
import { installStep } from '../services/network/updates/installSteps';
import type { InstallKind, VerifiedUpdate } from '../services/network/updates/updateService';
import type { LoadedPolicy } from '../services/policy/effectivePolicy';

/** How this copy was installed, from where it runs (electron-builder's install locations). */
export function installKind(): InstallKind {
  if (!app.isPackaged) return 'dev';
  if (process.platform === 'darwin') return 'dmg';
  if (process.platform === 'linux') return process.env['APPIMAGE'] ? 'appimage' : 'deb';
  // NSIS installs per user under %LOCALAPPDATA%\Programs; the MSI per machine under Program Files.
  const local = process.env['LOCALAPPDATA'];
  return local && process.execPath.toLowerCase().startsWith(local.toLowerCase()) ? 'nsis' : 'msi';
}

export function startNetworkServices(policy: LoadedPolicy, audit: EgressAudit | null): NetworkServices {
  const root = app.isPackaged ? join(process.resourcesPath, 'update', 'root.json') : join(app.getAppPath(), 'assets', 'update', 'root.json');
  return createNetworkServices({
    policy,
    audit,
    trustedUpdateRoot: readFileSync(root),
    updateStateDir: join(app.getPath('userData'), 'updates'),
    version: app.getVersion(),
    platform: `${process.platform}-${process.arch}`,
    installKind: installKind(),
  });
}

/**
 * Installs an update TUF verified (UpdateService re-checks it first), then quits (an AppImage relaunches
 * itself). False where this copy does not install its own updates (MSI, deb, macOS for now, development).
 */
export async function installVerifiedUpdate(network: NetworkServices, update: VerifiedUpdate): Promise<boolean> {
  const kind = installKind();
  const step = installStep(kind);
  if (!step) return false;
  await network.updates.install(update, step);
  if (kind === 'appimage') app.relaunch();
  app.quit();
  return true;
}
