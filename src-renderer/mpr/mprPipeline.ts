// The vtk side of one MPR view: a reslice mapper sampling the series' shared 3D texture on the view's
// plane (any orientation; a thick slab is composited in the shader as MIP, MinIP or mean), the display
// transfer of the 2D views, and the 2D camera. Owns its vtk objects; dispose() deletes them.
import vtkColorTransferFunction from '@kitware/vtk.js/Rendering/Core/ColorTransferFunction';
import vtkImageResliceMapper from '@kitware/vtk.js/Rendering/Core/ImageResliceMapper';
import { SlabTypes } from '@kitware/vtk.js/Rendering/Core/ImageResliceMapper/Constants';
import vtkImageSlice from '@kitware/vtk.js/Rendering/Core/ImageSlice';
import vtkPlane from '@kitware/vtk.js/Common/DataModel/Plane';
import type { Vec3 } from '../../src-shared/dicom/types';
import type { VoiWindowInfo } from '../../src-shared/ipc/contract';
import type { SlabMode } from '../../src-shared/viewer/mprState';
import type { Camera2D, ImagePlane, Viewport } from '../../src-shared/viewer/viewGeometry';
import { applyDisplay } from '../views/displayTransfer';
import { createChildView, textureExists } from '../views/renderRoot';
import { applyCamera2D } from '../views/sliceViewport';
import { ownedVtk } from '../views/vtkOwnership';
import type { VolumeSource } from './volumeSource';

export interface MprDraw {
  plane: ImagePlane;
  centre: Vec3;
  normal: Vec3;
  camera: Camera2D;
  viewport: Viewport;
  window: VoiWindowInfo;
  inverted: boolean;
  slab: { mm: number; mode: SlabMode };
}

export interface MprPipeline {
  /** Draws; false when the source has nothing to draw yet. */
  draw(source: VolumeSource, d: MprDraw): boolean;
  resize(width: number, height: number): void;
  finish(): void;
  dispose(): void;
}

const SLAB_TYPE: Record<SlabMode, number> = { mip: SlabTypes.MAX, minip: SlabTypes.MIN, mean: SlabTypes.MEAN };

export function createMprPipeline(container: HTMLElement): MprPipeline {
  const child = createChildView(container);
  const vtk = ownedVtk();
  const ctf = vtk.own(vtkColorTransferFunction.newInstance());
  const slicePlane = vtk.own(vtkPlane.newInstance());
  const mapper = vtk.own(vtkImageResliceMapper.newInstance());
  mapper.setSlicePlane(slicePlane);
  const actor = vtk.own(vtkImageSlice.newInstance());
  actor.setMapper(mapper);
  child.renderer.addViewProp(actor);
  let shown: unknown = null;

  return {
    draw(source, d) {
      const image = source.image();
      if (!image) return false;
      if (shown !== image) {
        mapper.setInputData(image);
        shown = image;
      }
      slicePlane.setOrigin(...d.centre);
      slicePlane.setNormal(...d.normal);
      mapper.setSlabThickness(d.slab.mm);
      mapper.setSlabType(SLAB_TYPE[d.slab.mode]);
      const property = actor.getProperty();
      source.syncTexture(property, textureExists(image.getPointData().getScalars()));
      applyDisplay(property, ctf, source.display, d.window, d.inverted);
      property.setInterpolationTypeToLinear();
      applyCamera2D(child.renderer, d);
      child.render();
      return true;
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
