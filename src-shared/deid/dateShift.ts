// Moving DA and DT values by a whole number of days (Retain Longitudinal Temporal Information, Modified Dates).

function shiftYmd(y: number, m: number, d: number, days: number): string | undefined {
  const t = Date.UTC(y, m - 1, d);
  if (Number.isNaN(t)) return undefined;
  const s = new Date(t + days * 86_400_000);
  const yy = s.getUTCFullYear();
  if (yy < 1 || yy > 9999) return undefined;
  return `${String(yy).padStart(4, '0')}${String(s.getUTCMonth() + 1).padStart(2, '0')}${String(s.getUTCDate()).padStart(2, '0')}`;
}

/** Shifts one DA value (YYYYMMDD, or the retired YYYY.MM.DD); undefined when it is not a date. */
export function shiftDa(value: string, days: number): string | undefined {
  const m = /^(\d{4})\.?(\d{2})\.?(\d{2})$/.exec(value.trim());
  if (!m) return undefined;
  return shiftYmd(Number(m[1]), Number(m[2]), Number(m[3]), days);
}

/** Shifts the date part of one DT value, keeping its precision, time and UTC offset. */
export function shiftDt(value: string, days: number): string | undefined {
  const m = /^(\d{4})(\d{2})?(\d{2})?(.*)$/.exec(value.trim());
  if (!m) return undefined;
  const shifted = shiftYmd(Number(m[1]), Number(m[2] ?? '01'), Number(m[3] ?? '01'), days);
  if (!shifted) return undefined;
  const precision = m[3] ? 8 : m[2] ? 6 : 4;
  return shifted.slice(0, precision) + (m[4] ?? '');
}

/** Shifts every value of a DA or DT element; undefined when any value is not a date (the caller then removes it). */
export function shiftDateValue(vr: string, text: string, days: number): string | undefined {
  const out: string[] = [];
  for (const v of text.split('\\')) {
    if (v.trim() === '') {
      out.push('');
      continue;
    }
    const s = vr === 'DA' ? shiftDa(v, days) : shiftDt(v, days);
    if (s === undefined) return undefined;
    out.push(s);
  }
  return out.join('\\');
}
