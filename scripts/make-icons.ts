import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectPath } from '../src/project-root.js';
import { isMainModule } from './lib/is-main-module.js';
import { encodePng } from './lib/png.js';
import type { RgbaImage } from './lib/png.js';

/** The manifest's accentColor; the colour icon's background must match it. */
export const ACCENT_COLOR = '#2E5BBA';

/** Teams' required icon sizes, in pixels. */
export const ICON_SIZES = { color: 192, outline: 32 } as const;

type Point = readonly [x: number, y: number];
/** Signed distance to a shape's edge: negative inside, in the shape's own units. */
type Sdf = (p: Point) => number;

const length = (x: number, y: number): number => Math.hypot(x, y);
const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

const circle =
  (cx: number, cy: number, r: number): Sdf =>
  ([x, y]) =>
    length(x - cx, y - cy) - r;

const roundedBox =
  (cx: number, cy: number, halfW: number, halfH: number, r: number): Sdf =>
  ([x, y]) => {
    const qx = Math.abs(x - cx) - halfW + r;
    const qy = Math.abs(y - cy) - halfH + r;
    return length(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
  };

const union =
  (...shapes: Sdf[]): Sdf =>
  (p) =>
    Math.min(...shapes.map((s) => s(p)));
const intersect =
  (...shapes: Sdf[]): Sdf =>
  (p) =>
    Math.max(...shapes.map((s) => s(p)));
const subtract =
  (shape: Sdf, hole: Sdf): Sdf =>
  (p) =>
    Math.max(shape(p), -hole(p));

/**
 * A shield in a [-1, 1] box (y grows downwards): a rounded-top body whose sides
 * curve into a point, made of a box and the lens where two large circles overlap.
 */
function shield(halfWidth: number, top: number, bottom: number, corner: number): Sdf {
  const shoulder = 0;
  // Circles centred at (±a, shoulder) with radius a + halfWidth meet at the bottom tip.
  const depth = bottom - shoulder;
  const a = (depth * depth - halfWidth * halfWidth) / (2 * halfWidth);
  const radius = a + halfWidth;
  const body = roundedBox(0, (top + shoulder + 0.1) / 2, halfWidth, (shoulder + 0.1 - top) / 2, corner);
  const lens = intersect(circle(a, shoulder, radius), circle(-a, shoulder, radius), ([, y]) => shoulder - 0.2 - y);
  return union(body, lens);
}

/** A keyhole: a round head above a slot that widens slightly towards the bottom. */
function keyhole(cy: number, headRadius: number, slotHalfWidth: number, slotLength: number): Sdf {
  const slot = roundedBox(0, cy + slotLength / 2, slotHalfWidth, slotLength / 2, slotHalfWidth * 0.4);
  return union(circle(0, cy, headRadius), slot);
}

/** The app's mark: a shield with a keyhole cut through it; thicker details for small sizes. */
function mark(small: boolean): Sdf {
  const body = shield(0.78, -0.86, 0.95, 0.16);
  return small ? subtract(body, keyhole(-0.2, 0.25, 0.11, 0.55)) : subtract(body, keyhole(-0.2, 0.2, 0.075, 0.5));
}

/**
 * Renders an SDF into coverage values (0..1) per pixel. `extent` is the share of the canvas
 * the [-1, 1] box fills; edges are anti-aliased over one pixel from the distance itself.
 */
function rasterise(shape: Sdf, size: number, extent: number): Float64Array {
  const coverage = new Float64Array(size * size);
  const unitsPerPixel = 2 / (size * extent);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = ((x + 0.5) / size - 0.5) * (2 / extent);
      const v = ((y + 0.5) / size - 0.5) * (2 / extent);
      coverage[y * size + x] = clamp(0.5 - shape([u, v]) / unitsPerPixel, 0, 1);
    }
  }
  return coverage;
}

function hexToRgb(hex: string): [number, number, number] {
  const value = Number.parseInt(hex.replace('#', ''), 16);
  return [(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
}

/** The 192x192 colour icon: a white shield on a full-bleed accent background, fully opaque. */
export function drawColorIcon(size: number = ICON_SIZES.color): RgbaImage {
  // Teams keeps the symbol inside the central 120 of 192 pixels.
  const coverage = rasterise(mark(false), size, 120 / 192);
  const [r, g, b] = hexToRgb(ACCENT_COLOR);
  const pixels = new Uint8Array(size * size * 4);
  coverage.forEach((c, i) => {
    pixels[i * 4] = Math.round(r + (255 - r) * c);
    pixels[i * 4 + 1] = Math.round(g + (255 - g) * c);
    pixels[i * 4 + 2] = Math.round(b + (255 - b) * c);
    pixels[i * 4 + 3] = 255;
  });
  return { width: size, height: size, pixels };
}

/** The 32x32 outline icon: white only, the shape carried by alpha on a transparent background. */
export function drawOutlineIcon(size: number = ICON_SIZES.outline): RgbaImage {
  const coverage = rasterise(mark(true), size, 28 / 32);
  const pixels = new Uint8Array(size * size * 4);
  coverage.forEach((c, i) => {
    pixels.fill(255, i * 4, i * 4 + 3);
    pixels[i * 4 + 3] = Math.round(255 * c);
  });
  return { width: size, height: size, pixels };
}

/** Writes color.png and outline.png into a folder (the project's `manifest/` by default). */
export function writeIcons(folder: string = projectPath('manifest')): string[] {
  const written = [
    [join(folder, 'color.png'), drawColorIcon()],
    [join(folder, 'outline.png'), drawOutlineIcon()],
  ] as const;
  for (const [path, image] of written) writeFileSync(path, encodePng(image));
  return written.map(([path]) => path);
}

if (isMainModule(import.meta.url)) {
  for (const path of writeIcons()) console.log(`Wrote ${path}`);
}
