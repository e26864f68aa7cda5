/**
 * The numbers every capture-file module agrees on: file magics, block types, link types and the
 * limits on snapshot and record lengths. One place, so the writers and readers cannot drift.
 * @module
 */

/** LINKTYPE_ETHERNET (DLT_EN10MB). */
export const LINKTYPE_ETHERNET = 1;

/** pcap file magic, microsecond timestamps, as written on a little-endian host. */
export const PCAP_MAGIC_US = 0xa1b2c3d4;
/** pcap file magic, nanosecond timestamps. */
export const PCAP_MAGIC_NS = 0xa1b23c4d;
/** The two pcap magics as a file of the other byte order shows them. */
export const PCAP_MAGIC_US_SWAPPED = 0xd4c3b2a1;
export const PCAP_MAGIC_NS_SWAPPED = 0x4d3cb2a1;
/** Every first word a pcap file can start with. */
export const PCAP_MAGICS: readonly number[] = [
  PCAP_MAGIC_US,
  PCAP_MAGIC_NS,
  PCAP_MAGIC_US_SWAPPED,
  PCAP_MAGIC_NS_SWAPPED,
];
/** Length of the pcap file header and of one record header. */
export const PCAP_FILE_HEADER_LEN = 24;
export const PCAP_RECORD_HEADER_LEN = 16;

/** pcapng Section Header Block type: the same in either byte order. */
export const PCAPNG_SHB = 0x0a0d0d0a;
/** Written in the SHB; reads back as {@link PCAPNG_BYTE_ORDER_SWAPPED} in the other order. */
export const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;
export const PCAPNG_BYTE_ORDER_SWAPPED = 0x4d3c2b1a;
/** pcapng Interface Description Block type. */
export const PCAPNG_IDB = 1;

/** tcpdump's default and largest snapshot length. */
export const MAX_SNAPLEN = 262144;
/**
 * Largest record, block or snapshot length a file may declare; anything larger is corruption,
 * not a packet (libpcap's own bound).
 */
export const MAX_RECORD = 0x10000000;

/** A 32-bit word as error messages name magics and block types: `0x0a0d0d0a`. */
export function hex32(n: number): string {
  return "0x" + n.toString(16).padStart(8, "0");
}
