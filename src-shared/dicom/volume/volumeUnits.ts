// The unit a volume's scalars are in, for labels and for the UI's window presets.
import type { InstanceMeta } from '../types';

export function modalityUnits(meta: Pick<InstanceMeta, 'modality' | 'rescaleType'>): string {
  const type = meta.rescaleType.trim();
  // 'US' is "unspecified" in PS3.3 C.11.1.1.2, not a unit.
  if (type !== '' && type !== 'US') return type;
  return meta.modality === 'CT' ? 'HU' : '';
}
