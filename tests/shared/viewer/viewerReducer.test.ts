// The viewer state machine: layouts, per-viewport view changes, undoable annotations and scroll sync.
import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../../src-shared/dicom/types';
import type { SeriesView } from '../../../src-shared/ipc/contract';
import { linkedSlices, syncedCameras, syncedSlices, viewerReducer, type ViewerAction } from '../../../src-shared/viewer/viewerReducer';
import { UNDO_LIMIT, initialViewerState, layoutCells, type Annotation, type ViewerState } from '../../../src-shared/viewer/viewerState';
import { fitCamera, planeOfSlice, screenToWorld, sliceNearest, worldToScreen } from '../../../src-shared/viewer/viewGeometry';
import { LESION, phantomGrid, type Grid } from './phantomViews';

const run = (actions: ViewerAction[], from: ViewerState = initialViewerState()) => actions.reduce(viewerReducer, from);
const ann = (id: string, x = 0): Annotation => ({ id, kind: 'length', seriesId: 's1', frameOfReferenceUid: '1.2.3', sopInstanceUid: '1.2.3.4', frameIndex: 0, points: [[x, 0, 0], [x + 10, 0, 0]] });

describe('layout', () => {
  it('layoutCells reads rows x columns', () => {
    expect(layoutCells('2x3')).toEqual({ rows: 2, cols: 3 });
    expect(layoutCells('1x2')).toEqual({ rows: 1, cols: 2 });
  });

  it('keeps existing viewports in order, extends with empty ones and truncates; active stays inside', () => {
    let s = run([{ type: 'layout', layout: '2x2' }, { type: 'assign', viewport: 0, seriesId: 'a', slice: 3 }, { type: 'assign', viewport: 3, seriesId: 'd', slice: 1 }, { type: 'activate', viewport: 3 }]);
    expect(s.viewports.map((v) => v.seriesId)).toEqual(['a', null, null, 'd']);
    s = viewerReducer(s, { type: 'layout', layout: '3x3' });
    expect(s.viewports.map((v) => v.seriesId)).toEqual(['a', null, null, 'd', null, null, null, null, null]);
    expect(s.viewports[0]!.slice).toBe(3);
    s = viewerReducer(s, { type: 'layout', layout: '1x2' });
    expect(s.viewports.map((v) => v.seriesId)).toEqual(['a', null]);
    expect(s.active).toBe(1);
  });
});

