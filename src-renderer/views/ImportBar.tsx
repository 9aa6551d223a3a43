import type { ImportProgress } from '../../src-shared/ipc/contract';

function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '';
  return seconds < 60 ? `${Math.ceil(seconds)} s left` : `${Math.ceil(seconds / 60)} min left`;
}

export function ImportBar({ progress }: { progress: ImportProgress | null }) {
  if (!progress) return null;
  const fraction = progress.bytesTotal > 0 ? progress.bytesDone / progress.bytesTotal : 0;
  return (
    <span className="import-bar" data-testid="import-progress">
      <progress max={1} value={fraction} />
      <span>{progress.filesDone}/{progress.filesTotal} files · {(progress.bytesPerSecond / 1e6).toFixed(1)} MB/s {formatEta(progress.etaSeconds)}</span>
    </span>
  );
}
