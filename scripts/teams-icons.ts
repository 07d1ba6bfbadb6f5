// Draws the two Teams app icons (npm run teams:icons): teams/color.png (192×192, full colour) and teams/outline.png
// (32×32, white on transparent), a radar — ExportWatch watching — drawn here, pixel by pixel, and written as PNG with
// node:zlib. Run it again after changing the drawing; the PNGs are committed.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';

export const ACCENT = { r: 0x9f, g: 0x1d, b: 0x20 };

type Shape = (x: number, y: number) => boolean;

const disc =
  (cx: number, cy: number, r: number): Shape =>
  (x, y) =>
    (x - cx) ** 2 + (y - cy) ** 2 <= r * r;

const ring =
  (cx: number, cy: number, r: number, width: number): Shape =>
  (x, y) =>
    Math.abs(Math.hypot(x - cx, y - cy) - r) <= width / 2;

function segment(x1: number, y1: number, x2: number, y2: number, width: number): Shape {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const len2 = dx * dx + dy * dy;
  return (x, y) => {
    const t = Math.max(0, Math.min(1, ((x - x1) * dx + (y - y1) * dy) / len2));
    return Math.hypot(x - (x1 + t * dx), y - (y1 + t * dy)) <= width / 2;
  };
}

/** The radar on a `size` square: a ring, a centre dot, a sweep towards the upper right and a blip. */
function radar(size: number, stroke: number): Shape[] {
  const c = size / 2;
  const r = size * 0.34;
  const sweep = r * 0.9;
  return [
    ring(c, c, r, stroke),
    disc(c, c, stroke * 1.1),
    segment(c, c, c + sweep * Math.cos(-Math.PI / 4), c + sweep * Math.sin(-Math.PI / 4), stroke),
    disc(c + r * 0.55, c + r * 0.2, stroke * 0.9),
  ];
}

/** RGBA pixels: white where the shapes cover (4×4 supersampled), over the background (null: transparent). */
function render(size: number, shapes: Shape[], background: { r: number; g: number; b: number } | null): Buffer {
  const px = Buffer.alloc(size * size * 4);
  const n = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let hits = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const fx = x + (sx + 0.5) / n;
          const fy = y + (sy + 0.5) / n;
          if (shapes.some((s) => s(fx, fy))) hits += 1;
        }
      }
      const a = hits / (n * n);
      const i = (y * size + x) * 4;
      if (background) {
        px[i] = Math.round(background.r + (255 - background.r) * a);
        px[i + 1] = Math.round(background.g + (255 - background.g) * a);
        px[i + 2] = Math.round(background.b + (255 - background.b) * a);
        px[i + 3] = 255;
      } else {
        px[i] = 255;
        px[i + 1] = 255;
        px[i + 2] = 255;
        px[i + 3] = Math.round(255 * a);
      }
    }
  }
  return px;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** A PNG (8-bit RGBA, no interlace, filter 0 on every row). */
export function encodePng(size: number, rgba: Buffer): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const rows = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export function colorIcon(): Buffer {
  // The symbol sits in the middle half of the 192×192 square, as Teams asks.
  const size = 192;
  const shapes = radar(96, 7).map((s) => (x: number, y: number) => s(x - 48, y - 48));
  return encodePng(size, render(size, shapes, ACCENT));
}

export function outlineIcon(): Buffer {
  return encodePng(32, render(32, radar(32, 2.5), null));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = join(import.meta.dirname, '..', 'teams');
  writeFileSync(join(dir, 'color.png'), colorIcon());
  writeFileSync(join(dir, 'outline.png'), outlineIcon());
  process.stdout.write(`wrote ${join(dir, 'color.png')} (192×192) and ${join(dir, 'outline.png')} (32×32)\n`);
}
