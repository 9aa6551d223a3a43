import { useEffect, useRef, useState } from 'react';
import type { SeriesView } from '../../src-shared/ipc/contract';
import { CT_PRESETS, dragWindowLevel, scrollSlice, valuesPerPixel, type WindowLevel } from '../../src-shared/measure/windowLevel';
import { ApiError, call } from '../api';
import { createStackPipeline, type StackPipeline } from './stackPipeline';

const FETCH_CONCURRENCY = 4;

/** Slices nearest the current one first, so what the user looks at arrives first. */
function fetchOrder(start: number, n: number): number[] {
  const order = [start];
  for (let d = 1; order.length < n; d++) {
    if (start + d < n) order.push(start + d);
    if (start - d >= 0) order.push(start - d);
  }
  return order;
}

export function StackViewport({ seriesId }: { seriesId: string }) {
  const containerRef = useRef<HTMLDivElement>(null);
  const pipelineRef = useRef<StackPipeline | null>(null);
  const [view, setView] = useState<SeriesView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [slice, setSlice] = useState(0);
  const [wl, setWl] = useState<WindowLevel>({ center: 0, width: 1 });
  const [loaded, setLoaded] = useState<Set<number>>(new Set());
  const drag = useRef<{ x: number; y: number; start: WindowLevel } | null>(null);

  useEffect(() => {
    let cancelled = false;
    call('series:open', { seriesId })
      .then((v) => {
        if (cancelled) return;
        setView(v);
        setWl(v.defaultWindow);
        setSlice(Math.floor(v.dimensions[2] / 2));
      })
      .catch((e: unknown) => setError(e instanceof ApiError ? e.message : 'This series could not be opened.'));
    return () => { cancelled = true; };
  }, [seriesId]);

  useEffect(() => {
    const container = containerRef.current;
    if (!view || !container) return;
    const pipeline = createStackPipeline(container, view);
    pipelineRef.current = pipeline;
    const observer = new ResizeObserver(() => pipeline.resize(container.clientWidth, container.clientHeight));
    observer.observe(container);
    pipeline.resize(container.clientWidth, container.clientHeight);

    let cancelled = false;
    const queue = fetchOrder(Math.floor(view.dimensions[2] / 2), view.dimensions[2]);
    const worker = async () => {
      for (let k = queue.shift(); k !== undefined && !cancelled; k = queue.shift()) {
        const response = await fetch(`${view.pixelPath}/${k}`);
        if (!response.ok) {
          setError('Some images of this series could not be read.');
          continue;
        }
        const values = new Float32Array(await response.arrayBuffer());
        if (cancelled) return;
        pipeline.setSliceData(k, values);
        setLoaded((prev) => new Set(prev).add(k));
      }
    };
    for (let i = 0; i < FETCH_CONCURRENCY; i++) void worker();
    return () => {
      cancelled = true;
      observer.disconnect();
      pipeline.dispose();
      pipelineRef.current = null;
    };
  }, [view]);

  const ready = loaded.has(slice);
  useEffect(() => {
    if (view) pipelineRef.current?.show(slice, wl);
  }, [view, slice, wl, ready]);

  if (error && !view) return <p className="error" role="alert">{error}</p>;
  if (!view) return <p className="empty">Opening series…</p>;

  const n = view.dimensions[2];
  const onPointerDown = (e: React.PointerEvent) => {
    if (e.button !== 0) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { x: e.clientX, y: e.clientY, start: wl };
  };
  const onPointerMove = (e: React.PointerEvent) => {
    const d = drag.current;
    if (!d) return;
    const perPixel = valuesPerPixel(view.valueRange, containerRef.current?.clientHeight ?? 512);
    setWl(dragWindowLevel(d.start, e.clientX - d.x, e.clientY - d.y, perPixel));
  };
  const onPointerUp = () => { drag.current = null; };
  const onWheel = (e: React.WheelEvent) => setSlice((k) => scrollSlice(k, e.deltaY, n));

  return (
    <div className="stack-viewport">
      <div className="presets">
        {view.modality === 'CT' && CT_PRESETS.map((p) => (
          <button type="button" key={p.name} onClick={() => setWl({ center: p.center, width: p.width })} data-testid={`preset-${p.name}`}>{p.name}</button>
        ))}
        <button type="button" onClick={() => setWl(view.defaultWindow)}>Reset</button>
      </div>
      <div
        ref={containerRef}
        className="canvas-host"
        data-testid="viewport"
        data-slice={slice}
        data-instance={view.instanceNumbers[slice] ?? ''}
        data-window-center={wl.center.toFixed(1)}
        data-window-width={wl.width.toFixed(1)}
        data-ready={ready ? 'true' : 'false'}
        data-loaded={loaded.size}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
        onWheel={onWheel}
      />
      <div className="overlay top-left">{view.modality} {view.seriesDescription}</div>
      <div className="overlay bottom-left" data-testid="overlay-slice">
        Im: {view.instanceNumbers[slice] ?? '?'} ({slice + 1}/{n}){ready ? '' : ' loading…'}
      </div>
      <div className="overlay bottom-right" data-testid="overlay-window">W: {Math.round(wl.width)} L: {Math.round(wl.center)}</div>
      {view.warnings.length > 0 && (
        <div className="overlay top-right warnings" role="note">{view.warnings.map((w) => <div key={w.code}>{w.message}</div>)}</div>
      )}
      {error && <div className="overlay error" role="alert">{error}</div>}
    </div>
  );
}
