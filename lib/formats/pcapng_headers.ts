/**
 * The blocks the pcapng writer (pcapng.ts) builds once, before any packet: the Section Header
 * Block that starts its file and an Interface Description Block per interface. Not the hot path:
 * each is built as a new array, options and all.
 * @module
 */
import {
  BYTE_ORDER_MAGIC,
  FILTER_LIBPCAP,
  IDB,
  IF_DESCRIPTION,
  IF_FILTER,
  IF_NAME,
  IF_TSRESOL,
  pad4,
  SHB,
  SHB_HARDWARE,
  SHB_OS,
  SHB_USERAPPL,
} from "./pcapng_blocks.ts";

/** if_tsresol 9: timestamps count nanoseconds. */
const TSRESOL_NS = 9;

const encoder = new TextEncoder();

/** One option while the header blocks are built (not on the hot path). */
interface Opt {
  code: number;
  value: Uint8Array;
}

function stringOpt(code: number, text: string | undefined, what: string): Opt[] {
  if (text === undefined || text === "") return [];
  const value = encoder.encode(text);
  if (value.length > 0xffff) throw new RangeError(`${what} is longer than 65535 bytes`);
  return [{ code, value }];
}

/** A whole little-endian block: type, length, `body`, options and opt_endofopt, length. */
function buildBlock(type: number, body: Uint8Array, opts: Opt[]): Uint8Array {
  let len = 12 + body.length;
  for (const o of opts) len += 4 + pad4(o.value.length);
  if (opts.length > 0) len += 4;
  const out = new Uint8Array(len);
  const v = new DataView(out.buffer);
  v.setUint32(0, type, true);
  v.setUint32(4, len, true);
  out.set(body, 8);
  let p = 8 + body.length;
  for (const o of opts) {
    v.setUint16(p, o.code, true);
    v.setUint16(p + 2, o.value.length, true);
    out.set(o.value, p + 4);
    p += 4 + pad4(o.value.length);
  }
  if (opts.length > 0) p += 4; // opt_endofopt: already zero
  v.setUint32(p, len, true);
  return out;
}

/** The SHB that starts every file the writer makes. */
export function buildShb(
  opts: { hardware?: string; os?: string; userAppl?: string },
): Uint8Array {
  const shbBody = new Uint8Array(16);
  const sv = new DataView(shbBody.buffer);
  sv.setUint32(0, BYTE_ORDER_MAGIC, true);
  sv.setUint16(4, 1, true); // version 1.0
  sv.setUint16(6, 0, true);
  // Section length -1 (unknown): the file is streamed, its size is not known up front.
  sv.setInt32(8, -1, true);
  sv.setInt32(12, -1, true);
  return buildBlock(SHB, shbBody, [
    ...stringOpt(SHB_HARDWARE, opts.hardware, "hardware"),
    ...stringOpt(SHB_OS, opts.os, "os"),
    ...stringOpt(SHB_USERAPPL, opts.userAppl ?? "xskdump", "userAppl"),
  ]);
}

/** An IDB: `linktype` and `snaplen` already checked; nanosecond timestamps. */
export function buildIdb(
  i: { name: string; description?: string; filter?: string },
  snaplen: number,
  linktype: number,
): Uint8Array {
  if (typeof i.name !== "string") throw new TypeError("an interface's name must be a string");
  const idbBody = new Uint8Array(8);
  const iv = new DataView(idbBody.buffer);
  iv.setUint16(0, linktype, true);
  iv.setUint32(4, snaplen, true);
  const idbOpts = [
    ...stringOpt(IF_NAME, i.name, "ifName"),
    ...stringOpt(IF_DESCRIPTION, i.description, "description"),
  ];
  if (i.filter !== undefined && i.filter !== "") {
    const text = encoder.encode(i.filter);
    if (text.length > 0xfffe) throw new RangeError("filter is longer than 65534 bytes");
    const value = new Uint8Array(1 + text.length);
    value[0] = FILTER_LIBPCAP;
    value.set(text, 1);
    idbOpts.push({ code: IF_FILTER, value });
  }
  idbOpts.push({ code: IF_TSRESOL, value: new Uint8Array([TSRESOL_NS]) });
  return buildBlock(IDB, idbBody, idbOpts);
}
