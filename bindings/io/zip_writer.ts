/**
 * A zip archive of stored (uncompressed) entries, as Python's zipfile writes a `.keras` file by
 * default (ZIP_STORED): local headers, the data, the central directory and its end record.
 * Companion of the reader in zip.ts; entries of 4 GiB or more (zip64) are refused.
 */
import { ModelFormatError } from '../errors.js';
import { crc32 } from './crc32.js';

export interface ZipInput {
  name: string;
  data: Uint8Array;
  /** Modification time (default 1980-01-01 00:00, zipfile's time for entries written by open()). */
  date?: Date;
}

/** MS-DOS date and time fields of a local time (years before 1980 become 1980). */
function dosTime(d: Date | undefined): { time: number; date: number } {
  if (!d || d.getFullYear() < 1980) return { time: 0, date: (0 << 9) | (1 << 5) | 1 };
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
    date: ((d.getFullYear() - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

const utf8 = new TextEncoder();

export function zipStored(entries: readonly ZipInput[]): Uint8Array {
  const parts = entries.map((e) => {
    const name = utf8.encode(e.name);
    if (e.data.length >= 0xffffffff) throw new ModelFormatError(`saveModel: '${e.name}' is 4 GiB or more, which this zip writer does not store`);
    // bit 11: the name is UTF-8 (set, as zipfile does, only when it is not ASCII)
    const flags = name.some((b) => b > 0x7f) ? 0x0800 : 0;
    return { name, data: e.data, crc: crc32(e.data), flags, ...dosTime(e.date) };
  });
  const localSize = parts.reduce((n, p) => n + 30 + p.name.length + p.data.length, 0);
  const centralSize = parts.reduce((n, p) => n + 46 + p.name.length, 0);
  if (localSize + centralSize >= 0xffffffff) throw new ModelFormatError('saveModel: the archive would be 4 GiB or more, which this zip writer does not store');
  const out = new Uint8Array(localSize + centralSize + 22);
  const v = new DataView(out.buffer);
  let at = 0;
  const offsets: number[] = [];
  for (const p of parts) {
    offsets.push(at);
    v.setUint32(at, 0x04034b50, true);
    v.setUint16(at + 4, 20, true); // version needed: 2.0
    v.setUint16(at + 6, p.flags, true);
    v.setUint16(at + 8, 0, true); // stored
    v.setUint16(at + 10, p.time, true);
    v.setUint16(at + 12, p.date, true);
    v.setUint32(at + 14, p.crc, true);
    v.setUint32(at + 18, p.data.length, true);
    v.setUint32(at + 22, p.data.length, true);
    v.setUint16(at + 26, p.name.length, true);
    v.setUint16(at + 28, 0, true);
    out.set(p.name, at + 30);
    out.set(p.data, at + 30 + p.name.length);
    at += 30 + p.name.length + p.data.length;
  }
  const central = at;
  parts.forEach((p, i) => {
    v.setUint32(at, 0x02014b50, true);
    v.setUint16(at + 4, (3 << 8) | 20, true); // made by: Unix, 2.0
    v.setUint16(at + 6, 20, true);
    v.setUint16(at + 8, p.flags, true);
    v.setUint16(at + 10, 0, true);
    v.setUint16(at + 12, p.time, true);
    v.setUint16(at + 14, p.date, true);
    v.setUint32(at + 16, p.crc, true);
    v.setUint32(at + 20, p.data.length, true);
    v.setUint32(at + 24, p.data.length, true);
    v.setUint16(at + 28, p.name.length, true);
    // extra, comment, disk, internal attributes: 0
    v.setUint32(at + 38, (0o600 << 16) >>> 0, true); // rw------- as zipfile's writestr sets it
    v.setUint32(at + 42, offsets[i], true);
    out.set(p.name, at + 46);
    at += 46 + p.name.length;
  });
  v.setUint32(at, 0x06054b50, true);
  v.setUint16(at + 8, parts.length, true);
  v.setUint16(at + 10, parts.length, true);
  v.setUint32(at + 12, at - central, true);
  v.setUint32(at + 16, central, true);
  return out;
}
