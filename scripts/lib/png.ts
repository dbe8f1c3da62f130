import { deflateSync, inflateSync } from 'node:zlib';

/** An 8-bit RGBA image, rows top to bottom, four bytes per pixel. */
export interface RgbaImage {
  width: number;
  height: number;
  pixels: Uint8Array;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const COLOUR_TYPE_RGBA = 6;

const CRC_TABLE = ((): Uint32Array => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO 3309), as PNG chunks require. */
export function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/** Encodes an RGBA image as a non-interlaced 8-bit truecolour-with-alpha PNG. */
export function encodePng(image: RgbaImage): Buffer {
  const { width, height, pixels } = image;
  if (pixels.length !== width * height * 4) {
    throw new Error(`Expected ${width * height * 4} bytes of RGBA pixels, got ${pixels.length}`);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.writeUInt8(8, 8);
  header.writeUInt8(COLOUR_TYPE_RGBA, 9);
  // Bytes 10-12 stay 0: deflate compression, adaptive filtering, no interlace.

  const stride = width * 4;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    // Filter type 0 on every row: icons are tiny, so simplicity beats a few saved bytes.
    raw[y * (stride + 1)] = 0;
    raw.set(pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }

  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

interface PngChunk {
  type: string;
  data: Buffer;
}

function readChunks(png: Buffer): PngChunk[] {
  if (png.length < SIGNATURE.length || !png.subarray(0, SIGNATURE.length).equals(SIGNATURE)) {
    throw new Error('Not a PNG file: the signature is missing');
  }
  const chunks: PngChunk[] = [];
  let offset = SIGNATURE.length;
  while (offset + 12 <= png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const end = offset + 8 + length;
    if (end + 4 > png.length) throw new Error(`Truncated PNG chunk ${type}`);
    const stored = png.readUInt32BE(end);
    if (stored !== crc32(png.subarray(offset + 4, end))) throw new Error(`Bad CRC in PNG chunk ${type}`);
    chunks.push({ type, data: png.subarray(offset + 8, end) });
    offset = end + 4;
    if (type === 'IEND') break;
  }
  return chunks;
}

/** The fields of a PNG's IHDR chunk. */
export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
  interlace: number;
}

/** Reads the IHDR chunk, which PNG requires to come first. */
export function readPngHeader(png: Buffer): PngHeader {
  const first = readChunks(png)[0];
  if (first?.type !== 'IHDR' || first.data.length !== 13) throw new Error('PNG does not start with an IHDR chunk');
  return {
    width: first.data.readUInt32BE(0),
    height: first.data.readUInt32BE(4),
    bitDepth: first.data.readUInt8(8),
    colourType: first.data.readUInt8(9),
    interlace: first.data.readUInt8(12),
  };
}

function paeth(left: number, up: number, upLeft: number): number {
  const p = left + up - upLeft;
  const pa = Math.abs(p - left);
  const pb = Math.abs(p - up);
  const pc = Math.abs(p - upLeft);
  if (pa <= pb && pa <= pc) return left;
  return pb <= pc ? up : upLeft;
}

/**
 * Decodes an 8-bit RGBA, non-interlaced PNG (what `encodePng` and most tools write for icons),
 * undoing all five row filters so files edited by other tools still decode.
 */
export function decodePng(png: Buffer): RgbaImage {
  const header = readPngHeader(png);
  if (header.bitDepth !== 8 || header.colourType !== COLOUR_TYPE_RGBA || header.interlace !== 0) {
    throw new Error(
      `Only 8-bit RGBA non-interlaced PNGs are supported (got bit depth ${header.bitDepth}, ` +
        `colour type ${header.colourType}, interlace ${header.interlace})`,
    );
  }
  const { width, height } = header;
  const idat = Buffer.concat(
    readChunks(png)
      .filter((c) => c.type === 'IDAT')
      .map((c) => c.data),
  );
  const raw = inflateSync(idat);
  const stride = width * 4;
  if (raw.length !== (stride + 1) * height) throw new Error('PNG image data has the wrong length');

  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const row = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = y * stride;
    for (let i = 0; i < stride; i++) {
      const left = i >= 4 ? pixels[out + i - 4]! : 0;
      const up = y > 0 ? pixels[out - stride + i]! : 0;
      const upLeft = y > 0 && i >= 4 ? pixels[out - stride + i - 4]! : 0;
      const predictor = [0, left, up, (left + up) >> 1, paeth(left, up, upLeft)][filter];
      if (predictor === undefined) throw new Error(`Unknown PNG filter type ${filter} on row ${y}`);
      pixels[out + i] = (row[i]! + predictor) & 0xff;
    }
  }
  return { width, height, pixels };
}
