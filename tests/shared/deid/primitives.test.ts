// The pieces UID remapping and date shifting rest on, checked against Node's own crypto and calendar.
import { createHmac, createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hmacSha256, sha256 } from '../../../src-shared/deid/sha256';
import { createUidRemapper, patientDateOffsetDays } from '../../../src-shared/deid/uidRemap';
import { shiftDa, shiftDateValue, shiftDt } from '../../../src-shared/deid/dateShift';
import { Rng } from '../../fuzz/prng';

describe('SHA-256 and HMAC', () => {
  it('match node:crypto on 300 inputs of every length class', () => {
    for (let i = 0; i < 300; i++) {
      const rng = new Rng(7, i);
      const data = new Uint8Array(rng.int(200));
      for (let j = 0; j < data.length; j++) data[j] = rng.int(256);
      const key = new Uint8Array(rng.int(150));
      for (let j = 0; j < key.length; j++) key[j] = rng.int(256);
      expect(Buffer.from(sha256(data)).toString('hex')).toBe(createHash('sha256').update(data).digest('hex'));
      expect(Buffer.from(hmacSha256(key, data)).toString('hex')).toBe(createHmac('sha256', key).update(data).digest('hex'));
    }
  });
});

describe('UID remapping', () => {
  it('is a valid, stable 2.25 UID per original and per secret', () => {
    const a = createUidRemapper(new TextEncoder().encode('one'));
    const b = createUidRemapper(new TextEncoder().encode('one'));
    const c = createUidRemapper(new TextEncoder().encode('two'));
    const u = a.map('1.2.3.4');
    expect(u).toMatch(/^2\.25\.(0|[1-9]\d*)$/);
    expect(u.length).toBeLessThanOrEqual(64);
    expect(a.map(' 1.2.3.4 ')).toBe(u);
    expect(b.map('1.2.3.4')).toBe(u);
    expect(c.map('1.2.3.4')).not.toBe(u);
    expect(a.map('1.2.3.5')).not.toBe(u);
    expect(a.map('')).toBe('');
  });

  it('moves a patient 1 to 10 years back, the same way every time', () => {
    const s = new TextEncoder().encode('k');
    const d = patientDateOffsetDays(s, 'ID\\NAME');
    expect(d).toBe(patientDateOffsetDays(s, 'ID\\NAME'));
    expect(d).toBeLessThanOrEqual(-365);
    expect(d).toBeGreaterThanOrEqual(-3650);
  });
});

describe('date shifting', () => {
  it('shifts DA and DT across months, years and leap days, keeping precision and offsets', () => {
    expect(shiftDa('20240301', -1)).toBe('20240229');
    expect(shiftDa('2023.09.17', -365)).toBe('20220917');
    expect(shiftDa('2023091', 1)).toBeUndefined();
    expect(shiftDt('20230917101500.123+0200', -1)).toBe('20230916101500.123+0200');
    expect(shiftDt('2023', -400)).toBe('2021');
    expect(shiftDateValue('DA', '20230917\\20230918', -1)).toBe('20230916\\20230917');
    expect(shiftDateValue('DA', 'garbage', -1)).toBeUndefined();
  });
});
