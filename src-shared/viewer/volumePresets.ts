// Volume rendering presets in the 3D Slicer family. The transfer functions are ours, written from the
// values 3D Slicer publishes for its presets (Modules/Loadable/VolumeRendering/Resources/presets.xml):
// breakpoints in modality units (HU for CT), opacity per millimetre of ray, colours 0..1. Where ours
// differ from Slicer's it is said beside the preset.
export interface VolumePreset {
  name: string;
  modality: 'CT' | 'MR';
  /** [value, opacity] breakpoints, ascending. */
  opacity: Array<[number, number]>;
  /** [value, r, g, b] breakpoints, ascending. */
  colour: Array<[number, number, number, number]>;
  /** Maximum (or minimum) intensity projection instead of compositing. */
  blend: 'composite' | 'mip' | 'minip';
  shade: boolean;
  ambient: number;
  diffuse: number;
  specular: number;
  specularPower: number;
}

const boneLike = { shade: true, ambient: 0.1, diffuse: 0.9, specular: 0.2, specularPower: 10 } as const;
const softLike = { ambient: 0.2, diffuse: 1, specular: 0, specularPower: 1 } as const;

export const VOLUME_PRESETS: readonly VolumePreset[] = [
  {
    // Slicer's CT-Bone starts its opacity ramp at -16 HU, which makes soft tissue a fog over the skeleton in a
    // body-sized volume; ours starts at 150 HU so bone, calcium and contrast show through tissue.
    name: 'CT bone', modality: 'CT', blend: 'composite', ...boneLike,
    opacity: [[-3024, 0], [150, 0], [641, 0.72], [3071, 0.71]],
    colour: [[-3024, 0, 0, 0], [150, 0.73, 0.25, 0.3], [641, 0.91, 0.82, 0.55], [3071, 1, 1, 1]],
  },
  {
    name: 'CT soft tissue', modality: 'CT', blend: 'composite', shade: false, ...softLike,
    opacity: [[-2048, 0], [-167, 0], [-160, 1], [240, 1], [3661, 1]],
    colour: [[-2048, 0, 0, 0], [-167, 0, 0, 0], [-160, 0.056, 0.056, 0.056], [240, 1, 1, 1], [3661, 1, 1, 1]],
  },
  {
    // Slicer's CT-Lung band (-600..-400 HU) is for airway and vessel walls; ours spans aerated lung (-950..-500).
    name: 'CT lung', modality: 'CT', blend: 'composite', shade: true, ...softLike,
    opacity: [[-1000, 0], [-951, 0], [-950, 0.15], [-500, 0.15], [-499, 0], [2952, 0]],
    colour: [[-1000, 0.3, 0.3, 1], [-900, 0, 0, 1], [-750, 0.13, 0.78, 0.07], [-600, 0.93, 1, 0.11], [-500, 0.89, 0.25, 0.02], [2952, 1, 0.3, 0.3]],
  },
  {
    name: 'CT angio (AAA)', modality: 'CT', blend: 'composite', ...boneLike,
    opacity: [[-3024, 0], [143.6, 0], [166.2, 0.69], [214.4, 0.7], [419.7, 0.83], [3071, 0.8]],
    colour: [[-3024, 0, 0, 0], [143.6, 0.62, 0.36, 0.18], [166.2, 0.88, 0.6, 0.29], [214.4, 1, 1, 1], [419.7, 1, 0.94, 0.95], [3071, 0.83, 0.66, 1]],
  },
  {
    name: 'CT MIP', modality: 'CT', blend: 'mip', ...boneLike, shade: false,
    opacity: [[-3024, 0], [-637.6, 0], [700, 1], [3071, 1]],
    colour: [[-3024, 0, 0, 0], [-637.6, 1, 1, 1], [700, 1, 1, 1], [3071, 1, 1, 1]],
  },
  {
    name: 'MR default', modality: 'MR', blend: 'composite', shade: true, ...softLike,
    opacity: [[0, 0], [20, 0], [40, 0.15], [120, 0.3], [220, 0.375], [1024, 0.5]],
    colour: [[0, 0, 0, 0], [20, 0.17, 0, 0], [40, 0.4, 0.15, 0.08], [120, 0.78, 0.61, 0.38], [220, 0.85, 0.84, 0.79], [1024, 1, 1, 1]],
  },
  {
    name: 'MR MIP', modality: 'MR', blend: 'mip', shade: false, ...softLike,
    opacity: [[0, 0], [98.4, 0], [416.6, 1], [2800, 1]],
    colour: [[0, 1, 1, 1], [2800, 1, 1, 1]],
  },
];

export function presetNamed(name: string): VolumePreset {
  return VOLUME_PRESETS.find((p) => p.name === name) ?? VOLUME_PRESETS[0]!;
}

/** Unit vector from the volume centre to the camera, and the camera's up, for the view buttons (LPS). */
export function viewFromDirection(from: 'A' | 'P' | 'L' | 'R' | 'S' | 'I'): { toCamera: [number, number, number]; up: [number, number, number] } {
  switch (from) {
    case 'A': return { toCamera: [0, -1, 0], up: [0, 0, 1] };
    case 'P': return { toCamera: [0, 1, 0], up: [0, 0, 1] };
    case 'L': return { toCamera: [1, 0, 0], up: [0, 0, 1] };
    case 'R': return { toCamera: [-1, 0, 0], up: [0, 0, 1] };
    case 'S': return { toCamera: [0, 0, 1], up: [0, -1, 0] };
    case 'I': return { toCamera: [0, 0, -1], up: [0, -1, 0] };
  }
}
