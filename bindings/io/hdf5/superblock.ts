import { Bytes, UNDEF } from './bytes.js';
import { checkMetadata } from './checksum.js';

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Where the HDF5 signature is (0, 512, 1024, …), or -1. */
export function findSuperblock(buf: Uint8Array): number {
  for (let pos = 0; pos + 8 <= buf.length; pos = pos === 0 ? 512 : pos * 2) {
    if (SIGNATURE.every((b, i) => buf[pos + i] === b)) return pos;
  }
  return -1;
}

export interface Superblock {
  version: number;
  /** Size of addresses. */
  O: number;
  /** Size of lengths. */
  L: number;
  base: number;
  rootAddress: number;
  /** End of the file's allocated space (absolute; UNDEF when not recorded): nothing lies past it. */
  eof: number;
}

/** Reads superblock v0–v3; v2 and v3 have their checksum verified. */
export function readSuperblock(b: Bytes): Superblock {
  const sb = findSuperblock(b.buf);
  if (sb < 0) throw b.corrupt('no HDF5 signature found');
  const version = b.u8(sb + 8);
  let O: number;
  let L: number;
  let eof: number;
  let base: number;
  let rootAddress: number;
  const checkSizes = () => {
    if (![2, 4, 8].includes(O) || ![2, 4, 8].includes(L)) throw b.corrupt(`unsupported HDF5 offset/length sizes ${O}/${L}`);
  };
  if (version === 0 || version === 1) {
    O = b.u8(sb + 13);
    L = b.u8(sb + 14);
    checkSizes();
    const pos = sb + (version === 0 ? 24 : 28);
    const storedBase = b.uint(pos, O, 'the base address');
    eof = b.addr(pos + 2 * O, O, 'the end-of-file address');
    base = storedBase !== 0 ? storedBase : sb;
    // root group symbol table entry: link name offset, object header address, cache type, …
    rootAddress = b.addr(pos + 4 * O + O, O, 'the root group address');
    const cache = b.u32(pos + 4 * O + 2 * O);
    if (cache > 2) throw b.corrupt(`the root group's symbol table entry has unknown cache type ${cache}`);
  } else if (version === 2 || version === 3) {
    O = b.u8(sb + 9);
    L = b.u8(sb + 10);
    checkSizes();
    const pos = sb + 12;
    // signature … root group address, then the checksum
    checkMetadata(b, sb, 12 + 4 * O, 'the superblock');
    const storedBase = b.uint(pos, O, 'the base address');
    eof = b.addr(pos + 2 * O, O, 'the end-of-file address');
    base = storedBase !== 0 ? storedBase : sb;
    rootAddress = b.addr(pos + 3 * O, O, 'the root group address');
  } else {
    throw b.corrupt(`unsupported HDF5 superblock version ${version}`);
  }
  // (libhdf5 writes the end-of-file address as an absolute offset, even with a userblock)
  if (eof !== UNDEF && eof > b.length) {
    throw b.corrupt(`the file is truncated: its superblock says ${eof} bytes, but only ${b.length} are there`);
  }
  if (rootAddress === UNDEF) throw b.corrupt('the superblock has no root group');
  return { version, O, L, base, rootAddress, eof };
}
