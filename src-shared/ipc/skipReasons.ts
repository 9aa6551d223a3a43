// Why an import left a file out, in the words the user reads. Shared so that the renderer can tell
// the CD's own index (DICOMDIR, read to check the CD is complete) from files that really were left out.
export const SKIP = {
  notDicom: 'not a DICOM file',
  noUids: 'DICOM file without SOP Instance, Series or Study UID',
  dicomdir: 'DICOMDIR (media index, not an image)',
  tooLarge: 'file too large',
  unreadable: 'file could not be read',
  zipDamaged: 'damaged zip archive',
  zipEncrypted: 'password-protected zip entry',
  zipNested: 'zip archive inside a zip archive (not opened)',
} as const;
