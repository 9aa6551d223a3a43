// Measurements and annotations over one viewport, drawn as SVG from the viewer model (points in
// patient coordinates, or image-relative ones for 2D images). Values come from the shared
// measure/ math; this layer only projects them to the screen and labels them in honest units.
import { useRef } from 'react';
import type { SeriesView } from '../../src-shared/ipc/contract';
import type { Vec3 } from '../../src-shared/dicom/types';
import { angleDeg, cobbAngleDeg, distance } from '../../src-shared/measure/lines';
import { ellipseRoi, rectangleRoi, type RoiStats } from '../../src-shared/measure/roi';
import { normalOf, worldToPixel, type ImagePlane, type Vec2 } from '../../src-shared/viewer/viewGeometry';
import type { Annotation, AnnotationKind, ToolId } from '../../src-shared/viewer/viewerState';
import type { ViewerAction } from '../../src-shared/viewer/viewerReducer';
import { toModality } from '../views/displayTransfer';
import type { SeriesVolume } from '../views/seriesVolume';
import { referenceSegment } from '../../src-shared/viewer/referenceLines';
import { isRedaction, redactionCorners, redactionPoints, redactionRect } from '../../src-shared/viewer/redaction';

export interface Draft {
  kind: AnnotationKind;
  points: Vec3[];
}

/** What measurements read values from: the series' slices, or (MPR) the voxel nearest a plane pixel. */
export type PixelSampler = Pick<SeriesVolume, 'valueAt'>;

interface Props {
  view: SeriesView;
  volume: PixelSampler;
  slice: number;
  plane: ImagePlane;
  toScreen(p: Vec3): Vec2 | null;
  toWorld(e: { clientX: number; clientY: number }): Vec3 | null;
  annotations: Annotation[];
  selected: string | null;
  draft: Draft | null;
  tool: ToolId;
  dispatch(a: ViewerAction): void;
  otherPlanes: ImagePlane[];
  width: number;
  height: number;
  /** 2D viewports show the series' redactions as the solid boxes the export will blank (MPR planes do not). */
  showRedactions?: boolean;
}

const fmt = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : '–');

/** Where on this slice an annotation belongs: 2D images by their frame, volumes by the slice plane. */
function onThisSlice(a: Annotation, view: SeriesView, plane: ImagePlane, slice: number): boolean {
  if (isRedaction(a)) return false;
  const frame = view.frames[slice];
  if (view.kind === 'images') return a.seriesId === view.seriesId && a.sopInstanceUid === frame?.sopInstanceUid && a.frameIndex === frame.frameIndex;
  const sameSpace = a.seriesId === view.seriesId || (view.frameOfReferenceUid !== '' && a.frameOfReferenceUid === view.frameOfReferenceUid);
  if (!sameSpace) return false;
  const nrm = normalOf(plane);
  const half = Math.max(view.spacing[2] / 2, 1e-3);
  return a.points.every((p) => Math.abs((p[0] - plane.origin[0]) * nrm[0] + (p[1] - plane.origin[1]) * nrm[1] + (p[2] - plane.origin[2]) * nrm[2]) <= half);
}

/** Length in the calibration's unit; inside one ultrasound region, in that region's physical unit. */
function lengthLabel(view: SeriesView, plane: ImagePlane, a: Vec3, b: Vec3): string {
  if (view.kind === 'volume') return `${fmt(distance(a, b))} mm`;
  const pa = worldToPixel(plane, a);
  const pb = worldToPixel(plane, b);
  const region = view.calibration.regions.find((r) => [pa, pb].every(([i, j]) => i >= r.bounds[0] && i <= r.bounds[2] && j >= r.bounds[1] && j <= r.bounds[3]));
  if (region && region.unitsX === region.unitsY && region.deltaX > 0 && region.deltaY > 0) {
    return `${fmt(Math.hypot((pb[0] - pa[0]) * region.deltaX, (pb[1] - pa[1]) * region.deltaY), 2)} ${region.unitsX}`;
  }
  const unit = view.calibration.unit;
  return unit === 'px' ? `${fmt(Math.hypot(pb[0] - pa[0], pb[1] - pa[1]))} px` : `${fmt(distance(a, b))} ${unit}`;
}

function roiLabel(s: RoiStats, units: string, areaUnit: string): string {
  return `Mean ${fmt(s.mean)} SD ${fmt(s.sd)} ${units}\nMin ${fmt(s.min)} Max ${fmt(s.max)}\nArea ${fmt(s.areaMm2)} ${areaUnit}² (${s.count} px)`;
}

export function measurementText(a: Annotation, view: SeriesView, volume: PixelSampler, plane: ImagePlane, slice: number): string {
  const p = a.points;
  const sample = (i: number, j: number) => toModality(view.display, volume.valueAt(slice, i, j));
  const areaUnit = view.kind === 'volume' ? 'mm' : view.calibration.unit === 'px' ? 'px' : view.calibration.unit.split(' ')[0]!;
  switch (a.kind) {
    case 'length': return lengthLabel(view, plane, p[0]!, p[1]!);
    case 'angle': return `${fmt(angleDeg(p[0]!, p[1]!, p[2]!))}°`;
    case 'cobb': return p.length >= 4 ? `Cobb ${fmt(cobbAngleDeg([p[0]!, p[1]!], [p[2]!, p[3]!]))}°` : '';
    case 'ellipse': return roiLabel(ellipseRoi(plane, p[0]!, p[1]!, sample), view.units, areaUnit);
    case 'rectangle': return roiLabel(rectangleRoi(plane, p[0]!, p[1]!, sample), view.units, areaUnit);
    case 'probe': {
      const [i, j] = worldToPixel(plane, p[0]!).map(Math.round) as [number, number];
      const v = sample(i, j);
      return view.display.components === 3 ? `(${i}, ${j})` : `${fmt(v)} ${view.units} (${i}, ${j})`;
    }
    default: return a.text ?? '';
  }
}

