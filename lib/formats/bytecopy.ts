/**
 * The packet copy both capture-file writers use on their hot path: bytes from
 * a source view (the UMEM) into a pre-touched output buffer, no allocation.
 * @module
 */
import { MAX_SNAPLEN } from "./magic.ts";

const HOST_LE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const EMPTY_VIEW = new DataView(new ArrayBuffer(8));

/**
 * Copies into one output buffer. Unaligned 32-bit reads of the source, aligned
 * 32-bit stores. Never float64 moves: once V8 optimises the loop it quiets
 * signalling-NaN bit patterns (bit 0x08 of byte 6 flipped in corpus frames).
 */
export class ByteCopier {
  readonly #dst: Uint8Array;
  readonly #words: Int32Array;
  // Cached view of the last source buffer: the UMEM stays the same, so this is built once.
  #srcBuffer: ArrayBufferLike | null = null;
  #srcView: DataView = EMPTY_VIEW;

  /** `dst` must start 4-aligned in its buffer (a fresh Uint8Array does). */
  constructor(dst: Uint8Array) {
    this.#dst = dst;
    this.#words = new Int32Array(dst.buffer, dst.byteOffset, dst.byteLength >> 2);
  }

  /** Copies `len` bytes of `src` from `off` to `pos` in the output buffer. */
  copy(src: Uint8Array, off: number, len: number, pos: number): void {
    const dst = this.#dst;
    if (len < 8) {
      for (let i = 0; i < len; i++) dst[pos + i] = src[off + i];
      return;
    }
    if (src.buffer !== this.#srcBuffer) {
      this.#srcBuffer = src.buffer;
      this.#srcView = new DataView(src.buffer);
    }
    const sv = this.#srcView;
    const words = this.#words;
    const s = src.byteOffset + off;
    // Bytes up to a 4-byte boundary of the output, then whole words, then the tail bytes.
    let i = (4 - (pos & 3)) & 3;
    for (let h = 0; h < i; h++) dst[pos + h] = src[off + h];
    let k = (pos + i) >> 2;
    for (; i + 32 <= len; i += 32, k += 8) {
      words[k] = sv.getInt32(s + i, HOST_LE);
      words[k + 1] = sv.getInt32(s + i + 4, HOST_LE);
      words[k + 2] = sv.getInt32(s + i + 8, HOST_LE);
      words[k + 3] = sv.getInt32(s + i + 12, HOST_LE);
      words[k + 4] = sv.getInt32(s + i + 16, HOST_LE);
      words[k + 5] = sv.getInt32(s + i + 20, HOST_LE);
      words[k + 6] = sv.getInt32(s + i + 24, HOST_LE);
      words[k + 7] = sv.getInt32(s + i + 28, HOST_LE);
    }
    for (; i + 4 <= len; i += 4, k++) words[k] = sv.getInt32(s + i, HOST_LE);
    for (; i < len; i++) dst[pos + i] = src[off + i];
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
