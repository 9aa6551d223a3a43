// Whether this machine may talk to a PACS at all, asked once per session: 'off' (policy lists no node, or the
// question failed) hides every PACS control; the header carries the answer (data-pacs) so a test can tell
// "absent" from "not known yet".
import { useEffect, useState } from 'react';
import type { PacsStatus } from '../../src-shared/ipc/contract';
import { call } from '../api';

export type PacsAvailability = { state: 'unknown' } | { state: 'off' } | { state: 'on'; nodes: PacsStatus['nodes'] };

export function usePacsStatus(allowed: boolean, sessionKey: string): PacsAvailability {
  const [availability, setAvailability] = useState<PacsAvailability>({ state: 'unknown' });
  useEffect(() => {
    if (!allowed) {
      setAvailability({ state: 'off' });
      return;
    }
    let live = true;
    call('pacs:status', {}).then(
      (s) => live && setAvailability(s.enabled && s.nodes.length > 0 ? { state: 'on', nodes: s.nodes } : { state: 'off' }),
      () => live && setAvailability({ state: 'off' }),
    );
    return () => {
      live = false;
    };
  }, [allowed, sessionKey]);
  return availability;
}
