import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { formatRecoveryKey, parseRecoveryKey } from '../../../src-main/services/keys/recoveryKey';
import { codeOf } from '../../tools/errorCode';

describe('recovery key', () => {
  it('round-trips 256 bits through 11 groups of 5 characters, forgiving case, spaces and look-alike letters', () => {
    for (let i = 0; i < 50; i++) {
      const k = randomBytes(32);
      const text = formatRecoveryKey(k);
      expect(text).toMatch(/^([0-9A-HJKMNP-TV-Z]{5}-){10}[0-9A-HJKMNP-TV-Z]{5}$/);
      expect(parseRecoveryKey(text).equals(k)).toBe(true);
      const sloppy = ` ${text.toLowerCase().replace(/-/g, ' ').replace(/0/g, 'o').replace(/1/g, 'l')} `;
      expect(parseRecoveryKey(sloppy).equals(k)).toBe(true);
    }
  });

  it('reports a typo as RECOVERY_KEY_INVALID instead of trying a wrong key', () => {
    const text = formatRecoveryKey(randomBytes(32));
    const i = 7;
    const typo = text.slice(0, i) + (text[i] === 'A' ? 'B' : 'A') + text.slice(i + 1);
    expect(codeOf(() => parseRecoveryKey(typo))).toBe('RECOVERY_KEY_INVALID');
    expect(codeOf(() => parseRecoveryKey(text.slice(0, -1)))).toBe('RECOVERY_KEY_INVALID');
    expect(codeOf(() => parseRecoveryKey(`${text}!`))).toBe('RECOVERY_KEY_INVALID');
    expect(codeOf(() => parseRecoveryKey(''))).toBe('RECOVERY_KEY_INVALID');
  });
});
