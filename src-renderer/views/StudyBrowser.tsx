// The study browser: patients -> studies -> series (with the previews made at import), searched in main
// ('studies:search') one page at a time, so a cache of 100,000 studies never puts more than a page in the
// DOM. Quick-view studies come first and say they are not saved. Series rows open on click and can be
// dragged onto a viewport (dataTransfer SERIES_DRAG_TYPE = the series id).
import { useEffect, useMemo, useRef, useState } from 'react';
import type { SeriesListItem, StudyListItem, StudySearch, StudySearchItem, StudySearchResult } from '../../src-shared/ipc/contract';
import { formatDate, formatName } from '../viewer/formatting';
import { ApiError, call } from '../api';
import type { ExportChoice } from '../export/ExportDialog';
import { RestrictStudyDialog } from '../auth/RestrictStudyDialog';

export const SERIES_DRAG_TYPE = 'application/x-enclave-series';

const PAGE = 50;
const DEBOUNCE_MS = 250;
export const MODALITIES = ['CT', 'MR', 'PT', 'NM', 'US', 'CR', 'DX', 'MG', 'XA', 'RF', 'IO', 'SC', 'SR', 'OT'];
const SORTS = {
  'date-desc': { label: 'Newest first', sort: { by: 'date', direction: 'desc' } },
  'date-asc': { label: 'Oldest first', sort: { by: 'date', direction: 'asc' } },
  'name-asc': { label: 'Name A–Z', sort: { by: 'name', direction: 'asc' } },
  'name-desc': { label: 'Name Z–A', sort: { by: 'name', direction: 'desc' } },
  'patientId-asc': { label: 'Patient ID', sort: { by: 'patientId', direction: 'asc' } },
} as const satisfies Record<string, { label: string; sort: NonNullable<StudySearch['sort']> }>;
type SortKey = keyof typeof SORTS;

interface Props {
  /** The study comes along so the viewer can label the images without asking again. */
  onOpenSeries(seriesId: string, studyId: string, study: StudyListItem): void;
  /** Screen sharing: patient names, IDs and birth dates are not rendered at all. */
  hideIdentifying: boolean;
  /** A study was deleted from this computer (the viewer lets go of it). */
  onPurged(studyId: string): void;
  selectedSeriesId: string | null;
  /** Bumped by the app when studies changed (import, purge, quick view opened or closed). */
  refreshKey: number;
  /** Opens the export dialog for a study or one of its series. */
  onExport?(choices: ExportChoice[]): void;
  /** The user's role may delete studies from this computer (main refuses otherwise). */
  canPurge: boolean;
  /** The user may restrict a study to named users or roles (administrators). */
  canRestrict: boolean;
}

/** <input type="date"> gives 'YYYY-MM-DD' (or '' when cleared); DICOM wants 'YYYYMMDD'. */
function dicomDate(iso: string): string | undefined {
  return /^\d{4}-\d{2}-\d{2}$/.test(iso) ? iso.replace(/-/g, '') : undefined;
}

export interface PatientGroup {
  key: string;
  source: StudySearchItem['source'];
  patientName: string;
  patientId: string;
  patientBirthDate: string;
  studies: StudySearchItem[];
}

/** Consecutive studies of one patient (and one source) under one heading; the page's order is kept. */
export function groupByPatient(studies: readonly StudySearchItem[]): PatientGroup[] {
  const groups: PatientGroup[] = [];
  for (const s of studies) {
    const last = groups.at(-1);
    if (last && last.source === s.source && last.studies[0]!.patientKey === s.patientKey) last.studies.push(s);
    else groups.push({ key: `${s.source}:${s.patientKey}:${s.studyId}`, source: s.source, patientName: s.patientName, patientId: s.patientId, patientBirthDate: s.patientBirthDate, studies: [s] });
  }
  return groups;
}

function messageOf(e: unknown, fallback: string): string {
  return e instanceof ApiError ? e.message : fallback;
}

function SeriesThumb({ seriesId, modality, version }: { seriesId: string; modality: string; version: number }) {
  const [failed, setFailed] = useState(false);
  if (failed) return <span className="sb-thumb sb-thumb-none" aria-hidden="true">{modality || '?'}</span>;
  // Same origin (app://enclave/thumbs/...): allowed by img-src 'self'. `version` refetches after a re-import.
  return <img className="sb-thumb" src={`thumbs/${encodeURIComponent(seriesId)}?v=${version}`} alt="" width={48} height={48} loading="lazy" draggable={false} onError={() => setFailed(true)} />;
}

