// The vtk side of one 2D viewport. It owns its vtk objects (deleted on dispose) and draws one slice
// of a SeriesVolume in patient space with the viewer state's camera:
// - once the whole series is in memory, a reslice mapper samples the series' shared 3D texture
//   (uploaded once per window, whatever the number of viewports; changing slice uploads nothing);
// - before that, and for series kept slice by slice, the current slice alone is drawn from a
//   one-slice image at the slice's position, so the first picture never waits for the volume.
import vtkDataArray from '@kitware/vtk.js/Common/Core/DataArray';
import vtkImageData from '@kitware/vtk.js/Common/DataModel/ImageData';
import vtkPlane from '@kitware/vtk.js/Common/DataModel/Plane';
import vtkColorTransferFunction from '@kitware/vtk.js/Rendering/Core/ColorTransferFunction';
import vtkImageMapper from '@kitware/vtk.js/Rendering/Core/ImageMapper';
import { SlicingMode } from '@kitware/vtk.js/Rendering/Core/ImageMapper/Constants';
import vtkImageResliceMapper from '@kitware/vtk.js/Rendering/Core/ImageResliceMapper';
import vtkImageSlice from '@kitware/vtk.js/Rendering/Core/ImageSlice';
import type { VoiWindowInfo } from '../../src-shared/ipc/contract';
import { normalOf, screenAxes, type Camera2D, type ImagePlane, type Viewport } from '../../src-shared/viewer/viewGeometry';
import { applyDisplay } from './displayTransfer';
import { createChildView, textureExists, type ChildView } from './renderRoot';
import { vtkDirection, type NativeArray, type SeriesVolume } from './seriesVolume';
import { ownedVtk } from './vtkOwnership';

export interface SliceDraw {
  slice: number;
  plane: ImagePlane;
  camera: Camera2D;
  viewport: Viewport;
  window: VoiWindowInfo;
  inverted: boolean;
  /** Nearest-neighbour sampling (pixels as squares) instead of linear interpolation. */
  nearest?: boolean;
}

export interface SliceViewport {
  /** Draws; false when the slice has not arrived yet (the previous picture stays). */
  draw(volume: SeriesVolume, d: SliceDraw): boolean;
  clear(): void;
  resize(width: number, height: number): void;
  finish(): void;
  dispose(): void;
}

const sub = (a: readonly number[], b: readonly number[]): [number, number, number] => [a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!];
const scale = (a: readonly number[], s: number): [number, number, number] => [a[0]! * s, a[1]! * s, a[2]! * s];
const cross = (a: readonly number[], b: readonly number[]): [number, number, number] => [a[1]! * b[2]! - a[2]! * b[1]!, a[2]! * b[0]! - a[0]! * b[2]!, a[0]! * b[1]! - a[1]! * b[0]!];

/** Points a renderer's vtk camera as the viewer model's Camera2D says (parallel projection, screen axes of viewGeometry). */
export function applyCamera2D(renderer: ChildView['renderer'], d: Pick<SliceDraw, 'plane' | 'camera' | 'viewport'>): void {
  const cam = renderer.getActiveCamera();
  const { right, down } = screenAxes(d.plane, d.camera);
  const dop = cross(right, down); // into the screen
  const distance = 1000;
  cam.setParallelProjection(true);
  cam.setFocalPoint(...d.camera.focal);
  cam.setPosition(...sub(d.camera.focal, scale(dop, distance)));
  cam.setViewUp(...scale(down, -1));
  cam.setParallelScale((d.viewport.height / 2) * d.camera.mmPerPx);
  cam.setClippingRange(1, 2 * distance);
}

