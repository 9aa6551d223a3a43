// Window presets: one list for the whole app. CT's are the usual radiology W/L pairs (HU), in the
// order of the number keys 1-8.
import type { SeriesView, VoiWindowInfo } from '../ipc/contract';

const ct = (explanation: string, width: number, center: number): VoiWindowInfo => ({ center, width, function: 'LINEAR', explanation });

export const CT_WINDOW_PRESETS: readonly VoiWindowInfo[] = [
  ct('Brain', 80, 40),
  ct('Subdural', 200, 75),
  ct('Stroke', 40, 40),
  ct('Lung', 1500, -600),
  ct('Mediastinum', 350, 50),
  ct('Abdomen', 400, 50),
  ct('Liver', 150, 30),
  ct('Bone', 1800, 400),
];

/** The presets a series offers, in number-key order: CT's own list then the file's windows for CT, else the file's windows. */
export function windowPresets(view: Pick<SeriesView, 'modality' | 'display'>): VoiWindowInfo[] {
  return view.modality === 'CT' ? [...CT_WINDOW_PRESETS, ...view.display.windows] : [...view.display.windows];
}
