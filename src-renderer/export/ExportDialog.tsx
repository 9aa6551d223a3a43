// The export dialog: what (study, series, this image), how (folder, media, encrypted package, picture), the
// de-identification options, the files flagged for burned-in text and the redactions that will apply (with the
// confirmation they need), then progress with cancel, and a summary. Main chooses the folder in its own dialog.
import { useEffect, useRef, useState } from 'react';
import { OPTION_KEYS, type DeidOptions, type OptionKey } from '../../src-shared/deid/profileTypes';
import type { ExportKind, ExportProgress, ExportReview, ExportRunRequest, ExportScope, ExportSummary } from '../../src-shared/ipc/exportContract';
import { ApiError, call, subscribe } from '../api';
import { actionLines, burnedInLine, KIND_LABELS, OPTION_LABELS, summaryHeadline } from './exportText';
import './exportDialog.css';

/** One thing the dialog can export; `image` when it is a single image shown in the viewer (its frame and window). */
export interface ExportChoice {
  label: string;
  scope: ExportScope;
  image?: { frame: number; window?: { center: number; width: number } };
}

interface Props {
  choices: ExportChoice[];
  onClose(): void;
}

type Phase = { step: 'form' } | { step: 'running'; jobId: string; progress: ExportProgress | null } | { step: 'done'; summary: ExportSummary };

const KINDS: ExportKind[] = ['folder', 'media', 'zip', 'image'];
let jobSeq = 0;

