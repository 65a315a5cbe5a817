import { Budget, Bytes, UNDEF } from './bytes.js';

/**
 * What every part of the HDF5 reader needs: the bytes, the work budget, the file's offset and
 * length sizes and its base address, with bounds-checked address and length reads.
 */
export class Ctx {
  constructor(
    readonly b: Bytes,
    readonly budget: Budget,
    /** Size of addresses (2, 4 or 8 bytes). */
    readonly O: number,
    /** Size of lengths (2, 4 or 8 bytes). */
    readonly L: number,
    /** Base address: file addresses count from here. */
    readonly base: number,
  ) {}

  corrupt(msg: string): Error {
    return this.b.corrupt(msg);
  }

  /** File position of an address (addresses are relative to the base address). */
  at(addr: number, what: string): number {
    if (addr === UNDEF) throw this.corrupt(`${what} has an undefined address`);
    const pos = this.base + addr;
    this.b.need(pos, 1, what);
    return pos;
  }

  /** An address field at `pos` (UNDEF when all bits are set). */
  addr(pos: number, what: string): number {
    return this.b.addr(pos, this.O, what);
  }

  /** A length field at `pos`. */
  len(pos: number, what: string): number {
    return this.b.uint(pos, this.L, what);
  }
}
