/**
 * IPv4 (tcpdump's print-ip.c): the header (with -v its fields, options and checksum), then the
 * payload by protocol through the dispatch.
 *
 * @module
 */
import { ipDemux, printsOwnAddresses } from "./dispatch.ts";
import { CUT, type IpInfo, type Pkt, TRUNCATED } from "./printer.ts";
import {
  cksumShouldBe,
  finishSum,
  ipFlagsText,
  ipOptionsText,
  ipProtoText,
  sumWords,
  tosText,
} from "./verbose.ts";

/** The IPv4 datagram at `off`, `length` bytes on the wire (tcpdump's ip_print). */
export function ipv4(p: Pkt, off: number, length: number): void {
  p.proto = "ip";
  const v = p.u8(off) >> 4;
  if (v !== 4) {
    p.out += v === 6 ? "IP6, wrong link-layer encapsulation (invalid)" : `IP${v} (invalid)`;
    return;
  }
  if (!p.link) p.out += "IP ";
  p.check(off, 20);
  const hlen = (p.d[off] & 0x0f) * 4;
  if (hlen < 20) {
    p.out += `bad-hlen ${hlen}`;
    return;
  }
  const ipLen = p.u16(off + 2);
  // Like tcpdump, upper layers are told the header's length even when the frame is shorter.
  if (ipLen > length) p.out += `truncated-ip - ${ipLen - length} bytes missing! `;
  if (ipLen < hlen) {
    p.out += `bad-len ${ipLen}`;
    return;
  }
  // Bytes past the IP total length (Ethernet padding) are not the upper layer's.
  if (off + ipLen < p.end) p.end = off + ipLen;
  const frag = p.u16(off + 6);
  const proto = p.d[off + 9];
  const info = p.ipLayer(
    false,
    p.ip4(off + 12),
    p.ip4(off + 16),
    proto,
    off,
    (frag & 0x2000) !== 0,
  );
  if (p.verbose) ipv4Verbose(p, off, hlen, frag, proto, info);
  if ((frag & 0x1fff) !== 0) {
    // A later fragment: no transport header to decode (-qq: nothing).
    if (p.quiet > 1) return;
    p.out += `${info.src} > ${info.dst}: ip-proto-${proto}`;
    return;
  }
  if (!printsOwnAddresses(proto)) p.out += `${info.src} > ${info.dst}: `;
  if (!p.has(off, hlen)) {
    p.out += ` [remaining caplen(${p.end - off}) < header length(${hlen})]`;
    throw TRUNCATED;
  }
  ipDemux(p, proto, off + hlen, ipLen - hlen, info);
}

/**
 * tcpdump -v's "(tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 60)" after
 * "IP ", with the options and a bad header checksum; the rest of the packet goes on a new line
 * indented by 4 spaces. Options cut by the capture end the line the way tcpdump ends it.
 */
function ipv4Verbose(
  p: Pkt,
  off: number,
  hlen: number,
  frag: number,
  proto: number,
  info: IpInfo,
): void {
  const d = p.d;
  p.out += `(${tosText(d[off + 1])}`;
  if (d[off + 8] >= 1) p.out += `, ttl ${d[off + 8]}`;
  p.out += `, id ${p.u16(off + 4)}, offset ${(frag & 0x1fff) * 8}, flags [${
    ipFlagsText(frag)
  }], proto ${ipProtoText(proto)}, length ${p.u16(off + 2)}`;
  let truncated = false;
  if (hlen > 20) {
    const o = ipOptionsText(d, off + 20, hlen - 20, p.end);
    p.out += `, options (${o.text}`;
    if (o.outOfBytes) throw TRUNCATED;
    if (o.truncated) {
      p.out += " [truncated-option]";
      truncated = true;
    }
    p.out += ")";
  }
  if (off + hlen <= p.end) {
    const sum = finishSum(sumWords(d, off, hlen));
    if (sum !== 0) {
      const carried = p.u16(off + 10);
      p.out += `, bad cksum ${carried.toString(16)} (->${
        cksumShouldBe(carried, sum).toString(16)
      })!`;
    }
  }
  p.out += ")\n    ";
  if (truncated) {
    p.out += `${info.src} > ${info.dst}: `;
    throw CUT;
  }
}