describe('viewport actions', () => {
  const plane = planeOfSlice(phantomGrid('ct-axial'), 40);
  const vp = { width: 600, height: 400 };
  const fitted = run([{ type: 'assign', viewport: 0, seriesId: 'ct', slice: 5 }, { type: 'camera', viewport: 0, camera: fitCamera(plane, vp) }]);

  it('slice clamps to the series, activate ignores viewports that do not exist, no-ops return the same state', () => {
    expect(viewerReducer(fitted, { type: 'slice', viewport: 0, slice: 99, sliceCount: 80 }).viewports[0]!.slice).toBe(79);
    expect(viewerReducer(fitted, { type: 'slice', viewport: 0, slice: -4, sliceCount: 80 }).viewports[0]!.slice).toBe(0);
    expect(viewerReducer(fitted, { type: 'slice', viewport: 0, slice: 5, sliceCount: 80 })).toBe(fitted);
    expect(viewerReducer(fitted, { type: 'activate', viewport: 4 })).toBe(fitted);
    expect(viewerReducer(fitted, { type: 'invert', viewport: 7 })).toBe(fitted);
  });

  it('rotate +1 turns the picture clockwise on screen and keeps the focal point; -1 undoes it', () => {
    const cam = fitted.viewports[0]!.camera!;
    const above = screenToWorld(plane, cam, vp, [300, 100]);
    const turned = viewerReducer(fitted, { type: 'rotate', viewport: 0, quarterTurns: 1 });
    expect(turned.viewports[0]!.camera!.focal).toEqual(cam.focal);
    expect(worldToScreen(plane, turned.viewports[0]!.camera!, vp, above).map(Math.round)).toEqual([400, 200]);
    expect(viewerReducer(turned, { type: 'rotate', viewport: 0, quarterTurns: -1 }).viewports[0]!.camera).toEqual(cam);
    expect(run([{ type: 'rotate', viewport: 0, quarterTurns: -1 }], fitted).viewports[0]!.camera!.rotation).toBe(3);
  });

  it('flip mirrors what is on screen now, whatever the rotation', () => {
    for (const turns of [0, 1, 2, 3]) {
      const rotated = run(Array.from({ length: turns }, () => ({ type: 'rotate', viewport: 0, quarterTurns: 1 }) as ViewerAction), fitted);
      const cam = rotated.viewports[0]!.camera!;
      const p = screenToWorld(plane, cam, vp, [100, 50]);
      const h = viewerReducer(rotated, { type: 'flip', viewport: 0, axis: 'h' }).viewports[0]!.camera!;
      const v = viewerReducer(rotated, { type: 'flip', viewport: 0, axis: 'v' }).viewports[0]!.camera!;
      expect(worldToScreen(plane, h, vp, p).map(Math.round), `h after ${turns}`).toEqual([500, 50]);
      expect(worldToScreen(plane, v, vp, p).map(Math.round), `v after ${turns}`).toEqual([100, 350]);
    }
  });

  it('rotate and flip before the camera is fitted change nothing', () => {
    const unfitted = run([{ type: 'assign', viewport: 0, seriesId: 'ct', slice: 0 }]);
    expect(viewerReducer(unfitted, { type: 'rotate', viewport: 0, quarterTurns: 1 })).toBe(unfitted);
    expect(viewerReducer(unfitted, { type: 'flip', viewport: 0, axis: 'h' })).toBe(unfitted);
  });

  it('resetView clears camera, window and inversion; assign starts a fresh viewport', () => {
    const w = { center: 1, width: 2, function: 'LINEAR' as const, explanation: 'x' };
    const s = run([{ type: 'window', viewport: 0, window: w }, { type: 'invert', viewport: 0 }, { type: 'cine', viewport: 0, playing: true }], fitted);
    expect(s.viewports[0]).toMatchObject({ window: w, invert: true, cine: { playing: true, fps: 15 } });
    expect(viewerReducer(s, { type: 'resetView', viewport: 0 }).viewports[0]).toMatchObject({ camera: null, window: null, invert: false, seriesId: 'ct', slice: 5 });
    expect(viewerReducer(s, { type: 'assign', viewport: 0, seriesId: 'mr', slice: 2 }).viewports[0]).toEqual({ seriesId: 'mr', slice: 2, camera: null, window: null, invert: false, cine: null });
  });

  it('cine fps is kept within 1..120', () => {
    expect(run([{ type: 'cine', viewport: 0, fps: 500 }], fitted).viewports[0]!.cine).toEqual({ playing: false, fps: 120 });
    expect(run([{ type: 'cine', viewport: 0, fps: 0 }, { type: 'cine', viewport: 0, playing: true }], fitted).viewports[0]!.cine).toEqual({ playing: true, fps: 1 });
  });

  it('tool, sync, hideIdentifying and overlays', () => {
    const s = run([{ type: 'tool', tool: 'ellipse' }, { type: 'sync', panZoom: true }, { type: 'hideIdentifying', hide: true }, { type: 'overlay', key: 'scaleBar', visible: false }]);
    expect(s).toMatchObject({ tool: 'ellipse', sync: { scroll: true, panZoom: true }, hideIdentifying: true, overlays: { corners: true, orientation: true, scaleBar: false, annotations: true } });
  });
});

