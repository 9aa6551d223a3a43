// The 3D view: GPU ray casting (vtkVolumeMapper) of the same volume source the MPR views sample, sharing
// its 3D texture. Presets from src-shared/viewer/volumePresets (values in modality units, turned into the
// stored values the texture holds), shading, composite / MIP / MinIP, a crop box, A P L R S I views.
// Left-drag rotates, right-drag zooms, middle-drag pans; while dragging the ray step and image sampling
// coarsen and they return when the pointer is released.
import { useEffect, useRef, useState } from 'react';
import vtkPiecewiseFunction from '@kitware/vtk.js/Common/DataModel/PiecewiseFunction';
import vtkPlane from '@kitware/vtk.js/Common/DataModel/Plane';
import vtkColorTransferFunction from '@kitware/vtk.js/Rendering/Core/ColorTransferFunction';
import vtkRenderWindowInteractor from '@kitware/vtk.js/Rendering/Core/RenderWindowInteractor';
import vtkVolume from '@kitware/vtk.js/Rendering/Core/Volume';
import vtkVolumeMapper from '@kitware/vtk.js/Rendering/Core/VolumeMapper';
import type { SeriesView } from '../../src-shared/ipc/contract';
import type { Vec3 } from '../../src-shared/dicom/types';
import { indexToPatient } from '../../src-shared/dicom/volume/volumeSpace';
import { volumeCentre } from '../../src-shared/viewer/mprGeometry';
import { FULL_CROP, type Blend3D, type CropBox, type MprAction, type MprState, type ViewDirection } from '../../src-shared/viewer/mprState';
import { presetNamed, viewFromDirection, VOLUME_PRESETS, type VolumePreset } from '../../src-shared/viewer/volumePresets';
import type { ViewerAction } from '../../src-shared/viewer/viewerReducer';
import { createChildView, gpuBytes, textureExists, type ChildView } from '../views/renderRoot';
import { ownedVtk } from '../views/vtkOwnership';
import type { Grid, VolumeSource } from './volumeSource';

declare global {
  interface Window {
    /**
     * Bench hook (3D view open): a bare vtk.js volume render of the same data in the same context, drawn one frame
     * at a time (ms, finished) so the bench can alternate it with ours and both see the same machine load.
     */
    __enclaveBareVolume?: { open(): boolean; frame(rotate: boolean): number; close(): void };
    __enclaveGpuBytes?: () => number;
  }
}
window.__enclaveGpuBytes = gpuBytes;

interface Props {
  mpr: MprState;
  view: SeriesView;
  source: VolumeSource;
  dispatch(a: ViewerAction): void;
  revision: number;
}

/** Samples per voxel at rest; while dragging, half as many and a quarter of the rays. */
const REST = { sampleFactor: 0.5, imageSample: 1 };
const DRAGGING = { sampleFactor: 1.5, imageSample: 2 };
const VIEWS: ViewDirection[] = ['A', 'P', 'L', 'R', 'S', 'I'];

interface Pipeline {
  child: ChildView;
  mapper: vtkVolumeMapper;
  actor: vtkVolume;
  ctf: vtkColorTransferFunction;
  pwf: vtkPiecewiseFunction;
  crop: vtkPlane[];
  shown: unknown;
  release(): void;
}

function create(host: HTMLElement): Pipeline {
  const child = createChildView(host);
  const vtk = ownedVtk();
  const mapper = vtk.own(vtkVolumeMapper.newInstance());
  const actor = vtk.own(vtkVolume.newInstance());
  const ctf = vtk.own(vtkColorTransferFunction.newInstance());
  const pwf = vtk.own(vtkPiecewiseFunction.newInstance());
  const crop = Array.from({ length: 6 }, () => vtk.own(vtkPlane.newInstance()));
  // The ray caster asks the window's interactor whether it is animating; ours is never bound to events
  // (this component turns pointer events into camera moves itself).
  const interactor = vtk.own(vtkRenderWindowInteractor.newInstance());
  interactor.setView(child.view);
  interactor.enable();
  actor.setMapper(mapper);
  actor.getProperty().setRGBTransferFunction(0, ctf);
  actor.getProperty().setScalarOpacity(0, pwf);
  actor.getProperty().setInterpolationTypeToLinear();
  child.renderer.addVolume(actor);
  return {
    child, mapper, actor, ctf, pwf, crop, shown: null,
    release() {
      child.renderer.removeAllViewProps();
      mapper.removeAllClippingPlanes();
      child.renderWindow.setInteractor(null as unknown as vtkRenderWindowInteractor);
      vtk.release();
      child.dispose();
    },
  };
}

