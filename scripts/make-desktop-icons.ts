/**
 * Draws the ClinicPulse icon (a white pulse line on a teal rounded square) and writes the PNGs
 * the desktop build needs: build/icon.png (1024², electron-builder turns it into .ico and .icns
 * on Windows and macOS builds), build/icons/<n>x<n>.png for Linux, build/tray.png for the tray,
 * build/tray-unread.png (the same with a red dot: Windows shows no badge, so the tray and the
 * taskbar overlay, build/unread-overlay.png, are where unread shows).
 * No image library: a signed-distance rasteriser with 4×4 supersampling and a small PNG encoder.
 *
 *   npx tsx scripts/make-desktop-icons.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUILD = join(ROOT, 'build');

type Rgba = [number, number, number, number];

/** The pulse line in unit coordinates (0..1 across the icon). */
const PULSE: [number, number][] = [
  [0.16, 0.54],
  [0.36, 0.54],
  [0.43, 0.36],
  [0.52, 0.72],
  [0.6, 0.27],
  [0.67, 0.54],
  [0.84, 0.54],
];

function distanceToSegment(
  px: number,
  py: number,
  [ax, ay]: [number, number],
  [bx, by]: [number, number],
): number {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

function insideRoundedSquare(x: number, y: number, inset: number, radius: number): boolean {
  const lo = inset + radius;
  const hi = 1 - inset - radius;
  const cx = Math.min(Math.max(x, lo), hi);
  const cy = Math.min(Math.max(y, lo), hi);
  return Math.hypot(x - cx, y - cy) <= radius;
}

type Variant = 'icon' | 'unread' | 'overlay';

/** The unread dot: red with a white ring, top right on the icon, the whole of the overlay. */
function dot(x: number, y: number, cx: number, cy: number, radius: number): Rgba | null {
  const distance = Math.hypot(x - cx, y - cy);
  if (distance <= radius * 0.72) return [220, 38, 38, 255];
  if (distance <= radius) return [255, 255, 255, 255];
  return null;
}

function sample(x: number, y: number, variant: Variant = 'icon'): Rgba {
  if (variant === 'overlay') return dot(x, y, 0.5, 0.5, 0.48) ?? [0, 0, 0, 0];
  if (variant === 'unread') {
    const marked = dot(x, y, 0.76, 0.24, 0.24);
    if (marked) return marked;
  }
  if (!insideRoundedSquare(x, y, 0.04, 0.2)) return [0, 0, 0, 0];
  let line = Number.POSITIVE_INFINITY;
  for (let i = 0; i + 1 < PULSE.length; i++)
    line = Math.min(line, distanceToSegment(x, y, PULSE[i]!, PULSE[i + 1]!));
  if (line <= 0.045) return [255, 255, 255, 255];
  // Teal, lighter towards the top.
  const t = y;
  return [Math.round(20 - 5 * t), Math.round(184 - 66 * t), Math.round(166 - 56 * t), 255];
}

function render(size: number, variant: Variant = 'icon'): Uint8Array {
  const pixels = new Uint8Array(size * size * 4);
  const grid = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < grid; sy++) {
        for (let sx = 0; sx < grid; sx++) {
          const [sr, sg, sb, sa] = sample(
            (px + (sx + 0.5) / grid) / size,
            (py + (sy + 0.5) / grid) / size,
            variant,
          );
          r += sr * sa;
          g += sg * sa;
          b += sb * sa;
          a += sa;
        }
      }
      const offset = (py * size + px) * 4;
      pixels[offset] = a ? Math.round(r / a) : 0;
      pixels[offset + 1] = a ? Math.round(g / a) : 0;
      pixels[offset + 2] = a ? Math.round(b / a) : 0;
      pixels[offset + 3] = Math.round(a / (grid * grid));
    }
  }
  return pixels;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

export function encodePng(size: number, rgba: Uint8Array): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    rows[y * (size * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, y * size * 4, size * 4).copy(rows, y * (size * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', new Uint8Array()),
  ]);
}

function write(path: string, size: number, variant: Variant = 'icon'): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, encodePng(size, render(size, variant)));
  console.log(`wrote ${path.slice(ROOT.length + 1)} (${size}×${size})`);
}

write(join(BUILD, 'icon.png'), 1024);
for (const size of [16, 32, 48, 64, 128, 256, 512])
  write(join(BUILD, 'icons', `${size}x${size}.png`), size);
write(join(BUILD, 'tray.png'), 32);
write(join(BUILD, 'tray@2x.png'), 64);
write(join(BUILD, 'tray-unread.png'), 32, 'unread');
write(join(BUILD, 'tray-unread@2x.png'), 64, 'unread');
write(join(BUILD, 'unread-overlay.png'), 32, 'overlay');
