// dcmdump (DCMTK) as an independent reference: the elements it lists, with nesting, VR, length and name.
import { spawnSync } from 'node:child_process';

export interface DcmdumpLine {
  /** Sequence nesting depth (0 = top level). */
  depth: number;
  /** "(GGGG,EEEE)", upper-case. */
  tag: string;
  /** As printed: a VR, "na" for items and delimiters, "??" for an implicit-VR element DCMTK does not know. */
  vr: string;
  /** -1 for undefined length. */
  length: number;
  /** DCMTK's keyword ("Unknown Tag & Data" for elements it cannot name). */
  name: string;
}

/** Every element line of `dcmdump -q +L file` except items and delimiters (group FFFE). */
export function dcmdumpLines(file: string): DcmdumpLine[] {
  const r = spawnSync('dcmdump', ['-q', '+L', file], { encoding: 'latin1', maxBuffer: 64 << 20 });
  if (r.error || r.status !== 0) throw new Error('dcmdump (dcmtk) is required: ' + (r.error?.message ?? r.stderr));
  const out: DcmdumpLine[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /^(\s*)\(([0-9a-f]{4}),([0-9a-f]{4})\) (\S\S) .*#\s*(\d+|u\/l),\s*\d+ (.*)$/.exec(line);
    if (!m || m[2] === 'fffe') continue;
    out.push({
      depth: (m[1] as string).length / 4,
      tag: `(${m[2]},${m[3]})`.toUpperCase(),
      vr: m[4] as string,
      length: m[5] === 'u/l' ? -1 : Number(m[5]),
      name: (m[6] as string).trim(),
    });
  }
  return out;
}
