/** A strict little PNG decoder for tests: checks signature and CRCs, undoes the row filters. */
import { unzlibSync } from 'fflate';
import { crc32 } from '../../bindings/io/crc32.js';

export interface DecodedPNG {
  width: number;
  height: number;
  channels: number;
  colorType: number;
  pixels: Uint8Array;
}

export function decodePNG(file: Uint8Array): DecodedPNG {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (!sig.every((b, i) => file[i] === b)) throw new Error('not a PNG');
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  let p = 8;
  let width = 0;
  let height = 0;
  let colorType = -1;
  const idat: Uint8Array[] = [];
  let ended = false;
  while (p < file.length) {
    const len = dv.getUint32(p);
    const type = String.fromCharCode(...file.subarray(p + 4, p + 8));
    const data = file.subarray(p + 8, p + 8 + len);
    if (crc32(file.subarray(p + 4, p + 8 + len)) !== dv.getUint32(p + 8 + len)) throw new Error(`bad CRC in ${type}`);
    if (type === 'IHDR') {
      width = dv.getUint32(p + 8);
      height = dv.getUint32(p + 12);
      if (data[8] !== 8) throw new Error('bit depth != 8');
      colorType = data[9];
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') ended = true;
    p += 12 + len;
  }
  if (!ended) throw new Error('no IEND');
  const channels = ({ 0: 1, 4: 2, 2: 3, 6: 4 } as Record<number, number>)[colorType];
  const all = new Uint8Array(idat.reduce((n, d) => n + d.length, 0));
  let at = 0;
  for (const d of idat) {
    all.set(d, at);
    at += d.length;
  }
  const raw = unzlibSync(all);
  const stride = width * channels;
  if (raw.length !== (stride + 1) * height) throw new Error(`IDAT holds ${raw.length} bytes, expected ${(stride + 1) * height}`);
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    for (let i = 0; i < stride; i++) {
      const x = raw[y * (stride + 1) + 1 + i];
      const a = i >= channels ? pixels[y * stride + i - channels] : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + i] : 0;
      const c = y > 0 && i >= channels ? pixels[(y - 1) * stride + i - channels] : 0;
      let pred = 0;
      if (f === 1) pred = a;
      else if (f === 2) pred = b;
      else if (f === 3) pred = (a + b) >> 1;
      else if (f === 4) {
        const pp = a + b - c;
        const pa = Math.abs(pp - a);
        const pb = Math.abs(pp - b);
        const pc = Math.abs(pp - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else if (f !== 0) throw new Error(`bad filter ${f}`);
      pixels[y * stride + i] = (x + pred) & 0xff;
    }
  }
  return { width, height, channels, colorType, pixels };
}
