// The one entry point: the machine-wide policy of this platform, read once at start-up.
import { loadPolicyFile, LINUX_POLICY_PATH } from './policyFile';
import { loadManagedPreferences, managedPreferencesPath } from './managedPreferences';
import { loadRegistryPolicy, nativeRegReader, type RegistryReader } from './registryPolicy';
import { noPolicy, untrustedPolicy, type LoadedPolicy } from './effectivePolicy';

/** electron-builder.yml's appId: the macOS preference domain an MDM profile targets. */
export const APP_ID = 'org.enclave.viewer';

export async function loadMachinePolicy(platform: NodeJS.Platform = process.platform, registry?: () => RegistryReader): Promise<LoadedPolicy> {
  if (platform === 'linux') return loadPolicyFile(LINUX_POLICY_PATH);
  if (platform === 'darwin') return loadManagedPreferences(managedPreferencesPath(APP_ID));
  if (platform === 'win32') {
    let reader: RegistryReader;
    try {
      reader = (registry ?? nativeRegReader)();
    } catch (e) {
      // Without the reader the machine's policy is unknown: lock down rather than guess there is none.
      return untrustedPolicy('refused', 'HKLM\\SOFTWARE\\Policies\\Enclave', [`The registry reader is missing: ${(e as Error).message}.`]);
    }
    return loadRegistryPolicy(reader);
  }
  return noPolicy(`no machine policy on ${platform}`);
}
