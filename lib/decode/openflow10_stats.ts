/**
 * OpenFlow 1.0's statistics messages at -v as tcpdump prints them (print-openflow-1.0.c):
 * STATS_REQUEST of every type, and STATS_REPLY with the DESC, FLOW, AGGREGATE, TABLE, PORT
 * and QUEUE entries (vendor statistics are openflow_vendor.ts's data).
 *
 * @module
 */
import { hex, invalid, vendorData } from "./openflow_vendor.ts";
import {
  actions,
  bitmap,
  type BodyPrinter,
  match,
  port,
  QUEUE_ID,
  quoted,
  u64,
  u64hex,
  WILDCARDS,
  WILDCARDS_U,
} from "./openflow10_struct.ts";
import type { Pkt } from "./printer.ts";
import { bitToks, tok, toks } from "./text.ts";

const STATS_TYPES = toks("0=DESC|1=FLOW|2=AGGREGATE|3=TABLE|4=PORT|5=QUEUE|0xffff=VENDOR");
const TABLE_ID = toks("0xfe=EMERG|0xff=ALL");
const REPLY_FLAGS = bitToks("1=MORE");
const REPLY_FLAGS_U = ~1;

/** STATS_REQUEST (tcpdump's of10_stats_request_print). */
export function statsRequest(p: Pkt, cp: number, len: number): void {
  const type = p.u16(cp);
  p.out += `\n\t type ${tok(STATS_TYPES, type, "invalid (0x%04x)")}`;
  const flags = p.u16(cp + 2);
  p.out += `, flags 0x${hex(flags, 4)}${flags ? " (bogus)" : ""}`;
  cp += 4;
  len -= 4;
  switch (type) {
    case 0: // DESC
    case 3: // TABLE
      if (len) invalid(p, cp, len);
      return;
    case 1: // FLOW
    case 2: // AGGREGATE
      if (len !== 44) return invalid(p, cp, len);
      match(p, "\n\t ", cp);
      p.out += `\n\t table_id ${tok(TABLE_ID, p.u8(cp + 40), "%u")}`;
      p.out += `, out_port ${port(p.u16(cp + 42))}`;
      return;
    case 4: // PORT
      if (len !== 8) return invalid(p, cp, len);
      p.out += `\n\t port_no ${port(p.u16(cp))}`;
      p.need(cp + 2, 6);
      return;
    case 5: // QUEUE
      if (len !== 8) return invalid(p, cp, len);
      p.out += `\n\t port_no ${port(p.u16(cp))}`;
      p.out += `, queue_id ${tok(QUEUE_ID, p.u32(cp + 4), "%u")}`;
      return;
    case 0xffff:
      return vendorData(p, cp, len);
  }
}

/** The DESC statistics reply. */
function descStats(p: Pkt, cp: number, len: number): void {
  if (len !== 1056) return invalid(p, cp, len);
  const fields: [string, number][] = [
    ["mfr_desc", 256],
    ["hw_desc", 256],
    ["sw_desc", 256],
    ["serial_num", 32],
    ["dp_desc", 256],
  ];
  for (const [name, n] of fields) {
    p.out += `\n\t  ${name} `;
    quoted(p, cp, n);
    cp += n;
  }
}

/** The FLOW statistics reply's entries. */
function flowStats(p: Pkt, cp: number, len: number): void {
  while (len) {
    if (len < 88) return invalid(p, cp, len);
    const entryLen = p.u16(cp);
    p.out += `\n\t length ${entryLen}`;
    if (entryLen < 88 || entryLen > len) return invalid(p, cp, len);
    p.out += `, table_id ${tok(TABLE_ID, p.u8(cp + 2), "%u")}`;
    match(p, "\n\t  ", cp + 4);
    p.out += `\n\t  duration_sec ${p.u32(cp + 44)}`;
    p.out += `, duration_nsec ${p.u32(cp + 48)}`;
    p.out += `, priority ${p.u16(cp + 52)}`;
    p.out += `, idle_timeout ${p.u16(cp + 54)}`;
    p.out += `, hard_timeout ${p.u16(cp + 56)}`;
    p.out += `, cookie 0x${u64hex(p, cp + 64)}`;
    p.out += `, packet_count ${u64(p, cp + 72)}`;
    p.out += `, byte_count ${u64(p, cp + 80)}`;
    actions(p, "\n\t  ", cp + 88, entryLen - 88);
    cp += entryLen;
    len -= entryLen;
  }
}

