// One WebGL context for the whole window (DESIGN.md section 6): a root vtk render window that owns the
// context and draws off screen, and one child render window per viewport that copies its picture onto
// its own 2D canvas (vtk.js's ManyRenderWindows pattern, the one VolView uses). Textures live in the
// root, so a series' voxels are uploaded once whatever the number of viewports showing them.
import '@kitware/vtk.js/Rendering/OpenGL/Profiles/Volume';
import vtkRenderWindow from '@kitware/vtk.js/Rendering/Core/RenderWindow';
import vtkRenderer from '@kitware/vtk.js/Rendering/Core/Renderer';
import vtkOpenGLRenderWindow from '@kitware/vtk.js/Rendering/OpenGL/RenderWindow';
import { liveVtkObjects } from './vtkOwnership';

/** vtk.js's typings omit the context getter its OpenGL window has. */
const glOf = (view: vtkOpenGLRenderWindow): WebGL2RenderingContext | null => (view as unknown as { getContext(): WebGL2RenderingContext | null }).getContext();

interface Root {
  renderWindow: vtkRenderWindow;
  view: vtkOpenGLRenderWindow;
  children: number;
}

let root: Root | null = null;

function getRoot(): Root {
  if (root) return root;
  const renderWindow = vtkRenderWindow.newInstance();
  const view = vtkOpenGLRenderWindow.newInstance();
  renderWindow.addView(view);
  // The context is made here, before vtk.js asks for it with its defaults (a canvas hands out one context, so vtk
  // gets this one): no multisampling. Images and volumes are sampled in fragment shaders, which MSAA does not
  // smooth, and under software WebGL (SwiftShader) a 4x multisampled buffer and its resolve made each frame about
  // half as slow again.
  view.getCanvas()?.getContext('webgl2', { antialias: false, preserveDrawingBuffer: false, depth: true, alpha: true, powerPreference: 'high-performance' });
  // The root draws into a canvas that is never in the page; children copy from it.
  view.initialize();
  root = { renderWindow, view, children: 0 };
  return root;
}

/** A viewport's own window into the shared context. */
export interface ChildView {
  renderer: vtkRenderer;
  /** The viewport's own vtk render window and its OpenGL view (3D views attach an interactor to them). */
  renderWindow: vtkRenderWindow;
  view: vtkOpenGLRenderWindow;
  /** CSS size; the drawing buffer follows devicePixelRatio. */
  resize(width: number, height: number): void;
  /** Draws this viewport only. */
  render(): void;
  /** Waits for the drawn frame to be finished (a 1-pixel read; gl.finish() does not wait under SwiftShader). */
  finish(): void;
  dispose(): void;
}

export function createChildView(container: HTMLElement): ChildView {
  const r = getRoot();
  const renderWindow = vtkRenderWindow.newInstance();
  r.renderWindow.addRenderWindow(renderWindow);
  const view = r.view.addMissingNode(renderWindow) as vtkOpenGLRenderWindow;
  renderWindow.addView(view);
  view.setContainer(container);
  const renderer = vtkRenderer.newInstance({ background: [0, 0, 0] });
  renderWindow.addRenderer(renderer);
  r.children++;
  liveVtkObjects.add(renderer);
  let disposed = false;

  return {
    renderer,
    renderWindow,
    view,
    resize(width, height) {
      const dpr = globalThis.devicePixelRatio || 1;
      view.setSize(Math.max(1, Math.floor(width * dpr)), Math.max(1, Math.floor(height * dpr)));
      const canvas = view.getCanvas();
      if (canvas) {
        canvas.style.width = `${width}px`;
        canvas.style.height = `${height}px`;
      }
      r.view.resizeFromChildRenderWindows();
    },
    render() {
      if (!disposed) renderWindow.render();
    },
    finish() {
      window.__enclaveFinish?.();
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      renderWindow.removeRenderer(renderer);
      renderer.delete();
      liveVtkObjects.delete(renderer);
      r.renderWindow.removeRenderWindow(renderWindow);
      // The canvas leaves the page first; removeNode then deletes the view (a second delete() would throw).
      view.setContainer(null as unknown as HTMLElement);
      if (!r.view.removeNode(view)) view.delete();
      renderWindow.delete();
      r.children--;
    },
  };
}

/** What tests count: WebGL contexts held (0 or 1) and child views alive. */
export function renderRootStats(): { contexts: number; childViews: number } {
  return { contexts: root && glOf(root.view) ? 1 : 0, childViews: root?.children ?? 0 };
}

/** The root context's limits, for choosing between a 3D texture and slice-by-slice display. */
export function maxTexture3D(): number {
  const gl = glOf(getRoot().view);
  const forced = (globalThis as { __enclaveMax3DTexture?: number }).__enclaveMax3DTexture;
  const real = gl ? (gl.getParameter(gl.MAX_3D_TEXTURE_SIZE) as number) : 0;
  return typeof forced === 'number' && forced > 0 ? Math.min(forced, real) : real;
}

/** Whether the shared context already holds a texture made from this data array (views of a series share it). */
export function textureExists(dataArray: object): boolean {
  if (!root) return false;
  const resource = (root.view as unknown as { getGraphicsResourceForObject(o: object): { oglObject?: { getHandle(): unknown } | null } | undefined }).getGraphicsResourceForObject(dataArray);
  return !!resource?.oglObject?.getHandle();
}

/** GPU bytes vtk.js has allocated in the shared context (textures and buffers), for benches and budgets. */
export function gpuBytes(): number {
  if (!root) return 0;
  try {
    const info = (root.view as unknown as { getGraphicsMemoryInfo?(): number }).getGraphicsMemoryInfo?.();
    return typeof info === 'number' ? info : 0;
  } catch {
    // A resource registered before its texture exists has no object to ask.
    return 0;
  }
}

/** The context the root draws with (null before the first view), for WebGL limits and context-loss listeners. */
export function rootContext(): WebGL2RenderingContext | null {
  return root ? glOf(root.view) : null;
}

declare global {
  interface Window {
    /** Forces the last drawn frame to finish (benches time frames with it). */
    __enclaveFinish?: () => void;
    /** The shared context, for tests that lose and restore it (WEBGL_lose_context). */
    __enclaveRootContext?: () => WebGL2RenderingContext | null;
  }
}
window.__enclaveRootContext = rootContext;
window.__enclaveFinish = () => {
  const gl = root ? glOf(root.view) : null;
  gl?.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
};
