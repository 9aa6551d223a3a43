// A vtk.js 2D stack view that owns its vtk objects: one vtkImageData for the whole series,
// an ImageMapper showing slice k, a parallel camera that looks along +k with row direction to the
// right and column direction down: the image exactly as acquired, with true aspect ratio from spacing.
import '@kitware/vtk.js/Rendering/OpenGL/Profiles/Volume';
import vtkDataArray from '@kitware/vtk.js/Common/Core/DataArray';
import vtkImageData from '@kitware/vtk.js/Common/DataModel/ImageData';
import vtkImageMapper from '@kitware/vtk.js/Rendering/Core/ImageMapper';
import vtkImageSlice from '@kitware/vtk.js/Rendering/Core/ImageSlice';
import vtkRenderWindow from '@kitware/vtk.js/Rendering/Core/RenderWindow';
import vtkRenderer from '@kitware/vtk.js/Rendering/Core/Renderer';
import vtkOpenGLRenderWindow from '@kitware/vtk.js/Rendering/OpenGL/RenderWindow';
import { SlicingMode } from '@kitware/vtk.js/Rendering/Core/ImageMapper/Constants';
import type { SeriesView } from '../../src-shared/ipc/contract';

export interface StackPipeline {
  setSliceData(k: number, values: Float32Array): void;
  show(k: number, window: { center: number; width: number }): void;
  resize(width: number, height: number): void;
  dispose(): void;
}

export function createStackPipeline(container: HTMLElement, view: SeriesView): StackPipeline {
  const [cols, rows, slices] = view.dimensions;
  const [sx, sy, sz] = view.spacing;
  const scalars = new Float32Array(cols * rows * slices);
  const image = vtkImageData.newInstance();
  image.setDimensions([cols, rows, slices]);
  image.setSpacing([sx, sy, sz]);
  image.setOrigin([0, 0, 0]);
  const array = vtkDataArray.newInstance({ name: 'values', numberOfComponents: 1, values: scalars });
  image.getPointData().setScalars(array);

  const mapper = vtkImageMapper.newInstance();
  mapper.setInputData(image);
  mapper.setSlicingMode(SlicingMode.K);
  const actor = vtkImageSlice.newInstance();
  actor.setMapper(mapper);
  actor.getProperty().setInterpolationTypeToLinear();

  const renderWindow = vtkRenderWindow.newInstance();
  const renderer = vtkRenderer.newInstance({ background: [0, 0, 0] });
  renderWindow.addRenderer(renderer);
  renderer.addViewProp(actor);
  const glWindow = vtkOpenGLRenderWindow.newInstance();
  renderWindow.addView(glWindow);
  glWindow.setContainer(container);

  const camera = renderer.getActiveCamera();
  camera.setParallelProjection(true);
  const cx = ((cols - 1) * sx) / 2;
  const cy = ((rows - 1) * sy) / 2;
  const cz = ((slices - 1) * sz) / 2;
  camera.setFocalPoint(cx, cy, cz);
  camera.setPosition(cx, cy, cz - 10 * Math.max(1, slices * sz, cols * sx));
  camera.setViewUp(0, -1, 0); // row index grows downwards on screen, as in every radiology viewer
  let size = { width: 1, height: 1 };

  const fit = () => {
    const halfH = (rows * sy) / 2;
    const halfW = (cols * sx) / 2;
    camera.setParallelScale(Math.max(halfH, (halfW * size.height) / size.width) * 1.02);
    renderer.resetCameraClippingRange();
  };

  return {
    setSliceData(k, values) {
      scalars.set(values, k * cols * rows);
      array.modified();
      image.modified();
    },
    show(k, window) {
      mapper.setSlice(k);
      actor.getProperty().setColorWindow(window.width);
      actor.getProperty().setColorLevel(window.center);
      renderer.resetCameraClippingRange();
      renderWindow.render();
    },
    resize(width, height) {
      const dpr = globalThis.devicePixelRatio || 1;
      size = { width: Math.max(1, Math.floor(width * dpr)), height: Math.max(1, Math.floor(height * dpr)) };
      glWindow.setSize(size.width, size.height);
      fit();
    },
    dispose() {
      renderWindow.removeView(glWindow);
      glWindow.delete();
      renderer.delete();
      renderWindow.delete();
      actor.delete();
      mapper.delete();
      image.delete();
    },
  };
}