/** A modality value as the stored value the texture holds (linear modality LUTs; tables keep the value). */
function toStored(source: VolumeSource, v: number): number {
  const lut = source.display.modalityLut;
  return lut.kind === 'linear' && lut.slope !== 0 ? (v - lut.intercept) / lut.slope : v;
}

function applyPreset(p: Pipeline, source: VolumeSource, preset: VolumePreset, shade: boolean, blend: Blend3D, grid: Grid): void {
  p.ctf.removeAllPoints();
  for (const [v, r, g, b] of preset.colour) p.ctf.addRGBPoint(toStored(source, v), r, g, b);
  p.pwf.removeAllPoints();
  for (const [v, a] of preset.opacity) p.pwf.addPoint(toStored(source, v), a);
  const prop = p.actor.getProperty();
  prop.setShade(shade);
  prop.setAmbient(preset.ambient);
  prop.setDiffuse(preset.diffuse);
  prop.setSpecular(preset.specular);
  prop.setSpecularPower(preset.specularPower);
  prop.setScalarOpacityUnitDistance(0, 1);
  if (blend === 'mip') p.mapper.setBlendModeToMaximumIntensity();
  else if (blend === 'minip') p.mapper.setBlendModeToMinimumIntensity();
  else p.mapper.setBlendModeToComposite();
  setQuality(p, grid, REST);
}

function setQuality(p: Pipeline, grid: Grid, q: typeof REST): void {
  p.mapper.setSampleDistance(Math.min(...grid.spacing) * q.sampleFactor);
  p.mapper.setImageSampleDistance(q.imageSample);
}

/** The crop box's six planes (normals pointing into the kept part) along the volume's own axes; none when uncropped (planes cost every ray). */
function applyCrop(p: Pipeline, grid: Grid, crop: CropBox): void {
  p.mapper.removeAllClippingPlanes();
  if (crop.every((v, i) => v === FULL_CROP[i])) return;
  for (const plane of p.crop) p.mapper.addClippingPlane(plane);
  const d = grid.direction;
  for (let a = 0; a < 3; a++) {
    const axis: Vec3 = [d[a]!, d[3 + a]!, d[6 + a]!];
    const n = grid.dimensions[a]! - 1;
    for (const side of [0, 1] as const) {
      const ijk: Vec3 = [0, 0, 0];
      ijk[a] = crop[2 * a + side]! * n + (side === 0 ? -0.5 : 0.5);
      const plane = p.crop[2 * a + side]!;
      plane.setOrigin(...indexToPatient(grid, ijk));
      plane.setNormal(...(side === 0 ? axis : ([-axis[0], -axis[1], -axis[2]] as Vec3)));
    }
  }
}

function lookFrom(p: Pipeline, grid: Grid, from: ViewDirection): void {
  const c = volumeCentre(grid);
  const { toCamera, up } = viewFromDirection(from);
  const cam = p.child.renderer.getActiveCamera();
  cam.setParallelProjection(false);
  cam.setFocalPoint(...c);
  cam.setPosition(c[0] + toCamera[0] * 1000, c[1] + toCamera[1] * 1000, c[2] + toCamera[2] * 1000);
  cam.setViewUp(...up);
  p.child.renderer.resetCamera(p.actor.getBounds());
}

