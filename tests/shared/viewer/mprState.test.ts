// The MPR state reducer: linked and unlinked window/level, slab limits, rotation as data, reset, and the
// viewer model's open/close of the MPR layout.
import { describe, expect, it } from 'vitest';
import { mprNormal, PATIENT_FRAME } from '../../../src-shared/viewer/mprGeometry';
import { initialMprState, mprReducer, mprWindowOf, MAX_SLAB_MM, type MprState } from '../../../src-shared/viewer/mprState';
import { viewerReducer } from '../../../src-shared/viewer/viewerReducer';
import { initialViewerState } from '../../../src-shared/viewer/viewerState';
import { phantomGrid } from './phantomViews';

const grid = phantomGrid('ct-axial');
const start = (): MprState => initialMprState({ seriesId: 's1', modality: 'CT', ...grid });
const bone = { center: 400, width: 1800, function: 'LINEAR' as const, explanation: 'bone' };
const lung = { center: -600, width: 1500, function: 'LINEAR' as const, explanation: 'lung' };

describe('mprReducer', () => {
  it('starts at the volume centre on the patient axes with a CT bone 3D preset', () => {
    const s = start();
    expect(s.frame).toEqual(PATIENT_FRAME);
    expect(s.centre[2]).toBeCloseTo(0, 6);
    expect(s.volume3d.preset).toBe('CT bone');
    expect(initialMprState({ seriesId: 'm', modality: 'MR', ...grid }).volume3d.preset).toBe('MR default');
  });

  it('links window/level across the three views, and unlinked keeps each its own', () => {
    let s = mprReducer(start(), { type: 'window', view: 'coronal', window: bone });
    for (const v of ['axial', 'coronal', 'sagittal'] as const) expect(mprWindowOf(s, v)).toEqual(bone);
    s = mprReducer(s, { type: 'linkWindow', linked: false });
    s = mprReducer(s, { type: 'window', view: 'sagittal', window: lung });
    expect(mprWindowOf(s, 'sagittal')).toEqual(lung);
    expect(mprWindowOf(s, 'axial')).toEqual(bone);
    s = mprReducer(mprReducer(s, { type: 'activate', view: 'sagittal' }), { type: 'linkWindow', linked: true });
    for (const v of ['axial', 'coronal', 'sagittal'] as const) expect(mprWindowOf(s, v)).toEqual(lung);
  });

  it('keeps the slab within 0..MAX_SLAB_MM and changes nothing for a no-op', () => {
    const s = start();
    expect(mprReducer(s, { type: 'slab', mm: -5 }).slab.mm).toBe(0);
    expect(mprReducer(s, { type: 'slab', mm: 1e9 }).slab.mm).toBe(MAX_SLAB_MM);
    expect(mprReducer(s, { type: 'slab', mm: 20, mode: 'minip' }).slab).toEqual({ mm: 20, mode: 'minip' });
    expect(mprReducer(s, { type: 'slab', mm: 0 })).toBe(s);
    expect(mprReducer(s, { type: 'rotate', view: 'axial', angle: 0 })).toBe(s);
  });

  it('rotates, then resets to the patient axes, fitted cameras and default window', () => {
    let s = mprReducer(start(), { type: 'rotate', view: 'axial', angle: 0.5 });
    expect(mprNormal(s.frame, 'coronal')[0]).not.toBeCloseTo(0, 3);
    s = mprReducer(s, { type: 'window', view: 'axial', window: bone });
    s = mprReducer(s, { type: 'slab', mm: 10 });
    s = mprReducer(s, { type: 'reset', centre: [1, 2, 3] });
    expect(s.frame).toEqual(PATIENT_FRAME);
    expect(s.centre).toEqual([1, 2, 3]);
    expect(s.slab.mm).toBe(0);
    expect(mprWindowOf(s, 'axial')).toBeNull();
  });

  it('orders crop box pairs and keeps them inside [0, 1]', () => {
    const s = mprReducer(start(), { type: 'crop', crop: [0.8, 0.2, -1, 2, 0.5, 0.5] });
    expect(s.volume3d.crop[0]).toBeCloseTo(0.2, 9);
    expect(s.volume3d.crop[1]).toBeCloseTo(0.8, 9);
    expect(s.volume3d.crop.slice(2, 4)).toEqual([0, 1]);
    expect(s.volume3d.crop[5]).toBeGreaterThan(s.volume3d.crop[4]);
  });

  it('view buttons bump a sequence so the same side can be asked for twice', () => {
    const a = mprReducer(start(), { type: 'viewFrom', from: 'L' });
    const b = mprReducer(a, { type: 'viewFrom', from: 'L' });
    expect(b.volume3d.view).toEqual({ from: 'L', seq: 2 });
  });
});

describe('viewer model: the MPR layout', () => {
  it('opens, forwards MPR actions, and closes back to the grid', () => {
    let v = initialViewerState();
    expect(v.mpr).toBeNull();
    expect(viewerReducer(v, { type: 'mpr', action: { type: 'invert' } })).toBe(v);
    v = viewerReducer(v, { type: 'openMpr', mpr: start() });
    v = viewerReducer(v, { type: 'mpr', action: { type: 'slab', mm: 20 } });
    expect(v.mpr?.slab.mm).toBe(20);
    v = viewerReducer(v, { type: 'openMpr', mpr: null });
    expect(v.mpr).toBeNull();
  });
});