describe('annotations: undo and redo', () => {
  it('add, move and delete are undone and redone in order; a new edit clears redo', () => {
    const s = run([{ type: 'addAnnotation', annotation: ann('a') }, { type: 'addAnnotation', annotation: ann('b') }, { type: 'moveAnnotation', id: 'a', points: [[1, 1, 1], [2, 2, 2]] }, { type: 'deleteAnnotation', id: 'b' }]);
    expect(s.annotations).toEqual([{ ...ann('a'), points: [[1, 1, 1], [2, 2, 2]] }]);
    const u1 = viewerReducer(s, { type: 'undo' });
    expect(u1.annotations.map((a) => a.id)).toEqual(['a', 'b']);
    const u2 = viewerReducer(u1, { type: 'undo' });
    expect(u2.annotations).toEqual([ann('a'), ann('b')]);
    const r = viewerReducer(u2, { type: 'redo' });
    expect(r.annotations).toEqual(u1.annotations);
    const edited = viewerReducer(u2, { type: 'addAnnotation', annotation: ann('c') });
    expect(edited.redo).toEqual([]);
    expect(viewerReducer(edited, { type: 'redo' })).toBe(edited);
    expect(run([{ type: 'undo' }, { type: 'undo' }, { type: 'undo' }, { type: 'undo' }, { type: 'undo' }], s).annotations).toEqual([]);
  });

  it('the undo stack keeps the last 100 edits', () => {
    const actions: ViewerAction[] = Array.from({ length: 130 }, (_, i) => ({ type: 'addAnnotation', annotation: ann(`n${i}`, i) }));
    let s = run(actions);
    expect(s.undo.length).toBe(UNDO_LIMIT);
    for (let i = 0; i < 200; i++) s = viewerReducer(s, { type: 'undo' });
    expect(s.annotations.length).toBe(30);
  });

  it('selection follows the annotation: a deleted or undone annotation is no longer selected', () => {
    let s = run([{ type: 'addAnnotation', annotation: ann('a') }, { type: 'addAnnotation', annotation: ann('b') }]);
    expect(s.selected).toBe('b');
    s = viewerReducer(s, { type: 'select', id: 'a' });
    expect(s.selected).toBe('a');
    expect(viewerReducer(s, { type: 'select', id: 'zzz' }).selected).toBeNull();
    expect(viewerReducer(s, { type: 'deleteAnnotation', id: 'a' }).selected).toBeNull();
    expect(run([{ type: 'undo' }, { type: 'undo' }], s).selected).toBeNull();
  });

  it('setAnnotations (loaded from the store) is not undoable', () => {
    const s = run([{ type: 'addAnnotation', annotation: ann('a') }, { type: 'setAnnotations', annotations: [ann('x'), ann('y')] }]);
    expect(s.annotations.map((a) => a.id)).toEqual(['x', 'y']);
    expect(viewerReducer(s, { type: 'undo' })).toBe(s);
  });

  it('the state is plain data: it survives JSON', () => {
    const s = run([{ type: 'addAnnotation', annotation: ann('a') }, { type: 'layout', layout: '2x2' }]);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });
});

describe('scroll sync by position', () => {
  const view = (seriesId: string, grid: Grid, frameOfReferenceUid: string, kind: SeriesView['kind'] = 'volume') => ({ ...grid, seriesId, frameOfReferenceUid, kind }) as SeriesView;
  const views = new Map<string, SeriesView>([
    ['axial', view('axial', phantomGrid('ct-axial'), 'FOR1')],
    ['oblique', view('oblique', phantomGrid('ct-oblique'), 'FOR1')],
    ['sagittal', view('sagittal', phantomGrid('mr-sagittal'), 'FOR1')],
    ['other', view('other', phantomGrid('ct-axial'), 'FOR2')],
    ['xray', view('xray', phantomGrid('ct-axial'), 'FOR1', 'images')],
  ]);
  const byId = (id: string) => views.get(id);
  const base = run([
    { type: 'layout', layout: '2x3' },
    ...['axial', 'oblique', 'sagittal', 'other', 'xray'].map((seriesId, viewport) => ({ type: 'assign', viewport, seriesId, slice: 0 }) as ViewerAction),
  ]);

  it('moves parallel-enough volumes of the same Frame of Reference to the slice nearest the point; leaves the others', () => {
    const point: Vec3 = LESION;
    const s = syncedSlices(base, 0, point, byId);
    const slices = s.viewports.map((v) => v.slice);
    expect(slices[1]).toBe(sliceNearest(phantomGrid('ct-oblique'), point));
    expect(slices[1]).toBeGreaterThan(0);
    expect(slices.slice(2)).toEqual([0, 0, 0, 0]); // sagittal (perpendicular), other FoR, 2D images, empty
    expect(slices[0]).toBe(0); // the source is the caller's to move
  });

  it('does nothing when scroll sync is off or the source is not a volume', () => {
    const off = viewerReducer(base, { type: 'sync', scroll: false });
    expect(syncedSlices(off, 0, LESION, byId)).toBe(off);
    expect(syncedSlices(base, 4, LESION, byId)).toBe(base);
  });
});