/** The AGGREGATE statistics reply. */
function aggregateStats(p: Pkt, cp: number, len: number): void {
  if (len !== 24) return invalid(p, cp, len);
  p.out += `\n\t packet_count ${u64(p, cp)}`;
  p.out += `, byte_count ${u64(p, cp + 8)}`;
  p.out += `, flow_count ${p.u32(cp + 16)}`;
  p.need(cp + 20, 4);
}

/** The TABLE statistics reply's entries. */
function tableStats(p: Pkt, cp: number, len: number): void {
  while (len) {
    if (len < 64) return invalid(p, cp, len);
    p.out += `\n\t table_id ${tok(TABLE_ID, p.u8(cp), "%u")}`;
    p.out += ", name ";
    quoted(p, cp + 4, 32);
    const w = p.u32(cp + 36);
    p.out += `\n\t  wildcards 0x${hex(w, 8)}`;
    bitmap(p, WILDCARDS, w, WILDCARDS_U);
    p.out += `\n\t  max_entries ${p.u32(cp + 40)}`;
    p.out += `, active_count ${p.u32(cp + 44)}`;
    p.out += `, lookup_count ${u64(p, cp + 48)}`;
    p.out += `, matched_count ${u64(p, cp + 56)}`;
    cp += 64;
    len -= 64;
  }
}

const PORT_COUNTERS = [
  "rx_packets",
  "tx_packets",
  "rx_bytes",
  "tx_bytes",
  "rx_dropped",
  "tx_dropped",
  "rx_errors",
  "tx_errors",
  "rx_frame_err",
  "rx_over_err",
  "rx_crc_err",
  "collisions",
];

/** The PORT statistics reply's entries (counters from -vv). */
function portStats(p: Pkt, cp: number, len: number): void {
  while (len) {
    if (len < 104) return invalid(p, cp, len);
    p.out += `\n\t  port_no ${port(p.u16(cp))}`;
    if (p.verbosity < 2) p.need(cp + 2, 102);
    else {
      PORT_COUNTERS.forEach((name, k) => p.out += `, ${name} ${u64(p, cp + 8 + 8 * k)}`);
    }
    cp += 104;
    len -= 104;
  }
}

/** The QUEUE statistics reply's entries. */
function queueStats(p: Pkt, cp: number, len: number): void {
  while (len) {
    if (len < 32) return invalid(p, cp, len);
    p.out += `\n\t  port_no ${port(p.u16(cp))}`;
    p.out += `, queue_id ${p.u32(cp + 4)}`;
    p.out += `, tx_bytes ${u64(p, cp + 8)}`;
    p.out += `, tx_packets ${u64(p, cp + 16)}`;
    p.out += `, tx_errors ${u64(p, cp + 24)}`;
    cp += 32;
    len -= 32;
  }
}

const STATS_REPLIES: Record<number, BodyPrinter> = {
  0: descStats,
  1: flowStats,
  2: aggregateStats,
  3: tableStats,
  4: portStats,
  5: queueStats,
  0xffff: vendorData,
};

/** STATS_REPLY (tcpdump's of10_stats_reply_print). */
export function statsReply(p: Pkt, cp: number, len: number): void {
  const type = p.u16(cp);
  p.out += `\n\t type ${tok(STATS_TYPES, type, "invalid (0x%04x)")}`;
  const flags = p.u16(cp + 2);
  p.out += `, flags 0x${hex(flags, 4)}`;
  bitmap(p, REPLY_FLAGS, flags, REPLY_FLAGS_U);
  const decoder = STATS_REPLIES[type];
  if (decoder !== undefined) decoder(p, cp + 4, len - 4);
  else p.need(cp + 4, len - 4);
}