export function StudyBrowser({ onOpenSeries, selectedSeriesId, refreshKey, hideIdentifying, onPurged, onExport, canPurge, canRestrict }: Props) {
  const [text, setText] = useState('');
  const [typed, setTyped] = useState('');
  const [dateFrom, setDateFrom] = useState('');
  const [dateTo, setDateTo] = useState('');
  const [modality, setModality] = useState('');
  const [sortKey, setSortKey] = useState<SortKey>('date-desc');
  const [offset, setOffset] = useState(0);
  const [result, setResult] = useState<StudySearchResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [openStudy, setOpenStudy] = useState<string | null>(null);
  const [series, setSeries] = useState<Record<string, SeriesListItem[]>>({});
  const [armed, setArmed] = useState<string | null>(null);
  const [purged, setPurged] = useState(0);
  const [restricting, setRestricting] = useState<string | null>(null);
  const latest = useRef(0);
  const version = refreshKey + purged;

  // A search per pause in typing, not per keystroke; a new search starts at the first page.
  useEffect(() => {
    const t = setTimeout(() => {
      setTyped(text);
      setOffset(0);
    }, DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [text]);

  const query = useMemo((): Omit<StudySearch, 'limit' | 'offset'> | { invalid: string } => {
    const from = dicomDate(dateFrom);
    const to = dicomDate(dateTo);
    if (from && to && from > to) return { invalid: 'The start date is after the end date.' };
    return {
      ...(typed.trim() ? { text: typed.trim().slice(0, 128) } : {}),
      ...(from ? { dateFrom: from } : {}),
      ...(to ? { dateTo: to } : {}),
      ...(modality ? { modality } : {}),
      sort: SORTS[sortKey].sort,
    };
  }, [typed, dateFrom, dateTo, modality, sortKey]);
  const filtered = typed.trim() !== '' || dateFrom !== '' || dateTo !== '' || modality !== '';

  useEffect(() => {
    if ('invalid' in query) {
      setError(query.invalid);
      return;
    }
    // Only the latest request may update the list (answers can overtake each other).
    const ticket = ++latest.current;
    call('studies:search', { ...query, limit: PAGE, offset }).then(
      (r) => {
        if (ticket !== latest.current) return;
        // The page emptied (studies deleted): go to the last page that has studies.
        if (r.studies.length === 0 && offset > 0) setOffset(Math.max(0, Math.ceil(r.total / PAGE) - 1) * PAGE);
        setResult(r);
        setError(null);
      },
      (e: unknown) => {
        if (ticket === latest.current) setError(messageOf(e, 'The studies could not be listed.'));
      },
    );
  }, [query, offset, version]);

  // Series lists are fetched when a study opens, and again after anything changed.
  useEffect(() => setSeries({}), [version]);
  useEffect(() => {
    if (!openStudy || series[openStudy]) return;
    let live = true;
    call('series:list', { studyId: openStudy }).then(
      (list) => {
        if (live) setSeries((m) => ({ ...m, [openStudy]: list }));
      },
      (e: unknown) => {
        if (!live) return;
        if (e instanceof ApiError && e.info.code === 'NOT_FOUND') setOpenStudy(null);
        else setError(messageOf(e, 'Could not list the series.'));
      },
    );
    return () => {
      live = false;
    };
  }, [openStudy, series]);

  const refilter = <T,>(set: (v: T) => void) => (v: T) => {
    set(v);
    setOffset(0);
  };

  const purge = async (studyId: string) => {
    try {
      await call('studies:purge', { studyId });
      setOpenStudy(null);
      onPurged(studyId);
      setPurged((n) => n + 1);
    } catch (e) {
      setError(messageOf(e, 'The study could not be deleted.'));
    }
  };

  const groups = useMemo(() => groupByPatient(result?.studies ?? []), [result]);
  const total = result?.total ?? 0;

  return (
    <nav className="study-browser" aria-label="Studies" data-testid="study-list">
      <div className="sb-filters" role="search">
        <input
          type="search"
          className="sb-search"
          placeholder="Name, patient ID, accession, description"
          aria-label="Search studies"
          maxLength={128}
          value={text}
          onChange={(e) => setText(e.target.value)}
          data-testid="study-search"
        />
        <div className="sb-row">
          <label>
            From
            <input type="date" value={dateFrom} onChange={(e) => refilter(setDateFrom)(e.target.value)} data-testid="study-date-from" />
          </label>
          <label>
            To
            <input type="date" value={dateTo} onChange={(e) => refilter(setDateTo)(e.target.value)} data-testid="study-date-to" />
          </label>
        </div>
        <div className="sb-row">
          <select aria-label="Modality" value={modality} onChange={(e) => refilter(setModality)(e.target.value)} data-testid="study-modality">
            <option value="">All modalities</option>
            {MODALITIES.map((m) => (
              <option key={m} value={m}>{m}</option>
            ))}
          </select>
          <select aria-label="Sort" value={sortKey} onChange={(e) => refilter(setSortKey)(e.target.value as SortKey)} data-testid="study-sort">
            {Object.entries(SORTS).map(([k, v]) => (
              <option key={k} value={k}>{v.label}</option>
            ))}
          </select>
        </div>
      </div>

      {error && <p className="error sb-error" role="alert">{error}</p>}
      {result && total === 0 && <p className="empty">{filtered ? 'No study matches.' : 'No studies yet.'}</p>}
      {total > 0 && (
        <div className="sb-pager">
          <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))} data-testid="study-page-prev" aria-label="Previous page">‹</button>
          <span data-testid="study-count">
            {total <= PAGE ? `${total} ${total === 1 ? 'study' : 'studies'}` : `${offset + 1}–${Math.min(offset + PAGE, total)} of ${total.toLocaleString()} studies`}
          </span>
          <button type="button" disabled={offset + PAGE >= total} onClick={() => setOffset(offset + PAGE)} data-testid="study-page-next" aria-label="Next page">›</button>
        </div>
      )}

      <ul className="sb-patients">
        {groups.map((g) => (
          <li key={g.key} className="sb-patient" data-testid="patient">
            <div className="sb-patient-head">
              {hideIdentifying ? <strong>Patient (hidden)</strong> : (
                <>
                  <strong>{formatName(g.patientName) || '(no name)'}</strong>
                  <span>
                    {g.patientId || '(no ID)'}
                    {g.patientBirthDate && ` · born ${formatDate(g.patientBirthDate)}`}
                  </span>
                </>
              )}
            </div>
            <ul className="sb-studies">
              {g.studies.map((s) => {
                const open = s.studyId === openStudy;
                return (
                  <li key={s.studyId}>
                    <button type="button" className={`sb-study${open ? ' selected' : ''}`} aria-expanded={open} onClick={() => setOpenStudy(open ? null : s.studyId)} data-testid="study" data-study-id={s.studyId}>
                      {/* The patient is the heading above; said again for screen readers, which announce the button alone. */}
                      {!hideIdentifying && <span className="sb-visually-hidden">{formatName(s.patientName) || '(no name)'} </span>}
                      <span className="sb-study-line">
                        <span>{formatDate(s.studyDate) || '(no date)'}</span>
                        <span className="sb-modalities">{s.modalities.join('/')}</span>
                      </span>
                      <span>{s.studyDescription || '(no description)'}</span>
                      <span className="sb-counts">{s.seriesCount} series · {s.instanceCount} images</span>
                      {s.source === 'quickview' && <span className="badge" title="Held in memory only; nothing is saved on this computer">Quick view · not saved</span>}
                      {s.restricted && <span className="sb-restricted" data-testid="study-restricted" title="An administrator restricted this study to named users or roles">Restricted</span>}
                    </button>
                    {open && (
                      <ul className="sb-series">
                        {!series[s.studyId] && <li className="empty">Loading…</li>}
                        {series[s.studyId]?.map((se) => (
                          <li key={se.seriesId}>
                            <button
                              type="button"
                              draggable
                              className={`sb-series-row${se.seriesId === selectedSeriesId ? ' selected' : ''}`}
                              title="Open, or drag onto a viewport"
                              onClick={() => onOpenSeries(se.seriesId, s.studyId, s)}
                              onDragStart={(e) => {
                                e.dataTransfer.setData(SERIES_DRAG_TYPE, se.seriesId);
                                e.dataTransfer.effectAllowed = 'copy';
                              }}
                              data-testid="series"
                              data-series-id={se.seriesId}
                            >
                              <SeriesThumb seriesId={se.seriesId} modality={se.modality} version={version} />
                              <span className="sb-series-text">
                                <span>{se.modality} {se.seriesNumber ?? ''} {se.seriesDescription || '(no description)'}</span>
                                <span className="sb-counts">{se.instanceCount} images</span>
                              </span>
                            </button>
                            {onExport && (
                              <button type="button" className="sb-export" data-testid="export-series" aria-label={`Export series ${se.seriesNumber ?? ''} ${se.seriesDescription}`}
                                onClick={() => onExport([{ label: `Series ${se.modality} ${se.seriesNumber ?? ''} ${se.seriesDescription} (${se.instanceCount} images)`, scope: { seriesId: se.seriesId } }, { label: `The whole study (${s.instanceCount} images)`, scope: { studyId: s.studyId } }])}>
                                Export…
                              </button>
                            )}
                          </li>
                        ))}
                        {onExport && series[s.studyId] && (
                          <li>
                            <button type="button" className="sb-export-study" data-testid="export-study"
                              onClick={() => onExport([{ label: `The whole study (${s.seriesCount} series, ${s.instanceCount} images)`, scope: { studyId: s.studyId } }])}>
                              Export study…
                            </button>
                          </li>
                        )}
                        {s.source === 'cache' && canRestrict && (
                          <li>
                            <button type="button" className="sb-purge" onClick={() => setRestricting(s.studyId)} aria-haspopup="dialog" data-testid="restrict-study">Restrict…</button>
                          </li>
                        )}
                        {s.source === 'cache' && canPurge && (
                          <li>
                            <button
                              type="button"
                              className="danger sb-purge"
                              data-testid="purge-study"
                              onClick={() => {
                                if (armed === s.studyId) {
                                  setArmed(null);
                                  void purge(s.studyId);
                                } else setArmed(s.studyId);
                              }}
                            >
                              {armed === s.studyId ? 'Click again to delete it for good' : 'Delete from this computer…'}
                            </button>
                          </li>
                        )}
                      </ul>
                    )}
                  </li>
                );
              })}
            </ul>
          </li>
        ))}
      </ul>
      {restricting && <RestrictStudyDialog studyId={restricting} onClose={() => setRestricting(null)} onSaved={() => setPurged((n) => n + 1)} />}
    </nav>
  );
}