describe('manual link and pan/zoom sync', () => {
  const view = (id: string, frameOfReferenceUid: string, n: number) => ({ seriesId: id, frameOfReferenceUid, dimensions: [10, 10, n] }) as unknown as SeriesView;
  const views = new Map([['a', view('a', 'F1', 50)], ['b', view('b', 'F2', 20)], ['c', view('c', 'F1', 30)]]);
  const cam = (x: number, mmPerPx: number) => ({ focal: [x, 0, 0] as [number, number, number], mmPerPx, rotation: 0 as const, flipH: false, flipV: false });
  const three = () => {
    let s = viewerReducer(initialViewerState(), { type: 'layout', layout: '1x2' });
    s = viewerReducer(s, { type: 'layout', layout: '2x2' });
    s = viewerReducer(s, { type: 'assign', viewport: 0, seriesId: 'a', slice: 10 });
    s = viewerReducer(s, { type: 'assign', viewport: 1, seriesId: 'b', slice: 18 });
    s = viewerReducer(s, { type: 'assign', viewport: 2, seriesId: 'c', slice: 5 });
    for (const [i, x] of [[0, 1], [1, 2], [2, 3]] as const) s = viewerReducer(s, { type: 'camera', viewport: i, camera: cam(x, 0.5 + i) });
    return s;
  };

  it('moves every other viewport by the same number of slices when linked, clamped to its series, and not at all when unlinked', () => {
    const s = three();
    expect(linkedSlices(s, 0, 3, (id) => views.get(id)!.dimensions[2])).toBe(s);
    const linked = viewerReducer(s, { type: 'sync', link: true });
    const moved = linkedSlices(linked, 0, 3, (id) => views.get(id)!.dimensions[2]);
    expect(moved.viewports.map((v) => v.slice)).toEqual([10, 19, 8, 0]);
    expect(linkedSlices(linked, 0, 5, (id) => views.get(id)!.dimensions[2]).viewports[1]!.slice).toBe(19);
  });

  it('gives other viewports the source scale, and the same centre only within the same frame of reference', () => {
    const s = viewerReducer(three(), { type: 'sync', panZoom: true });
    const next = syncedCameras(s, 0, (id) => views.get(id));
    expect(next.viewports[1]!.camera).toMatchObject({ mmPerPx: 0.5, focal: [2, 0, 0] });
    expect(next.viewports[2]!.camera).toMatchObject({ mmPerPx: 0.5, focal: [1, 0, 0] });
    expect(syncedCameras(three(), 0, (id) => views.get(id))).toEqual(three());
  });
});

describe('unassign', () => {
  it('empties exactly the viewports showing the series that left', () => {
    let s = viewerReducer(initialViewerState(), { type: 'layout', layout: '1x2' });
    s = viewerReducer(s, { type: 'assign', viewport: 0, seriesId: 'qv-a', slice: 3 });
    s = viewerReducer(s, { type: 'assign', viewport: 1, seriesId: 'b', slice: 2 });
    const after = viewerReducer(s, { type: 'unassign', seriesIds: ['qv-a'] });
    expect(after.viewports.map((v) => v.seriesId)).toEqual([null, 'b']);
    expect(viewerReducer(after, { type: 'unassign', seriesIds: ['qv-a'] })).toBe(after);
  });
});
