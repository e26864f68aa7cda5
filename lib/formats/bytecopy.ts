/**
 * What both capture-file writers share: the packet copy of their hot path (bytes from a source
 * view, the UMEM or a file, into a pre-touched output buffer), that buffer, the check of a
 * packet's range and of their options.
 * @module
 */
import { MAX_SNAPLEN } from "./magic.ts";

/**
 * Copies into one output buffer with `set` over a short-lived view of the source: V8's
 * memmove. Measured against the 32-bit word loop this replaced (Deno 2.9.6, process CPU per
 * packet, one run): 41 against 43 ns at 60 bytes, 44 against 160 at 128, 49 against 167 at 512,
 * 227 against 348 at 1514; 206-220 against 385-404 ns per 920-byte mix packet. The view is
 * an allocation per packet, and cheaper than the loop it was meant to avoid. (Never copy
 * through Float64Array: once optimised, V8 quiets signalling-NaN bit patterns.)
 */
export class ByteCopier {
  readonly #dst: Uint8Array;

  constructor(dst: Uint8Array) {
    this.#dst = dst;
  }

  /** Copies `len` bytes of `src` from `off` to `pos` in the output buffer. */
  copy(src: Uint8Array, off: number, len: number, pos: number): void {
    this.#dst.set(src.subarray(off, off + len), pos);
  }
}

/** Throws RangeError unless `src[off .. off+len)` is a range of whole bytes inside `src`. */
export function checkPacketRange(src: Uint8Array, off: number, len: number): void {
  if (
    !Number.isInteger(off) || !Number.isInteger(len) || off < 0 || len < 0 ||
    off + len > src.length
  ) {
    throw new RangeError(`bad packet range off=${off} len=${len} in ${src.length} bytes`);
  }
}

/** A capture-file writer's numeric options, defaulted and checked (RangeError names the bad one). */
export function writerOptions(
  opts: { snaplen?: number; linktype?: number; bufferSize?: number },
  maxSnaplen: number,
  linktypeBits: 16 | 32,
  defaultLinktype: number,
): { snaplen: number; linktype: number; bufferSize: number } {
  const snaplen = opts.snaplen ?? MAX_SNAPLEN;
  const linktype = opts.linktype ?? defaultLinktype;
  const bufferSize = opts.bufferSize ?? 1 << 20;
  if (!Number.isInteger(snaplen) || snaplen < 1 || snaplen > maxSnaplen) {
    throw new RangeError(`snaplen must be an integer in 1..${maxSnaplen}, got ${snaplen}`);
  }
  if (!Number.isInteger(linktype) || linktype < 0 || linktype > 2 ** linktypeBits - 1) {
    throw new RangeError(
      `linktype must be a ${linktypeBits}-bit unsigned integer, got ${linktype}`,
    );
  }
  if (!Number.isInteger(bufferSize) || bufferSize < 1) {
    throw new RangeError(`bufferSize must be a positive integer, got ${bufferSize}`);
  }
  return { snaplen, linktype, bufferSize };
}

/**
 * A writer's output buffer of `size` bytes with every page touched (fresh memory is mapped
 * lazily: this moves the page faults out of the hot path), its DataView and its copier.
 */
export function outputBuffer(size: number): {
  buf: Uint8Array;
  view: DataView;
  copier: ByteCopier;
} {
  const buf = new Uint8Array(size);
  buf.fill(0xff);
  buf.fill(0);
  return { buf, view: new DataView(buf.buffer), copier: new ByteCopier(buf) };
}

/** The parts (byte arrays or byte values) one after another in one new array. */
export function concat(
  parts: readonly (Uint8Array | readonly number[])[],
): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
