// A modal dialog (useModal's keyboard rules) with a title and a Close button; the body is the caller's.
import type { ReactNode } from 'react';
import { useModal } from './useModal';
import './dialog.css';

interface Props {
  title: string;
  onClose(): void;
  testId: string;
  children: ReactNode;
  wide?: boolean;
}

export function Dialog({ title, onClose, testId, children, wide }: Props) {
  const { ref, onKeyDown } = useModal<HTMLDivElement>(onClose);
  const titleId = `${testId}-title`;
  return (
    <div className="dialog-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div ref={ref} className={`dialog${wide ? ' dialog-wide' : ''}`} role="dialog" aria-modal="true" aria-labelledby={titleId} data-testid={testId} onKeyDown={onKeyDown}>
        <header className="dialog-head">
          <h2 id={titleId}>{title}</h2>
          <button type="button" onClick={onClose} data-testid={`${testId}-close`}>Close</button>
        </header>
        <div className="dialog-body">{children}</div>
      </div>
    </div>
  );
}
