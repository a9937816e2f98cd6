import QRCode from 'qrcode';

/** The QR code of a top-up URL as SVG text and as a data URL for an `<img>` (no canvas, no file). */
export async function createTopUpQr(url: string | URL): Promise<{ svg: string; dataUrl: string }> {
  const svg = await QRCode.toString(String(url), { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { svg, dataUrl: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}` };
}