function Shape({ a, pts }: { a: Pick<Annotation, 'kind'>; pts: Vec2[] }) {
  const line = (u: Vec2, v: Vec2, key: string) => <line key={key} x1={u[0]} y1={u[1]} x2={v[0]} y2={v[1]} />;
  switch (a.kind) {
    case 'length':
    case 'arrow':
      return <>{line(pts[0]!, pts[1]!, 'l')}{a.kind === 'arrow' && <circle cx={pts[1]![0]} cy={pts[1]![1]} r={3} />}</>;
    case 'angle': return <polyline points={pts.slice(0, 3).map((q) => q.join(',')).join(' ')} fill="none" />;
    case 'cobb': return <>{line(pts[0]!, pts[1]!, 'a')}{pts[3] && line(pts[2]!, pts[3], 'b')}</>;
    case 'ellipse':
    case 'rectangle': {
      const x = Math.min(pts[0]![0], pts[1]![0]);
      const y = Math.min(pts[0]![1], pts[1]![1]);
      const w = Math.abs(pts[1]![0] - pts[0]![0]);
      const h = Math.abs(pts[1]![1] - pts[0]![1]);
      return a.kind === 'ellipse' ? <ellipse cx={x + w / 2} cy={y + h / 2} rx={w / 2} ry={h / 2} fill="none" /> : <rect x={x} y={y} width={w} height={h} fill="none" />;
    }
    default: return <circle cx={pts[0]![0]} cy={pts[0]![1]} r={3} />;
  }
}

export function AnnotationLayer({ view, volume, slice, plane, toScreen, toWorld, annotations, selected, draft, tool, dispatch, otherPlanes, width, height, showRedactions = false }: Props) {
  const moving = useRef<{ id: string; point: number } | null>(null);
  const shown = annotations.filter((a) => onThisSlice(a, view, plane, slice));
  const project = (ps: Vec3[]) => ps.map((p) => toScreen(p) ?? [0, 0]) as Vec2[];
  const selectable = tool === 'select';
  // A series' redactions cover every image of it (they all have the size of the one drawn on).
  const redactions = showRedactions ? annotations.filter((a) => isRedaction(a) && a.seriesId === view.seriesId) : [];
  const box = (points: readonly Vec3[]) => {
    const r = redactionRect(points);
    return r ? { r, corners: project(redactionCorners(plane, r)) } : null;
  };
  const draftEdges = draft?.kind === 'redaction' && draft.points.length >= 2 ? redactionPoints(plane, draft.points[0]!, draft.points[1]!) : null;

  return (
    <svg className="overlay annotation-layer" width={width} height={height} data-testid="annotations" style={{ pointerEvents: selectable ? 'auto' : 'none' }}
      onPointerMove={(e) => {
        const m = moving.current;
        const a = m && annotations.find((x) => x.id === m.id);
        const p = a && toWorld(e);
        if (a && p && m) dispatch({ type: 'moveAnnotation', id: a.id, points: a.points.map((q, i) => (i === m.point ? p : q)) });
      }}
      onPointerUp={() => { moving.current = null; }}
      onPointerDown={(e) => { if (e.target === e.currentTarget) dispatch({ type: 'select', id: null }); }}
    >
      {otherPlanes.map((other, i) => {
        const seg = referenceSegment(plane, other);
        const a = seg && toScreen(seg[0]);
        const b = seg && toScreen(seg[1]);
        return a && b ? <line key={`ref${i}`} className="reference-line" data-testid="reference-line" x1={a[0]} y1={a[1]} x2={b[0]} y2={b[1]} /> : null;
      })}
      {redactions.map((a) => {
        const b = box(a.points);
        return b && (
          <polygon key={a.id} className={`redaction${a.id === selected ? ' selected' : ''}`} data-testid="redaction" data-rect={`${b.r.x},${b.r.y},${b.r.width},${b.r.height}`}
            points={b.corners.map((q) => q.join(',')).join(' ')}
            onPointerDown={selectable ? (e) => { e.stopPropagation(); dispatch({ type: 'select', id: a.id }); } : undefined} />
        );
      })}
      {shown.map((a) => {
        const pts = project(a.points);
        const text = measurementText(a, view, volume, plane, slice);
        const anchor = pts[pts.length - 1]!;
        return (
          <g key={a.id} className={`annotation${a.id === selected ? ' selected' : ''}`} data-testid="annotation" data-kind={a.kind} data-value={text}>
            <Shape a={a} pts={pts} />
            {text && (
              <text x={anchor[0] + 8} y={anchor[1] - 8}>
                {text.split('\n').map((t, i) => <tspan key={i} x={anchor[0] + 8} dy={i === 0 ? 0 : 15}>{t}</tspan>)}
              </text>
            )}
            {selectable && pts.map((q, i) => (
              <circle key={i} className="handle" cx={q[0]} cy={q[1]} r={5}
                onPointerDown={(e) => { e.stopPropagation(); (e.target as Element).setPointerCapture(e.pointerId); dispatch({ type: 'select', id: a.id }); moving.current = { id: a.id, point: i }; }} />
            ))}
          </g>
        );
      })}
      {draft && draft.kind !== 'redaction' && (
        <g className="annotation draft" data-testid="annotation-draft">
          <Shape a={draft} pts={project(draft.points)} />
        </g>
      )}
      {draftEdges && (() => {
        const b = box(draftEdges);
        return b && <polygon className="redaction draft" data-testid="redaction-draft" points={b.corners.map((q) => q.join(',')).join(' ')} />;
      })()}
    </svg>
  );
}
