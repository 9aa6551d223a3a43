// A Volume handed to vtk.js must land where the DICOM geometry says: checked with vtk.js's own
// vtkImageData index -> world transform on a real oblique phantom's grid.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import vtkImageData from '@kitware/vtk.js/Common/DataModel/ImageData';
import type { Vec3 } from '../../../../src-shared/dicom/types';
import { indexToPatient, patientToIndex, vtkJsDirection } from '../../../../src-shared/dicom/volume/volumeSpace';
import { PHANTOMS, filesIn, loadGeometry } from './seriesLoader';

describe('volume space', () => {
  for (const folder of ['ct-oblique', 'mr-sagittal']) {
    it(`${folder}: vtk.js places every voxel where indexToPatient does`, () => {
      const g = loadGeometry(filesIn(path.join(PHANTOMS, folder))).geometry;
      const image = vtkImageData.newInstance();
      image.setDimensions(...g.dimensions);
      image.setSpacing(g.spacing);
      image.setOrigin(g.origin);
      image.setDirection(vtkJsDirection(g.direction));
      for (const ijk of [[0, 0, 0], [255, 0, 0], [0, 199, 0], [17, 33, 41], [g.dimensions[0] - 1, g.dimensions[1] - 1, g.dimensions[2] - 1]] as Vec3[]) {
        const world = image.indexToWorld(ijk, [0, 0, 0]) as number[];
        const ours = indexToPatient(g, ijk);
        ours.forEach((v, a) => expect(world[a]!).toBeCloseTo(v, 6));
        patientToIndex(g, ours).forEach((v, a) => expect(v).toBeCloseTo(ijk[a]!, 9));
      }
    });
  }
});
