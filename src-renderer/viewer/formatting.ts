// DICOM dates and person names as people read them.
export function formatDate(da: string): string {
  return /^\d{8}$/.test(da) ? `${da.slice(0, 4)}-${da.slice(4, 6)}-${da.slice(6, 8)}` : da;
}

/** The alphabetic group of a PN, 'Family, Given'. */
export function formatName(pn: string): string {
  const alphabetic = pn.split('=')[0] ?? '';
  const [family = '', given = ''] = alphabetic.split('^');
  return given ? `${family}, ${given}` : family;
}
