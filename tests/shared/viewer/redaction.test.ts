// Redaction rectangles: what the mouse drags becomes whole image pixels (edges), and what is saved is what is drawn.
import { describe, expect, it } from 'vitest';
import { redactionCorners, redactionPoints, redactionRect } from '../../../src-shared/viewer/redaction';
import { pixelToWorld, worldToPixel, type ImagePlane } from '../../../src-shared/viewer/viewGeometry';

// An oblique plane with unequal spacing, so no axis or unit can be confused with another.
const plane: ImagePlane = {
  origin: [10, -20, 5],
  rowDir: [0, 1, 0],
  colDir: [0, 0, -1],
  spacing: [0.5, 2],
  columns: 64,
  rows: 32,
};
const at = (i: number, j: number) => pixelToWorld(plane, [i, j]);

describe('redaction rectangles', () => {
  it('takes every pixel a drag touches, whichever way it goes', () => {
    expect(redactionPoints(plane, at(3, 4), at(9, 7))).toEqual([[3, 4, 0], [10, 8, 0]]);
    expect(redactionPoints(plane, at(9, 7), at(3, 4))).toEqual([[3, 4, 0], [10, 8, 0]]);
    // Points inside a pixel, off its centre, still take that whole pixel.
    expect(redactionPoints(plane, at(3.4, 4.3), at(8.6, 6.6))).toEqual([[3, 4, 0], [10, 8, 0]]);
  });

  it('clips to the image and drops a rectangle that covers no pixel', () => {
    expect(redactionPoints(plane, at(-10, -5), at(100, 3))).toEqual([[0, 0, 0], [64, 4, 0]]);
    expect(redactionPoints(plane, at(-10, -5), at(-3, -2))).toBeNull();
  });

  it('turns saved edges into the rectangle the export blanks, and draws its corners on those edges', () => {
    const r = redactionRect([[10, 8, 0], [3, 4, 0]]);
    expect(r).toEqual({ x: 3, y: 4, width: 7, height: 4 });
    expect(redactionRect([[3, 4, 0], [3, 9, 0]])).toBeNull();
    const corners = redactionCorners(plane, r!).map((p) => worldToPixel(plane, p).map((v) => Math.round(v * 1e9) / 1e9));
    expect(corners).toEqual([[2.5, 3.5], [9.5, 3.5], [9.5, 7.5], [2.5, 7.5]]);
  });
});
