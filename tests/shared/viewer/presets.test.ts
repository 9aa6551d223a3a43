// One preset list: CT's W/L pairs in number-key order, then the file's own windows.
import { describe, expect, it } from 'vitest';
import type { SeriesView, VoiWindowInfo } from '../../../src-shared/ipc/contract';
import { CT_WINDOW_PRESETS, windowPresets } from '../../../src-shared/viewer/presets';

const fileWindow: VoiWindowInfo = { center: 123, width: 456, function: 'LINEAR', explanation: 'FROM FILE' };
const view = (modality: string) => ({ modality, display: { windows: [fileWindow] } }) as unknown as Pick<SeriesView, 'modality' | 'display'>;

describe('window presets', () => {
  it('CT presets are the usual W/L pairs in key order 1-8', () => {
    expect(CT_WINDOW_PRESETS.map((p) => [p.explanation, p.width, p.center, p.function])).toEqual([
      ['Brain', 80, 40, 'LINEAR'], ['Subdural', 200, 75, 'LINEAR'], ['Stroke', 40, 40, 'LINEAR'], ['Lung', 1500, -600, 'LINEAR'],
      ['Mediastinum', 350, 50, 'LINEAR'], ['Abdomen', 400, 50, 'LINEAR'], ['Liver', 150, 30, 'LINEAR'], ['Bone', 1800, 400, 'LINEAR'],
    ]);
  });
  it('CT offers its presets then the file\'s windows; other modalities only the file\'s', () => {
    expect(windowPresets(view('CT'))).toEqual([...CT_WINDOW_PRESETS, fileWindow]);
    expect(windowPresets(view('MR'))).toEqual([fileWindow]);
  });
});
