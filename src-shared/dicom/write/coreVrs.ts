// VRs of the attributes the writer and the de-identifier must understand in implicit-VR files.
// (Every other attribute the profile names carries its VR in profileTable.ts.)
const CORE: Record<number, string> = {
  0x00080005: 'CS', 0x00080008: 'CS', 0x00080016: 'UI', 0x00080018: 'UI', 0x00080020: 'DA', 0x00080021: 'DA',
  0x00080022: 'DA', 0x00080023: 'DA', 0x0008002a: 'DT', 0x00080030: 'TM', 0x00080031: 'TM', 0x00080032: 'TM',
  0x00080033: 'TM', 0x00080060: 'CS', 0x00080100: 'SH', 0x00080102: 'SH', 0x00080104: 'LO', 0x00081150: 'UI',
  0x00081155: 'UI', 0x00081115: 'SQ', 0x00081140: 'SQ', 0x00081199: 'SQ', 0x00082112: 'SQ',
  0x00100010: 'PN', 0x00100020: 'LO', 0x00100030: 'DA', 0x00100040: 'CS', 0x00120062: 'CS', 0x00120063: 'LO',
  0x00120064: 'SQ', 0x0020000d: 'UI', 0x0020000e: 'UI', 0x00200052: 'UI', 0x00200013: 'IS', 0x00200011: 'IS',
  0x00280002: 'US', 0x00280004: 'CS', 0x00280008: 'IS', 0x00280010: 'US', 0x00280011: 'US', 0x00280100: 'US',
  0x00280101: 'US', 0x00280102: 'US', 0x00280103: 'US', 0x00280006: 'US', 0x00280301: 'CS', 0x00280303: 'CS',
  0x7fe00010: 'OW', 0x00400275: 'SQ', 0x0040a730: 'SQ', 0x0040a160: 'UT', 0x00700006: 'ST',
};

export function coreVr(tag: number): string | undefined {
  return CORE[tag];
}
