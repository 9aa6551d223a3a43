// A frame refused by a structure check before any codec ran: still DICOM_DECODE to everyone, but a
// class of its own so the fuzzer can count how much hostile input never reached a codec.
import { AppError } from '../../errors';

export class CodestreamRefused extends AppError {
  constructor(message: string) {
    super('DICOM_DECODE', message);
  }
}