export function VolumeViewport({ mpr, view, source, dispatch, revision }: Props) {
  const hostRef = useRef<HTMLDivElement>(null);
  const pipeline = useRef<Pipeline | null>(null);
  const [size, setSize] = useState({ width: 1, height: 1 });
  const [drawn, setDrawn] = useState(false);
  const drag = useRef<{ button: number; x: number; y: number } | null>(null);
  const mprDispatch = (action: MprAction) => dispatch({ type: 'mpr', action });
  const v3 = mpr.volume3d;
  const progress = source.progress();
  const complete = progress.loaded >= progress.total;
  void revision;
  const preset = presetNamed(v3.preset);
  const blend: Blend3D = preset.blend !== 'composite' && v3.blend === 'composite' ? preset.blend : v3.blend;

  useEffect(() => {
    const host = hostRef.current!;
    const p = create(host);
    pipeline.current = p;
    const observer = new ResizeObserver(() => {
      const next = { width: Math.max(1, host.clientWidth), height: Math.max(1, host.clientHeight) };
      p.child.resize(next.width, next.height);
      setSize(next);
    });
    observer.observe(host);
    return () => {
      observer.disconnect();
      p.release();
      pipeline.current = null;
    };
  }, []);

  const render = () => {
    const p = pipeline.current;
    const image = source.image();
    if (!p || !image) return false;
    if (p.shown !== image) {
      p.mapper.setInputData(image);
      p.shown = image;
      lookFrom(p, source.grid, v3.view.from);
    }
    source.syncTexture(p.actor.getProperty(), textureExists(image.getPointData().getScalars()));
    p.child.render();
    hostRef.current?.dispatchEvent(new CustomEvent('enclave-drawn', { detail: { view: '3d' } }));
    return true;
  };

  // Bench hook: the same picture drawn by a bare vtk.js volume (no component, no React) in the same
  // context, sharing the texture and transfer functions, one finished frame at a time, at rest or rotating.
  useEffect(() => {
    let bare: { frame(rotate: boolean): number; close(): void } | null = null;
    const open = (): boolean => {
      const p = pipeline.current;
      const image = source.image();
      const host = hostRef.current;
      if (!p || !image || !host) return false;
      const box = document.createElement('div');
      box.style.cssText = `position:fixed;left:0;top:0;width:${host.clientWidth}px;height:${host.clientHeight}px;`;
      document.body.append(box);
      const view = createChildView(box);
      const mapper = vtkVolumeMapper.newInstance();
      const actor = vtkVolume.newInstance();
      const interactor = vtkRenderWindowInteractor.newInstance();
      interactor.setView(view.view);
      interactor.enable();
      mapper.setInputData(image);
      mapper.setBlendMode(p.mapper.getBlendMode());
      actor.setMapper(mapper);
      // The same picture: transfer functions, shading and its lighting terms as ours.
      const prop = actor.getProperty();
      const ourProp = p.actor.getProperty();
      prop.setRGBTransferFunction(0, p.ctf);
      prop.setScalarOpacity(0, p.pwf);
      prop.setInterpolationTypeToLinear();
      prop.setShade(ourProp.getShade());
      prop.setAmbient(ourProp.getAmbient());
      prop.setDiffuse(ourProp.getDiffuse());
      prop.setSpecular(ourProp.getSpecular());
      prop.setSpecularPower(ourProp.getSpecularPower());
      prop.setScalarOpacityUnitDistance(0, ourProp.getScalarOpacityUnitDistance(0));
      view.renderer.addVolume(actor);
      view.resize(host.clientWidth, host.clientHeight);
      const cam = view.renderer.getActiveCamera();
      const ours = p.child.renderer.getActiveCamera();
      cam.setPosition(...ours.getPosition());
      cam.setFocalPoint(...ours.getFocalPoint());
      cam.setViewUp(...ours.getViewUp());
      view.renderer.resetCameraClippingRange();
      const frame = (rotate: boolean): number => {
        // Rotating, ours draws at interactive quality: so does the bare one, or the comparison flatters us.
        const q = rotate ? DRAGGING : REST;
        mapper.setSampleDistance(Math.min(...source.grid.spacing) * q.sampleFactor);
        mapper.setImageSampleDistance(q.imageSample);
        const t0 = performance.now();
        if (rotate) cam.azimuth(2);
        view.render();
        view.finish();
        return performance.now() - t0;
      };
      frame(false); // shaders built outside the timed frames, as ours were
      bare = {
        frame,
        close() {
          view.renderer.removeAllViewProps();
          view.renderWindow.setInteractor(null as unknown as vtkRenderWindowInteractor);
          interactor.delete();
          actor.delete();
          mapper.delete();
          view.dispose();
          box.remove();
        },
      };
      return true;
    };
    window.__enclaveBareVolume = {
      open: () => (bare !== null || open()),
      frame: (rotate) => bare?.frame(rotate) ?? NaN,
      close: () => {
        bare?.close();
        bare = null;
      },
    };
    return () => {
      bare?.close();
      bare = null;
      delete window.__enclaveBareVolume;
    };
  }, [source]);

  useEffect(() => {
    const p = pipeline.current;
    if (!p) return;
    applyPreset(p, source, preset, v3.shade && preset.shade !== false, blend, source.grid);
    applyCrop(p, source.grid, v3.crop);
    if (render()) {
      setDrawn(true);
      hostRef.current?.dispatchEvent(new CustomEvent('enclave-drawn', { detail: { view: '3d' } }));
    }
    // While slices stream the 3D view draws once, then again when the volume is complete: a ray-cast frame
    // costs seconds under software GL, and the MPR views already show the volume filling in.
  }, [source, preset, v3.shade, blend, v3.crop, complete, size]);

  useEffect(() => {
    const p = pipeline.current;
    if (!p || !p.shown) return;
    lookFrom(p, source.grid, v3.view.from);
    render();
  }, [v3.view.seq]);

  const onPointerDown = (e: React.PointerEvent) => {
    mprDispatch({ type: 'activate', view: '3d' });
    try { e.currentTarget.setPointerCapture(e.pointerId); } catch { /* synthetic pointers (benches) */ }
    drag.current = { button: e.button, x: e.clientX, y: e.clientY };
    if (pipeline.current) setQuality(pipeline.current, source.grid, DRAGGING);
  };
  const onPointerMove = (e: React.PointerEvent) => {
    const d = drag.current;
    const p = pipeline.current;
    if (!d || !p) return;
    const dx = e.clientX - d.x;
    const dy = e.clientY - d.y;
    d.x = e.clientX;
    d.y = e.clientY;
    const cam = p.child.renderer.getActiveCamera();
    if (d.button === 0) {
      cam.azimuth(-dx * 0.5);
      cam.elevation(dy * 0.5);
      cam.orthogonalizeViewUp();
    } else if (d.button === 2) cam.dolly(Math.exp(-dy / 150));
    else if (d.button === 1) {
      // Pan: move focal point and position together by the drag, in the view plane.
      const scale = (cam.getDistance() * Math.tan((cam.getViewAngle() * Math.PI) / 360) * 2) / size.height;
      const up = cam.getViewUp();
      const dop = cam.getDirectionOfProjection();
      const right = [dop[1] * up[2] - dop[2] * up[1], dop[2] * up[0] - dop[0] * up[2], dop[0] * up[1] - dop[1] * up[0]];
      const shift = [0, 1, 2].map((a) => (-dx * right[a]! + dy * up[a]!) * scale) as Vec3;
      const f = cam.getFocalPoint();
      const pos = cam.getPosition();
      cam.setFocalPoint(f[0] + shift[0], f[1] + shift[1], f[2] + shift[2]);
      cam.setPosition(pos[0] + shift[0], pos[1] + shift[1], pos[2] + shift[2]);
    }
    p.child.renderer.resetCameraClippingRange();
    render();
  };
  const onPointerUp = () => {
    drag.current = null;
    const p = pipeline.current;
    if (!p) return;
    setQuality(p, source.grid, REST);
    render();
  };

  const cropAxis = (a: number, side: 0 | 1, value: number) => {
    const next = [...v3.crop] as CropBox;
    next[2 * a + side] = value;
    mprDispatch({ type: 'crop', crop: next });
  };

  return (
    <div className={`viewport-cell volume-cell${mpr.active === '3d' ? ' active' : ''}`}>
      <div
        ref={hostRef}
        className="viewport-host"
        data-testid="volume-view"
        data-ready={drawn ? 'true' : 'false'}
        data-preset={preset.name}
        data-blend={blend}
        data-shade={v3.shade ? 'true' : 'false'}
        data-from={v3.view.from}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
        onContextMenu={(e) => e.preventDefault()}
      />
      <div className="volume-controls" role="toolbar" aria-label="3D">
        <select value={preset.name} onChange={(e) => mprDispatch({ type: 'preset', preset: e.target.value })} data-testid="volume-preset">
          {VOLUME_PRESETS.map((p) => <option key={p.name} value={p.name}>{p.name}{p.modality !== view.modality && ['CT', 'MR'].includes(view.modality) ? ` (${p.modality})` : ''}</option>)}
        </select>
        <button type="button" className={v3.shade ? 'selected' : ''} onClick={() => mprDispatch({ type: 'shade', shade: !v3.shade })} data-testid="volume-shade">Shade</button>
        {(['composite', 'mip', 'minip'] as const).map((b) => (
          <button type="button" key={b} className={v3.blend === b ? 'selected' : ''} onClick={() => mprDispatch({ type: 'blend', blend: b })} data-testid={`volume-blend-${b}`}>{b === 'composite' ? 'VR' : b === 'mip' ? 'MIP' : 'MinIP'}</button>
        ))}
        {VIEWS.map((from) => <button type="button" key={from} onClick={() => mprDispatch({ type: 'viewFrom', from })} data-testid={`volume-view-${from}`}>{from}</button>)}
        <details>
          <summary>Crop</summary>
          {['Columns', 'Rows', 'Slices'].map((label, a) => (
            <div key={label} className="crop-row">
              {label}
              <input type="range" min={0} max={1} step={0.01} value={v3.crop[2 * a]} onChange={(e) => cropAxis(a, 0, Number(e.target.value))} data-testid={`crop-${a}-min`} />
              <input type="range" min={0} max={1} step={0.01} value={v3.crop[2 * a + 1]} onChange={(e) => cropAxis(a, 1, Number(e.target.value))} data-testid={`crop-${a}-max`} />
            </div>
          ))}
        </details>
      </div>
      <div className="overlay corner corner-bl">{preset.name}{blend !== 'composite' ? ` · ${blend === 'mip' ? 'MIP' : 'MinIP'}` : ''}</div>
      {!complete && drawn && <div className="overlay corner corner-tl" data-testid="volume-progress">Loading: {progress.loaded}/{progress.total} slices; the 3D view redraws when all have arrived.</div>}
      {!drawn && <p className="viewport-empty" aria-live="polite">Waiting for the first images of the series…</p>}
    </div>
  );
}
