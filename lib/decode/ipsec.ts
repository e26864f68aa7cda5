/**
 * IPsec and IP compression headers (tcpdump's print-esp.c without -E secrets, print-ah.c,
 * print-ipcomp.c): ESP's SPI and sequence number (the rest is ciphertext), AH's fields and
 * integrity check value followed by what it protects, IPComp's CPI.
 *
 * @module
 */
import { ipDemux } from "./dispatch.ts";
import { CUT, hex2, type IpInfo, type Pkt } from "./printer.ts";

/** ESP (IP protocol 50): `ESP(spi=0x...,seq=0x...), length N`. */
export function esp(p: Pkt, off: number, length: number): void {
  p.proto = "esp";
  // tcpdump wants a byte past the 8-byte header before it prints anything.
  if (p.end <= off + 8) throw CUT;
  p.out += `ESP(spi=0x${p.u32(off).toString(16).padStart(8, "0")},seq=0x${
    p.u32(off + 4).toString(16)
  }), length ${length}`;
}

/**
 * AH (IP protocol 51): `AH(spi=...,seq=...,icv=0x...): ` and then the protocol it protects,
 * as tcpdump's ip_demux_print goes on.
 */
export function ah(p: Pkt, off: number, length: number, info: IpInfo): void {
  p.proto = "ah";
  // tcpdump's demultiplexer checks the first byte itself (the line ends, no give-up).
  p.check(off, 1);
  const nh = p.u8(off);
  p.out += "AH";
  const words = p.u8(off + 1);
  const hlen = (words + 2) * 4;
  p.out += "(";
  if (p.verbose) p.out += `length=${words}(${hlen}-bytes),`;
  const reserved = p.u16(off + 2);
  if (reserved) p.out += `reserved=0x${reserved.toString(16)}[MustBeZero],`;
  p.out += `spi=0x${p.u32(off + 4).toString(16).padStart(8, "0")},`;
  p.out += `seq=0x${p.u32(off + 8).toString(16)},icv=0x`;
  for (let i = 12; i < hlen; i++) p.out += hex2(p.u8(off + i));
  p.out += "): ";
  // tcpdump's length is unsigned: a header longer than the packet leaves a huge remainder.
  ipDemux(p, nh, off + hlen, (length - hlen) >>> 0, info);
}

/** IPComp (IP protocol 108): the compressed payload is not decoded. */
export function ipcomp(p: Pkt, off: number): void {
  p.proto = "ipcomp";
  p.out += `IPComp(cpi=0x${p.u16(off + 2).toString(16).padStart(4, "0")})`;
}
