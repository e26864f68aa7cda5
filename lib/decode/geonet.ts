/**
 * ETSI GeoNetworking (ethertypes 0x8947 and the old 0x0707, tcpdump's print-geonet.c) with
 * BTP, and ISO CALM FAST (0x1111, print-calm-fast.c). Both name the Ethernet source address.
 *
 * @module
 */
import { etherSource } from "./ether.ts";
import { hexBytes, type Pkt } from "./printer.ts";

const MESSAGE_TYPES: Record<number, string> = {
  0: "CAM",
  1: "DENM",
  101: "TPEGM",
  102: "TSPDM",
  103: "VPM",
  104: "SRM",
  105: "SLAM",
  106: "ecoCAM",
  107: "ITM",
  150: "SA",
};
const NEXT_HEADERS = ["Any", "BTP-A", "BTP-B", "IPv6"];

function headerType(type: number, subtype: number): string {
  switch (type) {
    case 0:
      return "Any";
    case 1:
      return "Beacon";
    case 2:
      return "GeoUnicast";
    case 3:
      return ["GeoAnycastCircle", "GeoAnycastRect", "GeoAnycastElipse"][subtype] ?? "Unknown";
    case 4:
      return ["GeoBroadcastCircle", "GeoBroadcastRect", "GeoBroadcastElipse"][subtype] ??
        "Unknown";
    case 5:
      return ["TopoScopeBcast-SH", "TopoScopeBcast-MH"][subtype] ?? "Unknown";
    case 6:
      return ["LocService-Request", "LocService-Reply"][subtype] ?? "Unknown";
  }
  return "Unknown";
}

/** Length of the extended header tcpdump skips, or -1 where it does not decode it. */
function extendedLength(type: number, subtype: number): number {
  if (type === 0 || type === 1) return 0;
  if (type === 5 && subtype === 0) return 0;
  if (type === 5 && subtype === 1) return 68 - 36;
  return -1;
}

function source(p: Pkt): string {
  return hexBytes(p.d, etherSource() + 6, 6, ":");
}

/** A GeoNetworking packet at `off`, `length` bytes. */
export function geonet(p: Pkt, off: number, length: number): void {
  p.proto = "geonet";
  p.out += `GeoNet src:${source(p)}; `;
  if (length < 36) {
    p.out += ` (common header length ${length} < 36) (invalid)`;
    return;
  }
  const b0 = p.u8(off);
  const b1 = p.u8(off + 1);
  const payload = p.u16(off + 4);
  const hops = p.u8(off + 7);
  const next = b0 & 0x0f;
  const type = b1 >> 4;
  const subtype = b1 & 0x0f;
  p.out += `v:${b0 >> 4} `;
  p.out += `NH:${next}-${NEXT_HEADERS[next] ?? "Unknown"} `;
  p.out += `HT:${type}-${subtype}-${headerType(type, subtype)} `;
  p.out += `HopLim:${hops} `;
  p.out += `Payload:${payload} `;
  p.need(off + 8, 8);
  p.out += `GN_ADDR:${hexBytes(p.d, off + 8, 8, ":")} `;
  p.out += `lat:${p.u32(off + 20)} `;
  p.out += `lon:${p.u32(off + 24)}`;
  p.need(off, 36);
  let at = off + 36;
  length -= 36;
  const ext = extendedLength(type, subtype);
  if (ext >= 0) {
    if (length < ext) {
      p.out += ` (header size ${ext} > ${length}) (invalid)`;
      return;
    }
    p.need(at, ext);
    length -= ext;
    at += ext;
    if (next === 1 || next === 2) {
      if (length < 4) {
        p.out += ` (BTP length ${length} < 4) (invalid)`;
        return;
      }
      p.out += `; BTP Dst:${p.u16(at)}`;
      p.out += ` Src:${p.u16(at + 2)}`;
      length -= 4;
      at += 4;
      if (length >= 2) {
        p.out += `; ItsPduHeader v:${p.u8(at)}`;
        const t = p.u8(at + 1);
        p.out += ` t:${t}-${MESSAGE_TYPES[t] ?? `unknown (${t})`}`;
      }
    }
  }
  if (p.verbose) p.defaultPrint(at, length, true);
}

/** A CALM FAST packet at `off`, `length` bytes. */
export function calmFast(p: Pkt, off: number, length: number): void {
  p.proto = "calm_fast";
  p.out += `CALM FAST src:${source(p)}; `;
  if (length < 2) {
    p.out += ` (length ${length} < 2) (invalid)`;
    p.need(off, length);
    return;
  }
  p.out += `SrcNwref:${p.u8(off)}; `;
  p.out += `DstNwref:${p.u8(off + 1)}; `;
  if (p.verbose) p.defaultPrint(off + 2, length - 2, true);
}
