// Unicode -> Specific Character Set bytes, checked against pydicom's decoder (independent) and the standard's
// own examples (PS3.5 H.3.1 Japanese, I.2 Korean); characters a set cannot hold give undefined, never '?'.
import { describe, expect, it } from 'vitest';
import { encodeSpecificText } from '../../../src-shared/dicom/charsetEncode';
import { python } from '../deid/deidTestKit';

const CASES: [string, string[], string][] = [
  ['Buc^Jérôme', ['ISO_IR 100'], 'PN'],
  ['Διονυσιος', ['ISO_IR 126'], 'PN'],
  ['Люкceмбypг', ['ISO_IR 144'], 'PN'],
  ['שרון^דבורה', ['ISO_IR 138'], 'PN'],
  ['Yamada^Tarou=山田^太郎=やまだ^たろう', ['', 'ISO 2022 IR 87'], 'PN'],
  ['ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう', ['ISO 2022 IR 13', 'ISO 2022 IR 87'], 'PN'],
  ['Hong^Gildong=洪^吉洞=홍^길동', ['', 'ISO 2022 IR 149'], 'PN'],
  ['胸部ＣＴ検査\\頭部', ['', 'ISO 2022 IR 87'], 'LO'],
  ['Wang^XiaoDong=王^小東', ['ISO_IR 192'], 'PN'],
];

const DECODE = `
import sys, json
from pydicom.charset import convert_encodings, decode_bytes
from pydicom.valuerep import PersonName
out = []
for hexv, terms, vr in json.loads(sys.argv[1]):
    b = bytes.fromhex(hexv).rstrip(b' ')
    enc = convert_encodings(terms)
    out.append('\\\\'.join(str(PersonName(v, enc)) for v in b.split(b'\\\\')) if vr == 'PN' else decode_bytes(b, enc, set()))
print(json.dumps(out, ensure_ascii=False))
`;

describe('encodeSpecificText', () => {
  it('encodes what pydicom decodes back to the same text', () => {
    const encoded = CASES.map(([text, terms, vr]) => [Buffer.from(encodeSpecificText(text, terms, vr) ?? new Uint8Array()).toString('hex'), terms, vr]);
    expect(JSON.parse(python(DECODE, [JSON.stringify(encoded)]))).toEqual(CASES.map((c) => c[0]));
  });

  it("matches the standard's examples byte for byte", () => {
    const hex = (t: string, terms: string[]) => Buffer.from(encodeSpecificText(t, terms, 'PN') ?? new Uint8Array()).toString('hex');
    // PS3.5 H.3.1: Yamada^Tarou=ESC$B;3ED ESC(B^ESC$BB@O: ESC(B=ESC$B$d$^$@ESC(B^ESC$B$?$m$&ESC(B
    expect(hex('Yamada^Tarou=山田^太郎=やまだ^たろう', ['', 'ISO 2022 IR 87'])).toBe(
      '59616d6164615e5461726f753d1b24423b3345441b28425e1b244242404f3a1b28423d1b24422464245e24401b28425e1b2442243f246d24261b2842',
    );
    // PS3.5 I.2: Hong^Gildong=ESC$)C ûó^ESC$)C ÑÎÔ×=ESC$)C È«^ESC$)C ±æµ¿
    expect(hex('Hong^Gildong=洪^吉洞=홍^길동', ['', 'ISO 2022 IR 149'])).toBe('486f6e675e47696c646f6e673d1b242943fbf35e1b242943d1ced4d73d1b242943c8ab5e1b242943b1e6b5bf');
  });

  it('says when a character has no encoding in the set', () => {
    expect(encodeSpecificText('홍', ['', 'ISO 2022 IR 87'], 'PN')).toBeUndefined();
    expect(encodeSpecificText('Jérôme', [], 'PN')).toBeUndefined();
    expect(encodeSpecificText('Ω', ['ISO_IR 100'], 'PN')).toBeUndefined();
    expect(encodeSpecificText('GB', ['GB18030'], 'PN')).toBeUndefined();
  });
});
