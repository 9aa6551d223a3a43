// The PACS query panel, beside the local study list: a node (and protocol when it speaks both; C-GET or C-MOVE when
// policy allows C-MOVE for it), the query fields
// (Enter searches), results a page at a time with the studies already on this computer marked, a study's series on
// demand, and one retrieve at a time with progress and cancel. Main does everything that touches the network;
// the panel only asks (pacs:* channels), never sees an address or a secret, and shows errors as main words them.
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { PacsProgress, PacsStatus, Responses } from '../../src-shared/ipc/contract';
import type { PacsSeries } from '../../src-shared/pacs/pacsQuery';
import { ApiError, call, subscribe } from '../api';
import { formatDate, formatName } from '../viewer/formatting';
import { MODALITIES } from '../views/StudyBrowser';
import { EMPTY_FIELDS, FIELD_LABELS, pacsQueryOf, type PacsFields, type PacsPageQuery } from './pacsForm';
import { advance, METHOD_LABELS, methodsOf, NO_COUNT, nodeLabel, progressFraction, progressLine, PROTOCOL_LABELS, protocolsOf, retrieveSummary, type PacsProtocol, type RetrieveCount, type RetrieveMethod } from './pacsText';
import './pacsPanel.css';

const PAGE = 25;

type Study = Responses['pacs:find'][number];

interface Props {
  open: boolean;
  nodes: PacsStatus['nodes'];
  /** The user's role may retrieve (import); otherwise the panel only searches. */
  canRetrieve: boolean;
  /** Screen sharing: patient names, IDs and birth dates are not rendered. */
  hideIdentifying: boolean;
  onClose(): void;
}

interface Job {
  studyUid: string;
  seriesUid?: string;
  label: string;
  totalImages: number | null;
  /** Main names the job in its first progress event. */
  jobId: string | null;
  progress: PacsProgress | null;
  count: RetrieveCount;
  cancelRequested: boolean;
}

type NodeState = { kind: 'idle' } | { kind: 'ok'; at: Date; results: number } | { kind: 'error'; message: string };
type SeriesState = PacsSeries[] | 'loading' | { error: string };

function messageOf(e: unknown, fallback: string): string {
  return e instanceof ApiError ? e.message : fallback;
}