export function createSliceViewport(container: HTMLElement): SliceViewport {
  const child: ChildView = createChildView(container);
  const vtk = ownedVtk();
  const ctf = vtk.own(vtkColorTransferFunction.newInstance());

  // One-slice path.
  const sliceImage = vtk.own(vtkImageData.newInstance());
  const sliceMapper = vtk.own(vtkImageMapper.newInstance());
  sliceMapper.setSlicingMode(SlicingMode.K);
  sliceMapper.setInputData(sliceImage);
  const sliceActor = vtk.own(vtkImageSlice.newInstance());
  sliceActor.setMapper(sliceMapper);
  let sliceScalars: { array: vtkDataArray; values: NativeArray; owner: SeriesVolume } | null = null;

  // Whole-volume path (created when first needed).
  let reslice: { mapper: vtkImageResliceMapper; actor: vtkImageSlice; plane: vtkPlane } | null = null;
  let shownVolume: SeriesVolume | null = null;

  child.renderer.addViewProp(sliceActor);

  // Compile the image shaders now, on a 2x2 picture, so the first real image does not wait for it.
  sliceImage.setDimensions([2, 2, 1]);
  let warmUp: vtkDataArray | null = vtk.own(vtkDataArray.newInstance({ name: 'warm-up', numberOfComponents: 1, values: new Float32Array(4) }));
  sliceImage.getPointData().setScalars(warmUp);
  child.render();
  sliceActor.setVisibility(false);

  const setCamera = (d: SliceDraw) => applyCamera2D(child.renderer, d);

  const drawFromVolume = (volume: SeriesVolume, d: SliceDraw): boolean => {
    const image = volume.volumeImage();
    if (!image) return false;
    if (!reslice) {
      const plane = vtk.own(vtkPlane.newInstance());
      const mapper = vtk.own(vtkImageResliceMapper.newInstance());
      mapper.setSlicePlane(plane);
      const actor = vtk.own(vtkImageSlice.newInstance());
      actor.setMapper(mapper);
      child.renderer.addViewProp(actor);
      reslice = { mapper, actor, plane };
    }
    if (shownVolume !== volume) {
      reslice.mapper.setInputData(image);
      shownVolume = volume;
    }
    // The plane through the slice's pixel centres, facing along the slice normal.
    const centre = [0, 1, 2].map((a) => d.plane.origin[a]! + (d.plane.rowDir[a]! * d.plane.spacing[0] * (d.plane.columns - 1)) / 2 + (d.plane.colDir[a]! * d.plane.spacing[1] * (d.plane.rows - 1)) / 2) as [number, number, number];
    reslice.plane.setOrigin(...centre);
    reslice.plane.setNormal(...normalOf(d.plane));
    const property = reslice.actor.getProperty();
    // MPR may have made the shared texture while slices were still arriving: bring it up to date.
    volume.syncTexture(property, textureExists(image.getPointData().getScalars()));
    applyDisplay(property, ctf, volume.view.display, d.window, d.inverted);
    if (d.nearest) property.setInterpolationTypeToNearest();
    else property.setInterpolationTypeToLinear();
    reslice.actor.setVisibility(true);
    sliceActor.setVisibility(false);
    return true;
  };

  const drawOneSlice = (volume: SeriesVolume, d: SliceDraw): boolean => {
    const values = volume.slice(d.slice);
    if (!values) return false;
    const v = volume.view;
    if (!sliceScalars || sliceScalars.owner !== volume) {
      if (sliceScalars) vtk.drop(sliceScalars.array);
      if (warmUp) vtk.drop(warmUp);
      warmUp = null;
      const copy = new (values.constructor as { new (n: number): NativeArray })(values.length);
      const array = vtk.own(vtkDataArray.newInstance({ name: 'values', numberOfComponents: v.display.components, values: copy }));
      sliceImage.setDimensions([v.dimensions[0], v.dimensions[1], 1]);
      sliceImage.setSpacing(v.spacing);
      sliceImage.setDirection(vtkDirection(v.direction));
      sliceImage.getPointData().setScalars(array);
      sliceScalars = { array, values: copy, owner: volume };
    }
    sliceScalars.values.set(values);
    sliceScalars.array.modified();
    sliceImage.setOrigin(d.plane.origin);
    sliceImage.modified();
    const property = sliceActor.getProperty();
    applyDisplay(property, ctf, v.display, d.window, d.inverted);
    if (d.nearest) property.setInterpolationTypeToNearest();
    else property.setInterpolationTypeToLinear();
    sliceActor.setVisibility(true);
    reslice?.actor.setVisibility(false);
    return true;
  };

  return {
    draw(volume, d) {
      setCamera(d);
      const drawn = (volume.mode === 'volume' && drawFromVolume(volume, d)) || drawOneSlice(volume, d);
      if (drawn) child.render();
      return drawn;
    },
    clear() {
      sliceActor.setVisibility(false);
      reslice?.actor.setVisibility(false);
      child.render();
    },
    resize: (w, h) => child.resize(w, h),
    finish: () => child.finish(),
    dispose() {
      child.renderer.removeAllViewProps();
      vtk.release();
      child.dispose();
    },
  };
}
