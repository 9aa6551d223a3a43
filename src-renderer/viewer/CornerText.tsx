// The four corners of a viewport, as radiologists expect them. With "hide identifying text" on, the
// patient's name, ID and birth date are not rendered at all (absent from the DOM, not just hidden),
// so a screen share or a screenshot cannot carry them.
import type { SeriesView, StudyListItem, VoiWindowInfo } from '../../src-shared/ipc/contract';
import { normalOf, planeOfSlice, type Camera2D } from '../../src-shared/viewer/viewGeometry';
import { formatDate, formatName } from './formatting';

interface Props {
  view: SeriesView;
  study: StudyListItem | null;
  slice: number;
  window: VoiWindowInfo | null;
  camera: Camera2D | null;
  hideIdentifying: boolean;
  ready: boolean;
  loaded: number;
}

export function CornerText({ view, study, slice, window, camera, hideIdentifying, ready, loaded }: Props) {
  const n = view.dimensions[2];
  const frame = view.frames[slice];
  const plane = planeOfSlice(view, slice);
  const nrm = normalOf(plane);
  const location = plane.origin[0] * nrm[0] + plane.origin[1] * nrm[1] + plane.origin[2] * nrm[2];
  const zoom = camera ? Math.min(view.spacing[0], view.spacing[1]) / camera.mmPerPx : null;
  return (
    <>
      <div className="overlay corner corner-tl" data-testid="corner-tl">
        {!hideIdentifying && study && (
          <>
            <div data-testid="patient-name">{formatName(study.patientName)}</div>
            <div>{study.patientId}</div>
            <div>{formatDate(study.patientBirthDate)}</div>
          </>
        )}
      </div>
      <div className="overlay corner corner-tr" data-testid="corner-tr">
        {study && <div>{formatDate(study.studyDate)}</div>}
        {study && <div>{study.studyDescription}</div>}
        <div>{view.modality} {view.seriesDescription}</div>
      </div>
      <div className="overlay corner corner-bl" data-testid="overlay-slice">
        <div>Im: {frame?.instanceNumber ?? '?'} ({slice + 1}/{n}){ready ? '' : ' loading…'}</div>
        {view.kind === 'volume' && <div>Loc: {location.toFixed(1)} mm · Sp: {view.spacing[2].toFixed(2)} mm</div>}
        {view.cine && <div>Frame {slice + 1}/{n} · {(1000 / view.cine.frameTimeMs).toFixed(1)} fps</div>}
        {loaded < n && view.kind === 'volume' && <div className="dim">{loaded}/{n} loaded</div>}
      </div>
      <div className="overlay corner corner-br" data-testid="overlay-window">
        {window && <div>W: {Math.round(window.width)} L: {Math.round(window.center)}{window.function !== 'LINEAR' ? ` ${window.function}` : ''}</div>}
        {zoom !== null && <div>Zoom: {zoom.toFixed(2)}</div>}
        {view.kind === 'images' && <div>{view.calibration.unit === 'px' ? 'Uncalibrated (px)' : `Calibration: ${view.calibration.unit}`}</div>}
      </div>
    </>
  );
}
