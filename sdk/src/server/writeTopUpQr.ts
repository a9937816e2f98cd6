import { writeFile } from 'node:fs/promises';
import QRCode from 'qrcode';

/** Writes the QR code of `url` as PNG and/or SVG files; returns the PNG bytes and SVG text. */
export async function writeTopUpQr(url: string | URL, { png, svg, width = 512 }: { png?: string; svg?: string; width?: number }) {
  const text = String(url);
  const pngBytes = await QRCode.toBuffer(text, { type: 'png', width, errorCorrectionLevel: 'M', margin: 2 });
  const svgText = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  if (png) await writeFile(png, pngBytes);
  if (svg) await writeFile(svg, svgText);
  return { png: pngBytes, svg: svgText };
}
