import { useState } from 'react';
import type { SeriesListItem, StudyListItem } from '../../src-shared/ipc/contract';
import { formatDate, formatName } from '../viewer/formatting';

interface Props {
  studies: StudyListItem[];
  series: SeriesListItem[];
  studyId: string | null;
  seriesId: string | null;
  onOpenStudy: (studyId: string) => void;
  onOpenSeries: (seriesId: string) => void;
  onPurge: (studyId: string) => void;
  /** Screen sharing: names, IDs and birth dates are not rendered at all. */
  hideIdentifying: boolean;
}

export function StudyList({ studies, series, studyId, seriesId, onOpenStudy, onOpenSeries, onPurge, hideIdentifying }: Props) {
  // Deleting takes two clicks on the same study: the first arms, the second deletes.
  const [armed, setArmed] = useState<string | null>(null);
  return (
    <nav className="study-list" aria-label="Studies">
      <h2>Studies</h2>
      {studies.length === 0 && <p className="empty">No studies yet.</p>}
      <ul>
        {studies.map((s) => (
          <li key={s.studyId}>
            <button type="button" className={s.studyId === studyId ? 'selected' : ''} onClick={() => onOpenStudy(s.studyId)} data-testid="study">
              <strong>{hideIdentifying ? 'Patient (hidden)' : formatName(s.patientName) || '(no name)'}</strong>
              {s.source === 'quickview' && <span className="badge" title="Held in memory only; nothing is saved">Quick view · not saved</span>}
              <span>{hideIdentifying ? '' : `${s.patientId} · `}{formatDate(s.studyDate)}</span>
              <span>{s.studyDescription} {s.modalities.join('/')} · {s.seriesCount} series · {s.instanceCount} images</span>
            </button>
            {s.studyId === studyId && (
              <ul className="series-list">
                {series.map((se) => (
                  <li key={se.seriesId}>
                    <button type="button" className={se.seriesId === seriesId ? 'selected' : ''} onClick={() => onOpenSeries(se.seriesId)} data-testid="series">
                      {se.modality} {se.seriesNumber ?? ''} {se.seriesDescription || '(no description)'} · {se.instanceCount}
                    </button>
                  </li>
                ))}
                {s.source === 'cache' && (
                  <li>
                    <button type="button" className="danger" data-testid="purge-study"
                      onClick={() => { if (armed === s.studyId) { setArmed(null); onPurge(s.studyId); } else setArmed(s.studyId); }}>
                      {armed === s.studyId ? 'Click again to delete it for good' : 'Delete from this computer…'}
                    </button>
                  </li>
                )}
              </ul>
            )}
          </li>
        ))}
      </ul>
    </nav>
  );
}