export function ExportDialog({ choices, onClose }: Props) {
  const [choice, setChoice] = useState(0);
  const chosen = choices[choice] ?? choices[0]!;
  const [kind, setKind] = useState<ExportKind>('folder');
  const [options, setOptions] = useState<DeidOptions>({});
  const [review, setReview] = useState<ExportReview | null>(null);
  const [confirmed, setConfirmed] = useState(false);
  const [override, setOverride] = useState(false);
  const [zipMode, setZipMode] = useState<'generate' | 'type'>('generate');
  const [password, setPassword] = useState('');
  const [format, setFormat] = useState<'png' | 'jpeg'>('png');
  const [variant, setVariant] = useState<'watermarked' | 'deidentified'>('watermarked');
  const [phase, setPhase] = useState<Phase>({ step: 'form' });
  const [error, setError] = useState<string | null>(null);
  const dialog = useRef<HTMLDivElement>(null);
  const phaseRef = useRef(phase);
  phaseRef.current = phase;

  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.current?.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    const off = subscribe('export:progress', (p) => {
      const ph = phaseRef.current;
      if (ph.step === 'running' && ph.jobId === p.jobId) setPhase({ ...ph, progress: p });
    });
    return () => { off(); opener?.focus(); };
  }, []);

  useEffect(() => {
    if (!chosen.image && kind === 'image') setKind('folder');
    setReview(null);
    setConfirmed(false);
    setOverride(false);
    let live = true;
    call('export:review', { scope: chosen.scope }).then(
      (r) => {
        if (!live) return;
        setReview(r);
        if (r.policy.requiresDeidentification) setVariant('deidentified');
      },
      (e: unknown) => live && setError(e instanceof ApiError ? e.message : 'The export could not be prepared.'),
    );
    return () => { live = false; };
  }, [choice]);

  const required = review?.policy.requiresDeidentification ?? false;
  const imageKind = kind === 'image';
  const flagged = review?.flaggedTotal ?? 0;
  // Pictures carry no DICOM attributes; only the de-identified variant of a flagged image needs the review.
  const needsReview = !imageKind ? flagged > 0 : variant === 'deidentified' && flagged > 0;
  const needsOverride = !imageKind ? (review?.unredactedFlagged ?? 0) > 0 : needsReview && (review?.redactedFiles ?? 0) === 0;
  const passwordOk = kind !== 'zip' || zipMode === 'generate' || password.length >= (review?.minPasswordLength ?? 8);
  const canRun = !!review && review.policy.exportAllowed && (!needsReview || confirmed) && (!needsOverride || override) && passwordOk && phase.step === 'form';

  const setOption = (k: OptionKey, on: boolean) => setOptions((o) => {
    const next = { ...o, [k]: on };
    // Full dates and shifted dates exclude each other (PS3.15 E.3.6).
    if (on && k === 'retainLongitudinalFullDates') next.retainLongitudinalModifiedDates = false;
    if (on && k === 'retainLongitudinalModifiedDates') next.retainLongitudinalFullDates = false;
    return next;
  });

  const run = async () => {
    const jobId = `x${Date.now().toString(36)}${(jobSeq++).toString(36)}`;
    const req: ExportRunRequest = {
      jobId, scope: chosen.scope, kind, options: Object.fromEntries(Object.entries(options).filter(([, v]) => v)),
      burnedIn: { confirmed: needsReview ? confirmed : true, override: needsOverride && override },
      ...(kind === 'zip' ? { zip: zipMode === 'generate' ? { generate: true as const } : { password } } : {}),
      ...(imageKind && chosen.image ? { image: { format, variant, frame: chosen.image.frame, ...(chosen.image.window ? { window: chosen.image.window } : {}) } } : {}),
    };
    setError(null);
    setPhase({ step: 'running', jobId, progress: null });
    try {
      const summary = await call('export:run', req);
      setPhase(summary ? { step: 'done', summary } : { step: 'form' });
    } catch (e) {
      setPhase({ step: 'form' });
      setError(e instanceof ApiError ? (e.info.code === 'CANCELLED' ? 'Export cancelled; nothing was left behind.' : e.message) : 'The export failed.');
    }
  };

  const cancel = () => {
    const ph = phaseRef.current;
    if (ph.step === 'running') void call('export:cancel', { jobId: ph.jobId });
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    // The reading room's shortcuts stay out of the dialog.
    e.stopPropagation();
    if (e.key === 'Escape') {
      if (phase.step === 'running') cancel();
      else onClose();
      return;
    }
    if (e.key !== 'Tab' || !dialog.current) return;
    const stops = [...dialog.current.querySelectorAll<HTMLElement>('button:not([disabled]), input:not([disabled]), select:not([disabled])')];
    const first = stops[0];
    const last = stops.at(-1);
    if (!first || !last) return;
    if (e.shiftKey && document.activeElement === first) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus(); }
  };

  const progress = phase.step === 'running' ? phase.progress : null;
  return (
    <div className="export-backdrop" onMouseDown={(e) => e.target === e.currentTarget && phase.step !== 'running' && onClose()}>
      <div ref={dialog} className="export-dialog" role="dialog" aria-modal="true" aria-labelledby="export-title" data-testid="export-dialog" onKeyDown={onKeyDown}>
        <header className="export-head">
          <h2 id="export-title">Export</h2>
          <button type="button" onClick={onClose} disabled={phase.step === 'running'} data-testid="export-close">Close</button>
        </header>
        {phase.step === 'done' ? (
          <section className="export-body" data-testid="export-summary" aria-live="polite">
            <p className="export-headline">{summaryHeadline(phase.summary)}</p>
            {actionLines(phase.summary.actions).length > 0 && (
              <><h3>Removed or changed</h3><ul data-testid="export-actions">{actionLines(phase.summary.actions).map((l) => <li key={l}>{l}</li>)}</ul></>
            )}
            {burnedInLine(phase.summary) && <p data-testid="export-burned-in-summary">{burnedInLine(phase.summary)}</p>}
            {phase.summary.password && (
              <div className="export-password" data-testid="export-password-shown">
                <p>Package password (shown this once; Enclave keeps no copy):</p>
                <code data-testid="export-password">{phase.summary.password}</code>
              </div>
            )}
            <button type="button" onClick={onClose} data-autofocus data-testid="export-done">Done</button>
          </section>
        ) : (
          <form className="export-body" onSubmit={(e) => { e.preventDefault(); if (canRun) void run(); }}>
            {choices.length > 1 && (
              <fieldset>
                <legend>What</legend>
                {choices.map((c, i) => (
                  <label key={c.label}><input type="radio" name="export-what" checked={i === choice} onChange={() => setChoice(i)} disabled={phase.step !== 'form'} data-testid={`export-choice-${i}`} {...(i === 0 ? { 'data-autofocus': true } : {})} /> {c.label}</label>
                ))}
              </fieldset>
            )}
            {choices.length === 1 && <p className="export-what">{chosen.label}</p>}
            <fieldset>
              <legend>How</legend>
              {KINDS.filter((k) => k !== 'image' || chosen.image).map((k) => (
                <label key={k} title={KIND_LABELS[k].hint}>
                  <input type="radio" name="export-kind" checked={kind === k} onChange={() => setKind(k)} disabled={phase.step !== 'form'} data-testid={`export-kind-${k}`} {...(choices.length === 1 && k === 'folder' ? { 'data-autofocus': true } : {})} /> {KIND_LABELS[k].label}
                </label>
              ))}
            </fieldset>
            {!review && !error && <p>Checking the images…</p>}
            {review && !review.policy.exportAllowed && <p className="export-error" role="alert">Export is turned off by your organisation.</p>}
            {review && <p className="export-count" data-testid="export-file-count">{review.files} image file{review.files === 1 ? '' : 's'}{required ? ' · de-identification required by your organisation' : ''}</p>}

            {imageKind ? (
              <fieldset>
                <legend>Picture</legend>
                <label><input type="radio" name="export-format" checked={format === 'png'} onChange={() => setFormat('png')} data-testid="export-format-png" /> PNG (lossless)</label>
                <label><input type="radio" name="export-format" checked={format === 'jpeg'} onChange={() => setFormat('jpeg')} data-testid="export-format-jpeg" /> JPEG</label>
                <label><input type="radio" name="export-variant" checked={variant === 'watermarked'} disabled={required} onChange={() => setVariant('watermarked')} data-testid="export-variant-watermarked" /> Watermarked "Confidential"{review?.policy.watermarkText ? ` with "${review.policy.watermarkText}"` : ''}</label>
                <label><input type="radio" name="export-variant" checked={variant === 'deidentified'} onChange={() => setVariant('deidentified')} data-testid="export-variant-deidentified" /> De-identified (no overlays, labelled so)</label>
              </fieldset>
            ) : (
              <fieldset className="export-options">
                <legend>De-identification (PS3.15 Basic Profile, always applied) — options</legend>
                {OPTION_KEYS.map((k) => (
                  <label key={k}><input type="checkbox" checked={!!options[k]} onChange={(e) => setOption(k, e.target.checked)} data-testid={`export-option-${k}`} /> {OPTION_LABELS[k]}</label>
                ))}
              </fieldset>
            )}

            {kind === 'zip' && (
              <fieldset>
                <legend>Package password</legend>
                <label><input type="radio" name="export-zip" checked={zipMode === 'generate'} onChange={() => setZipMode('generate')} data-testid="export-zip-generate" /> Generate one (shown once at the end)</label>
                <label><input type="radio" name="export-zip" checked={zipMode === 'type'} onChange={() => setZipMode('type')} data-testid="export-zip-type" /> Type one</label>
                {zipMode === 'type' && (
                  <input type="password" autoComplete="new-password" aria-label="Package password" value={password} onChange={(e) => setPassword(e.target.value)} data-testid="export-zip-password" />
                )}
                {zipMode === 'type' && !passwordOk && <p className="export-hint">At least {review?.minPasswordLength ?? 8} characters.</p>}
              </fieldset>
            )}

            {review && (flagged > 0 || review.redactedFiles > 0) && (
              <section className="export-burned-in" aria-labelledby="export-burned-title" data-testid="export-burned-in">
                <h3 id="export-burned-title">Burned-in text</h3>
                {flagged > 0 && (
                  <>
                    <p>{flagged} file{flagged === 1 ? '' : 's'} may show identifying text in the pixels. Redact them in the viewer (Redact tool) before exporting, or export them as they are.</p>
                    <ul className="export-flagged" data-testid="export-flagged">
                      {review.flagged.map((f) => (
                        <li key={f.instanceId} data-testid="export-flagged-file" data-redactions={f.redactions}>
                          {f.seriesDescription || 'Series'} · image {f.instanceNumber ?? '?'} — {f.reasons.join('; ')} — {f.redactions > 0 ? `${f.redactions} redaction${f.redactions === 1 ? '' : 's'} will be applied` : 'NOT redacted'}
                        </li>
                      ))}
                      {review.flaggedTotal > review.flagged.length && <li>… and {review.flaggedTotal - review.flagged.length} more</li>}
                    </ul>
                  </>
                )}
                {review.redactedFiles > 0 && <p data-testid="export-redacted-count">{review.redactedFiles} file{review.redactedFiles === 1 ? '' : 's'} will have rectangles blanked (in every frame); lossy originals are re-encoded.</p>}
                {needsReview && (
                  <label><input type="checkbox" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} data-testid="export-confirm-reviewed" /> I have reviewed these files and the redactions</label>
                )}
                {needsOverride && (
                  <label className="export-override"><input type="checkbox" checked={override} onChange={(e) => setOverride(e.target.checked)} data-testid="export-override" /> Export the unredacted files as they are (recorded in the audit trail)</label>
                )}
              </section>
            )}

            {error && <p className="export-error" role="alert" data-testid="export-error">{error}</p>}
            {phase.step === 'running' && (
              <div className="export-progress" data-testid="export-progress">
                <progress max={progress?.total ?? 1} value={progress?.done ?? 0} aria-label="Export progress" />
                <span>{progress ? `${progress.phase === 'checking' ? 'Checking' : 'Writing'} ${Math.min(progress.done, progress.total)} / ${progress.total}` : 'Choose a folder…'}</span>
                <button type="button" onClick={cancel} data-testid="export-cancel">Cancel</button>
              </div>
            )}
            {phase.step === 'form' && (
              <div className="export-actions">
                <button type="submit" disabled={!canRun} data-testid="export-run">Export…</button>
              </div>
            )}
          </form>
        )}
      </div>
    </div>
  );
}
