// One SeriesVolume per series that some viewport shows; created when the first viewport shows it,
// disposed (its voxels and vtk objects released) when the last one stops. The memory budget is
// shared: a series that would push the total over it is kept slice by slice instead.
import { useEffect, useMemo, useRef } from 'react';
import { call } from '../api';
import type { SeriesView } from '../../src-shared/ipc/contract';
import type { ViewportState } from '../../src-shared/viewer/viewerState';
import { maxTexture3D } from '../views/renderRoot';
import { SeriesVolume, VOLUME_BUDGET_BYTES } from '../views/seriesVolume';
import { countOpenVolumesWith } from '../views/vtkOwnership';

const live = new Map<string, SeriesVolume>();
countOpenVolumesWith(() => live.size);

function bytesOf(v: SeriesVolume): number {
  return v.mode === 'volume' ? v.sliceLength * v.sliceCount * (v.view.display.pixelType === 'float32' ? 4 : v.view.display.pixelType.includes('16') ? 2 : 1) : 0;
}

/**
 * The series' SeriesVolume, made now if no viewport holds it yet (its budget: what the series in `alongside` keep).
 * The reading room calls it as soon as main has answered series:open, so the first slice is asked for before
 * React has rendered anything; the viewports then find the same object.
 */
export function seriesVolumeFor(view: SeriesView, alongside: readonly string[]): SeriesVolume {
  const had = live.get(view.seriesId);
  if (had) return had;
  const used = [...new Set(alongside)].reduce((sum, other) => sum + (other !== view.seriesId && live.has(other) ? bytesOf(live.get(other)!) : 0), 0);
  const volume = new SeriesVolume(view, maxTexture3D(), Math.max(0, VOLUME_BUDGET_BYTES - used), () => call('series:open', { seriesId: view.seriesId }));
  live.set(view.seriesId, volume);
  return volume;
}

export function useSeriesVolumes(viewports: ViewportState[], views: Map<string, SeriesView>): Map<string, SeriesVolume> {
  const wanted = viewports.map((v) => v.seriesId).filter((id): id is string => !!id && views.has(id));
  const key = [...new Set(wanted)].sort().join('|');
  const volumesRef = useRef(live);

  const volumes = useMemo(() => {
    const ids = key ? key.split('|') : [];
    for (const id of ids) seriesVolumeFor(views.get(id)!, ids);
    return new Map(ids.map((id) => [id, live.get(id)!]));
  }, [key]);

  useEffect(() => {
    const keep = new Set(volumes.keys());
    for (const [id, v] of volumesRef.current) {
      if (keep.has(id)) continue;
      v.dispose();
      volumesRef.current.delete(id);
    }
  }, [volumes]);

  useEffect(() => () => {
    // The reading room unmounted: nothing is shown, nothing is kept.
    for (const v of live.values()) v.dispose();
    live.clear();
  }, []);

  return volumes;
}
