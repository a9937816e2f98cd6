import QRCode from 'qrcode';

/**
 * The QR code of a top-up URL as SVG text and as a data URL for an `<img>`
 * (no canvas, no file). One byte-mode segment: a URL mixes cases, so the
 * library's segment search (a third of the drawing time) finds nothing
 * smaller.
 */
export async function createTopUpQr(url: string | URL): Promise<{ svg: string; dataUrl: string }> {
  const svg = await QRCode.toString([{ data: new TextEncoder().encode(String(url)), mode: 'byte' }], { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { svg, dataUrl: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}` };
}