export function PacsPanel({ open, nodes, canRetrieve, hideIdentifying, onClose }: Props) {
  const [nodeName, setNodeName] = useState(nodes[0]?.name ?? '');
  const node = nodes.find((n) => n.name === nodeName) ?? nodes[0];
  const protocols = node ? protocolsOf(node) : [];
  const [protocolChoice, setProtocol] = useState<PacsProtocol>(protocols[0] ?? 'dicomweb');
  const protocol = protocols.includes(protocolChoice) ? protocolChoice : protocols[0] ?? 'dicomweb';
  const methods = node ? methodsOf(node, protocol) : [];
  const [method, setMethod] = useState<RetrieveMethod>('get');
  const [fields, setFields] = useState<PacsFields>(EMPTY_FIELDS);
  /** The query the results answer (paging reuses it, not fields edited since). */
  const [asked, setAsked] = useState<{ query: PacsPageQuery; node: string; protocol: PacsProtocol } | null>(null);
  const [results, setResults] = useState<Study[] | null>(null);
  const [searching, setSearching] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [nodeState, setNodeState] = useState<NodeState>({ kind: 'idle' });
  const [expanded, setExpanded] = useState<string | null>(null);
  const [series, setSeries] = useState<Record<string, SeriesState>>({});
  const [job, setJob] = useState<Job | null>(null);
  const [outcome, setOutcome] = useState<string | null>(null);
  const jobRef = useRef(job);
  jobRef.current = job;
  const latest = useRef(0);
  const root = useRef<HTMLElement>(null);

  // Focus moves into the panel when it opens and back to what opened it when it closes.
  useEffect(() => {
    if (!open) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    root.current?.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    return () => opener?.focus();
  }, [open]);

  useEffect(
    () =>
      subscribe('pacs:progress', (p) => {
        const j = jobRef.current;
        // One retrieve at a time: the first event after it started names its job.
        if (!j || (j.jobId !== null && j.jobId !== p.jobId)) return;
        if (j.jobId === null && j.cancelRequested) void call('pacs:cancel', { jobId: p.jobId });
        setJob({ ...j, jobId: p.jobId, progress: p, count: advance(j.count, p) });
      }),
    [],
  );

  /** `refresh`: the same query again after a retrieve; what the user opened stays open. */
  const search = async (query: PacsPageQuery, on = { node: node?.name ?? '', protocol }, refresh = false) => {
    const ticket = ++latest.current;
    setSearching(true);
    setError(null);
    try {
      const found = await call('pacs:find', { node: on.node, query, protocol: on.protocol });
      if (ticket !== latest.current) return;
      setAsked({ query, ...on });
      setResults(found);
      if (!refresh) {
        setExpanded(null);
        setSeries({});
      }
      setNodeState({ kind: 'ok', at: new Date(), results: found.length });
    } catch (e) {
      if (ticket !== latest.current) return;
      const message = messageOf(e, 'The search failed.');
      setError(message);
      setNodeState({ kind: 'error', message });
    } finally {
      if (ticket === latest.current) setSearching(false);
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const q = pacsQueryOf(fields, { limit: PAGE, offset: 0 });
    if ('invalid' in q) setError(q.invalid);
    else void search(q.query);
  };

  const page = (offset: number) => asked && void search({ ...asked.query, offset }, { node: asked.node, protocol: asked.protocol });

  const toggleSeries = async (studyUid: string) => {
    if (expanded === studyUid) {
      setExpanded(null);
      return;
    }
    setExpanded(studyUid);
    if (!asked || Array.isArray(series[studyUid])) return;
    setSeries((m) => ({ ...m, [studyUid]: 'loading' }));
    try {
      const list = await call('pacs:series', { node: asked.node, studyUid, protocol: asked.protocol });
      setSeries((m) => ({ ...m, [studyUid]: list }));
    } catch (e) {
      setSeries((m) => ({ ...m, [studyUid]: { error: messageOf(e, 'The series could not be listed.') } }));
    }
  };

  const retrieve = async (study: Study, one?: PacsSeries) => {
    if (!asked || jobRef.current) return;
    const label = one ? `Series ${one.seriesNumber ?? ''} ${one.description}`.trim() : `Study ${formatDate(study.studyDate)} ${study.description}`.trim();
    const start: Job = {
      // Main counts every image it fetches; a series already whole here is skipped without a count, so the
      // study's total is the goal only when none of it is here yet (otherwise the bar moves by series).
      studyUid: study.studyInstanceUid, label, totalImages: one ? one.instanceCount : study.cached ? null : study.instanceCount,
      jobId: null, progress: null, count: NO_COUNT, cancelRequested: false,
      ...(one ? { seriesUid: one.seriesInstanceUid } : {}),
    };
    jobRef.current = start;
    setJob(start);
    setOutcome(null);
    // C-MOVE only when the node and protocol the results came from offer it (main refuses it otherwise anyway).
    const from = nodes.find((n) => n.name === asked.node);
    const move = method === 'move' && from !== undefined && methodsOf(from, asked.protocol).includes('move');
    try {
      const r = await call('pacs:retrieve', {
        node: asked.node, studyUid: study.studyInstanceUid, protocol: asked.protocol,
        ...(one ? { seriesUid: one.seriesInstanceUid } : {}), ...(move ? { method: 'move' as const } : {}),
      });
      setOutcome(retrieveSummary(r));
    } catch (e) {
      setOutcome(messageOf(e, 'The retrieve failed.'));
    } finally {
      jobRef.current = null;
      setJob(null);
    }
    // Main now holds more: ask again so the "on this computer" marks are main's word, not a guess.
    await search(asked.query, { node: asked.node, protocol: asked.protocol }, true);
  };

  const cancel = () => {
    const j = jobRef.current;
    if (!j) return;
    if (j.jobId) void call('pacs:cancel', { jobId: j.jobId });
    setJob({ ...j, cancelRequested: true });
  };

  const onKeyDown = (e: KeyboardEvent) => {
    // The reading room's shortcuts stay out of the panel.
    e.stopPropagation();
    if (e.key === 'Escape') onClose();
  };

  const field = (k: keyof PacsFields, type: 'text' | 'date', extra: { placeholder?: string; maxLength?: number; autoFocus?: boolean } = {}) => (
    <label className={`pacs-field pacs-field-${k}`}>
      {FIELD_LABELS[k]}
      <input
        type={type}
        value={fields[k]}
        onChange={(e) => setFields((f) => ({ ...f, [k]: e.target.value }))}
        data-testid={`pacs-${k}`}
        {...(extra.placeholder ? { placeholder: extra.placeholder } : {})}
        {...(extra.maxLength ? { maxLength: extra.maxLength } : {})}
        {...(extra.autoFocus ? { 'data-autofocus': true } : {})}
      />
    </label>
  );

  const offset = asked?.query.offset ?? 0;
  return (
    <aside ref={root} id="pacs-panel" className="pacs-panel" aria-labelledby="pacs-title" data-testid="pacs-panel" hidden={!open} onKeyDown={onKeyDown}>
      <header className="pacs-head">
        <h2 id="pacs-title">PACS</h2>
        <button type="button" onClick={onClose} data-testid="pacs-close">Close</button>
      </header>

      <form className="pacs-form" onSubmit={submit} role="search" aria-label="Search the PACS">
        <div className="pacs-row">
          <label className="pacs-field pacs-field-node">
            Node
            <select value={node?.name ?? ''} onChange={(e) => setNodeName(e.target.value)} data-testid="pacs-node">
              {nodes.map((n) => <option key={n.name} value={n.name}>{nodeLabel(n)}</option>)}
            </select>
          </label>
          {protocols.length > 1 && (
            <label className="pacs-field">
              Protocol
              <select value={protocol} onChange={(e) => setProtocol(e.target.value as PacsProtocol)} data-testid="pacs-protocol">
                {protocols.map((p) => <option key={p} value={p}>{PROTOCOL_LABELS[p]}</option>)}
              </select>
            </label>
          )}
          {methods.length > 1 && (
            <label className="pacs-field" title="C-MOVE: the archive sends the images back to a port policy opens only while the retrieve runs">
              Retrieve with
              <select value={method} onChange={(e) => setMethod(e.target.value as RetrieveMethod)} data-testid="pacs-method">
                {methods.map((m) => <option key={m} value={m}>{METHOD_LABELS[m]}</option>)}
              </select>
            </label>
          )}
        </div>
        <p className="pacs-node-state" data-testid="pacs-node-state" data-state={nodeState.kind}>
          {nodeState.kind === 'idle' && 'Not asked yet in this session.'}
          {nodeState.kind === 'ok' && `Answered at ${nodeState.at.toLocaleTimeString()}.`}
          {nodeState.kind === 'error' && 'The last search failed.'}
        </p>
        <div className="pacs-row">
          {field('patientName', 'text', { placeholder: 'Family^Given, * and ? as wildcards', maxLength: 64, autoFocus: true })}
          {field('patientId', 'text', { maxLength: 64 })}
        </div>
        <div className="pacs-row">
          {field('birthDate', 'date')}
          {field('studyDateFrom', 'date')}
          {field('studyDateTo', 'date')}
        </div>
        <div className="pacs-row">
          <label className="pacs-field">
            {FIELD_LABELS.modality}
            <select value={fields.modality} onChange={(e) => setFields((f) => ({ ...f, modality: e.target.value }))} data-testid="pacs-modality">
              <option value="">Any</option>
              {MODALITIES.map((m) => <option key={m} value={m}>{m}</option>)}
            </select>
          </label>
          {field('accession', 'text', { maxLength: 16 })}
          {field('description', 'text', { maxLength: 64 })}
        </div>
        <div className="pacs-actions">
          <button type="button" onClick={() => setFields(EMPTY_FIELDS)} data-testid="pacs-clear">Clear</button>
          <button type="submit" className="primary" disabled={searching || !node} data-testid="pacs-search">{searching ? 'Searching…' : 'Search'}</button>
        </div>
      </form>

      {error && <p className="error pacs-error" role="alert" data-testid="pacs-error">{error}</p>}

      {job && (
        <div className="pacs-job" data-testid="pacs-progress" aria-live="polite">
          <span className="pacs-job-label">{job.cancelRequested ? 'Cancelling…' : `Retrieving ${job.label}`}</span>
          <progress max={1} value={job.progress ? progressFraction(job.progress, job.count, job.totalImages) : 0} aria-label="Retrieve progress" />
          <span data-testid="pacs-progress-text">{job.progress ? progressLine(job.progress, job.count, job.totalImages) : 'Starting…'}</span>
          <button type="button" onClick={cancel} disabled={job.cancelRequested} data-testid="pacs-cancel">Cancel</button>
        </div>
      )}
      {outcome && <p className="pacs-outcome" role="status" data-testid="pacs-outcome">{outcome}</p>}

      {results && (
        <section className="pacs-results" aria-label="PACS results" data-testid="pacs-results">
          <div className="pacs-pager">
            <button type="button" disabled={offset === 0 || searching} onClick={() => page(Math.max(0, offset - PAGE))} data-testid="pacs-prev">Previous</button>
            <span data-testid="pacs-count">
              {results.length === 0 ? (offset === 0 ? 'No study matches.' : 'No more studies.') : `Studies ${offset + 1}–${offset + results.length}`}
            </span>
            {/* The archive does not say how many match: a full page means there may be more. */}
            <button type="button" disabled={results.length < PAGE || searching} onClick={() => page(offset + PAGE)} data-testid="pacs-next">Next</button>
          </div>
          <ul>
            {results.map((s) => {
              const isOpen = expanded === s.studyInstanceUid;
              const seriesState = series[s.studyInstanceUid];
              return (
                <li key={s.studyInstanceUid} className="pacs-study" data-testid="pacs-study" data-cached={s.cached}>
                  <div className="pacs-study-who">
                    {hideIdentifying ? <strong>Patient (hidden)</strong> : (
                      <>
                        <strong>{formatName(s.patientName) || '(no name)'}</strong>
                        <span>{s.patientId || '(no ID)'}{s.birthDate && ` · born ${formatDate(s.birthDate)}`}</span>
                      </>
                    )}
                    {s.cached && <span className="pacs-cached" data-testid="pacs-cached" title="The local cache already holds this study (some of it, at least)">On this computer</span>}
                  </div>
                  <div className="pacs-study-what">
                    <span>{formatDate(s.studyDate) || '(no date)'}</span>
                    <span className="pacs-modalities">{s.modalities.join('/')}</span>
                    <span>{s.description || '(no description)'}</span>
                    {s.accession && <span className="pacs-dim">Acc. {s.accession}</span>}
                  </div>
                  <div className="pacs-study-foot">
                    <span className="pacs-dim">
                      {s.seriesCount ?? '?'} series · {s.instanceCount ?? '?'} images
                    </span>
                    <button type="button" aria-expanded={isOpen} onClick={() => void toggleSeries(s.studyInstanceUid)} data-testid="pacs-series-toggle">
                      {isOpen ? 'Hide series' : 'Series…'}
                    </button>
                    {canRetrieve && (
                      <button type="button" className="primary" disabled={job !== null} onClick={() => void retrieve(s)} data-testid="pacs-retrieve-study">
                        Retrieve study
                      </button>
                    )}
                  </div>
                  {isOpen && (
                    <ul className="pacs-series" data-testid="pacs-series-list">
                      {seriesState === 'loading' && <li className="pacs-dim">Loading…</li>}
                      {seriesState && !Array.isArray(seriesState) && seriesState !== 'loading' && <li className="error" role="alert">{seriesState.error}</li>}
                      {Array.isArray(seriesState) && seriesState.length === 0 && <li className="pacs-dim">No series.</li>}
                      {Array.isArray(seriesState) && seriesState.map((se) => (
                        <li key={se.seriesInstanceUid} className="pacs-series-row" data-testid="pacs-series">
                          <span>
                            {se.modality} {se.seriesNumber ?? ''} {se.description || '(no description)'}
                            <span className="pacs-dim"> · {se.instanceCount ?? '?'} images</span>
                          </span>
                          {canRetrieve && (
                            <button type="button" disabled={job !== null} onClick={() => void retrieve(s, se)} data-testid="pacs-retrieve-series">Retrieve</button>
                          )}
                        </li>
                      ))}
                    </ul>
                  )}
                </li>
              );
            })}
          </ul>
        </section>
      )}
    </aside>
  );
}
