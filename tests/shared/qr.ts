// Decodes QR codes with jsQR (a decoder nobody here wrote): PNG bytes, or
// the SVG the qrcode package draws (rasterized here from its one path of
// horizontal strokes, a module per unit), or a data: URL of either.
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';

type Decode = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
// jsqr is a UMD bundle: its default export arrives wrapped or not depending on the loader.
const jsQR = ((jsQRModule as unknown as { default?: Decode }).default ?? jsQRModule) as unknown as Decode;

export function decodeQrPng(png: Buffer): string | undefined {
  const image = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data;
}

/** qrcode's SVG: `viewBox="0 0 N N"`, dark modules as `M x y.5 h n m dx dy …` strokes. */
export function decodeQrSvg(svg: string, scale = 8): string | undefined {
  const size = Number(/viewBox="0 0 (\d+) \d+"/.exec(svg)?.[1]);
  const path = /<path[^>]*stroke="[^"]+"[^>]*d="([^"]+)"/.exec(svg)?.[1];
  if (!size || !path) return undefined;
  const dark = new Uint8Array(size * size);
  let x = 0;
  let y = 0;
  for (const [, op, a, b] of path.matchAll(/([MmHhVv])(-?[\d.]+)(?:\s+(-?[\d.]+))?/g)) {
    if (op === 'M') [x, y] = [Number(a), Number(b)];
    else if (op === 'm') [x, y] = [x + Number(a), y + Number(b)];
    else if (op === 'h') {
      for (let i = 0; i < Number(a); i++) dark[Math.floor(y) * size + x + i] = 1;
      x += Number(a);
    }
  }
  const width = size * scale;
  const rgba = new Uint8ClampedArray(width * width * 4).fill(255);
  for (let py = 0; py < width; py++)
    for (let px = 0; px < width; px++)
      if (dark[Math.floor(py / scale) * size + Math.floor(px / scale)]) rgba.fill(0, (py * width + px) * 4, (py * width + px) * 4 + 3);
  return jsQR(rgba, width, width)?.data;
}

/** The text of a QR code given as a data: URL (image/png base64 or image/svg+xml). */
export function decodeQrDataUrl(url: string): string | undefined {
  const comma = url.indexOf(',');
  const [meta, data] = [url.slice(0, comma), url.slice(comma + 1)];
  if (meta.startsWith('data:image/png')) return decodeQrPng(Buffer.from(data, 'base64'));
  if (meta.startsWith('data:image/svg+xml')) return decodeQrSvg(meta.endsWith(';base64') ? Buffer.from(data, 'base64').toString('utf8') : decodeURIComponent(data));
  return undefined;
}
