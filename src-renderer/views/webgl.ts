// vtk.js needs WebGL 2 and fails obscurely without it (PLATFORM-NOTES.md): check first, say so plainly.
let cached: boolean | null = null;

export function hasWebGL2(): boolean {
  if (cached === null) {
    try {
      cached = document.createElement('canvas').getContext('webgl2') !== null;
    } catch {
      cached = false;
    }
  }
  return cached;
}
