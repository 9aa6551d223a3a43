// One error type for the whole app: the UI switches on `code`, never on message text.
export const ERROR_CODES = [
  'INVALID_REQUEST',
  'FORBIDDEN_SENDER',
  'UNKNOWN_CHANNEL',
  'NOT_FOUND',
  'CANCELLED',
  'INTERNAL',
  'DICOM_PARSE',
  'DICOM_NOT_DICOM',
  'DICOM_UNSUPPORTED_SYNTAX',
  'DICOM_PIXEL_MISMATCH',
  'DICOM_LIMIT_EXCEEDED',
  'DICOM_DECODE',
  'VOLUME_ASSEMBLY',
  'DB_KEY_UNAVAILABLE',
  'DB_WRONG_KEY',
  'DB_NEWER_VERSION',
  'DB_CORRUPT',
  'KEYCHAIN_UNAVAILABLE',
  'RECOVERY_KEY_INVALID',
  'STORE_LOCKED',
  'INTEGRITY_TAMPERED',
  'IMPORT_FAILED',
  'PERMISSION_DENIED',
  'DEID_BURNED_IN',
  'EXPORT_FAILED',
  'STORE_NOT_INITIALIZED',
  'STORE_EXISTS',
  'KEYCHAIN_LOCKED',
  'DECODE_WORKER_FAILED',
  'DECODE_BUSY',
  'FORBIDDEN',
  'AUTH_FAILED',
  'AUTH_REQUIRED',
  'ACCOUNT_LOCKED',
  'MFA_REQUIRED',
  'MFA_INVALID',
  'SESSION_LOCKED',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
  }

  toInfo(): ErrorInfo {
    return { code: this.code, message: this.message };
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/** Anything thrown becomes an AppError; unknown failures keep their cause but never leak their text as-is to the UI. */
export function toAppError(e: unknown, fallback: ErrorCode = 'INTERNAL'): AppError {
  if (e instanceof AppError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new AppError(fallback, message, { cause: e });
}
