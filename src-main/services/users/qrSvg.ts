// The enrolment QR code, drawn here as SVG text (no network, no canvas): the renderer shows it as an image.
import QRCode from 'qrcode';

export async function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}
