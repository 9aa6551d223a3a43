// The PS3.5 annex examples and the corner cases the corpus does not cover.
import { describe, expect, it } from 'vitest';
import { decodePersonName, decodePersonNameGroups, decodeText, parseSpecificCharacterSet } from '../../../src-shared/dicom/charset';

const ESC = 0x1b;
const a = (s: string) => [...s].map((c) => c.charCodeAt(0));
const bytes = (...parts: (string | number[])[]) => new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? a(p) : p)));
const JIS = [ESC, ...a('$B')];
const ASCII = [ESC, ...a('(B')];
const KSC = [ESC, ...a('$)C')];

describe('character sets', () => {
  it('PS3.5 H.3.1: Japanese with ISO 2022 IR 87 in all three PN groups', () => {
    const v = bytes('Yamada^Tarou=', JIS, [0x3b, 0x33, 0x45, 0x44], ASCII, '^', JIS, [0x42, 0x40, 0x4f, 0x3a], ASCII, '=', JIS, [0x24, 0x64, 0x24, 0x5e, 0x24, 0x40], ASCII, '^', JIS, [0x24, 0x3f, 0x24, 0x6d, 0x24, 0x26], ASCII);
    expect(decodePersonNameGroups(v, parseSpecificCharacterSet('\\ISO 2022 IR 87'))).toEqual([['Yamada^Tarou', '山田^太郎', 'やまだ^たろう']]);
  });

  it('PS3.5 H.3.2: half-width katakana (IR 13) with IR 87', () => {
    const v = bytes([0xd4, 0xcf, 0xc0, 0xde, 0x5e, 0xc0, 0xdb, 0xb3], '=', JIS, [0x3b, 0x33, 0x45, 0x44], ASCII, '^', JIS, [0x42, 0x40, 0x4f, 0x3a], ASCII);
    expect(decodePersonName(v, ['ISO 2022 IR 13', 'ISO 2022 IR 87'])).toBe('ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎');
  });

  it('JIS X 0212 (ISO 2022 IR 159) via its escape', () => {
    const v = bytes('A=', [ESC, ...a('$(D'), 0x30, 0x21], ASCII);
    expect(decodePersonName(v, ['', 'ISO 2022 IR 159'])).toBe('A=丂');
  });

  it('PS3.5 I.2: Korean with ISO 2022 IR 149', () => {
    const v = bytes('Hong^Gildong=', KSC, [0xfb, 0xf3], '^', KSC, [0xd1, 0xce, 0xd4, 0xd7], '=', KSC, [0xc8, 0xab], '^', KSC, [0xb1, 0xe6, 0xb5, 0xbf]);
    expect(decodePersonName(v, ['', 'ISO 2022 IR 149'])).toBe('Hong^Gildong=洪^吉洞=홍^길동');
  });

  it('PS3.5 J: Chinese GB 2312 (ISO 2022 IR 58) without leaving the escape in the text', () => {
    const v = bytes('Zhang^XiaoDong=', [ESC, ...a('$)A'), 0xd5, 0xc5], '^', [ESC, ...a('$)A'), 0xd0, 0xa1, 0xb6, 0xab], '=');
    expect(decodePersonName(v, ['', 'ISO 2022 IR 58'])).toBe('Zhang^XiaoDong=张^小东');
  });

  it('does not cut multi-byte characters whose bytes equal a delimiter', () => {
    // 予 is JIS 0x4D3D: its second byte is "=". 乗 is GB18030 0x815C: its trail byte is "\".
    const jis = bytes('A=', JIS, [0x4d, 0x3d], ASCII);
    expect(decodePersonNameGroups(jis, ['', 'ISO 2022 IR 87'])).toEqual([['A', '予']]);
    const gb = bytes([0x81, 0x5c], '^B');
    expect(decodePersonName(gb, ['GB18030'])).toBe('乗^B');
    expect(decodeText(bytes([0x81, 0x5c], '\\x'), ['GB18030'], 'LO')).toBe('乗\\x');
  });

  it('single-byte sets keep ISO 8859 C1 controls (WHATWG maps some labels to Windows code pages)', () => {
    expect(decodeText(bytes([0x80, 0xd0, 0xdd, 0xfe]), ['ISO_IR 148'], 'LO')).toBe('\x80Ğİş');
    expect(decodeText(bytes([0x80, 0xe9]), ['ISO_IR 100'], 'LO')).toBe('\x80é');
    expect(decodeText(bytes([0xa1, 0xb2, 0xe0]), ['ISO_IR 166'], 'LO')).toBe('กฒเ');
    expect(decodeText(bytes([0xc1, 0xe1]), ['ISO_IR 144'], 'LO')).toBe('Сс');
    expect(decodeText(bytes([0xe0, 0xe1]), ['ISO_IR 138'], 'LO')).toBe('אב');
    expect(decodeText(bytes([0xc7, 0xe1]), ['ISO_IR 127'], 'LO')).toBe('اف');
    expect(decodeText(bytes([0xc1, 0xe1]), ['ISO_IR 126'], 'LO')).toBe('Αα');
    expect(decodeText(bytes([0xb1, 0xe6]), ['ISO_IR 101'], 'LO')).toBe('ąć');
  });

  it('UTF-8, GBK, misspelled terms, stand-alone sets with extensions, default repertoire for other VRs', () => {
    expect(decodePersonName(new TextEncoder().encode('Иванов^Иван'), ['ISO_IR 192'])).toBe('Иванов^Иван');
    expect(decodeText(bytes([0xd5, 0xc5]), ['GBK'], 'SH')).toBe('张');
    expect(decodeText(bytes([0xe9]), ['ISO-IR 100'], 'LO')).toBe('é');
    expect(decodeText(new TextEncoder().encode('é'), ['ISO_IR 192', 'ISO 2022 IR 100'], 'LO')).toBe('é');
    expect(decodeText(bytes('1.2.3\0'), ['ISO_IR 192'], 'UI')).toBe('1.2.3');
    expect(decodeText(bytes('line one\r\nline two  '), ['ISO_IR 100'], 'LT')).toBe('line one\r\nline two');
  });

  it('never throws on invalid bytes: replacement characters instead', () => {
    expect(decodeText(bytes([0xff, 0xfe, 0x41]), ['ISO_IR 192'], 'LO')).toBe('\ufffd\ufffdA');
    expect(() => decodePersonName(bytes([ESC, 0x24, 0x42, 0x80, 0x81, ESC]), ['', 'ISO 2022 IR 87'])).not.toThrow();
    expect(() => decodePersonName(bytes([ESC, ESC, ESC]), ['', 'ISO 2022 IR 87'])).not.toThrow();
  });
});
