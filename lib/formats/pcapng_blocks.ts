/**
 * pcapng block types and option codes (IETF draft-ietf-opsawg-pcapng), shared by the writer
 * (pcapng.ts) and the reader (pcapng_reader.ts). Each block type has its own option code space;
 * 0 and 1 are common to all.
 * @module
 */
import { PCAPNG_BYTE_ORDER_MAGIC, PCAPNG_IDB, PCAPNG_SHB } from "./magic.ts";

export const SHB = PCAPNG_SHB;
export const IDB = PCAPNG_IDB;
export const PB = 2; // obsolete Packet Block
export const SPB = 3;
export const NRB = 4;
export const ISB = 5;
export const EPB = 6;
export const DSB = 0x0a;
export const BYTE_ORDER_MAGIC = PCAPNG_BYTE_ORDER_MAGIC;

// Option codes (each block type has its own code space; 0 and 1 are common to all).
export const OPT_ENDOFOPT = 0;
export const OPT_COMMENT = 1;
export const SHB_HARDWARE = 2;
export const SHB_OS = 3;
export const SHB_USERAPPL = 4;
export const IF_NAME = 2;
export const IF_DESCRIPTION = 3;
export const IF_TSRESOL = 9;
export const IF_FILTER = 11;
export const IF_OS = 12;
export const IF_TSOFFSET = 14;
export const EPB_FLAGS = 2; // also pack_flags in the obsolete PB
export const EPB_QUEUE = 6;
export const EPB_PROCESSID_THREADID = 8;
export const ISB_STARTTIME = 2;
export const ISB_ENDTIME = 3;
export const ISB_IFRECV = 4;
export const ISB_IFDROP = 5;
export const ISB_FILTERACCEPT = 6;
export const ISB_OSDROP = 7;
export const ISB_USRDELIV = 8;

/** if_filter's first byte 0: the rest is a libpcap filter string. */
export const FILTER_LIBPCAP = 0;
/** 2^32, for 64-bit values split into two u32 words. */
export const TWO32 = 4294967296;

/** `n` rounded up to a multiple of 4: block and option bodies are padded so. */
export function pad4(n: number): number {
  return n + ((4 - (n & 3)) & 3);
}
