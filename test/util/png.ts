import { PNG } from 'pngjs';

/** A PNG decoded by pngjs (an independent decoder), with the pixels in the file's own channels. */
export interface DecodedPNG {
  width: number;
  height: number;
  /** PNG colour type: 0 gray, 4 gray+alpha, 2 RGB, 6 RGBA. */
  colorType: number;
  channels: number;
  pixels: Uint8Array;
}

const CHANNELS: ReadonlyMap<number, number[]> = new Map([
  [0, [0]],
  [4, [0, 3]],
  [2, [0, 1, 2]],
  [6, [0, 1, 2, 3]],
]);

/** Decodes `bytes` with pngjs (which checks the CRCs and the zlib stream) into the file's channels. */
export function decodePNG(bytes: Uint8Array): DecodedPNG {
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const pick = CHANNELS.get(png.colorType);
  if (!pick || png.depth !== 8) throw new Error(`unexpected PNG: colour type ${png.colorType}, depth ${png.depth}`);
  const n = png.width * png.height;
  const pixels = new Uint8Array(n * pick.length);
  for (let i = 0; i < n; i++) for (let k = 0; k < pick.length; k++) pixels[i * pick.length + k] = png.data[i * 4 + pick[k]];
  return { width: png.width, height: png.height, colorType: png.colorType, channels: pick.length, pixels };
}
