/**
 * Novell IPX (tcpdump's print-ipx.c): the addresses and sockets, then SAP and RIP, or the
 * socket's name and the length. Carried by ethertype 0x8137 (Ethernet II), LLC SAP 0xe0
 * (802.2) and raw 802.3 frames.
 *
 * @module
 */
import { hex4, hexBytes, type Pkt } from "./printer.ts";
import { printUpToNul } from "./tokens.ts";

const HEADER_LEN = 30;

/** `net.node` of an IPX address: `00000001.00:11:22:33:44:55`. */
function address(p: Pkt, at: number): string {
  const net = p.u32(at);
  p.need(at + 4, 6);
  return `${net.toString(16).padStart(8, "0")}.${hexBytes(p.d, at + 4, 6, ":")}`;
}

/** A SAP service type: tcpdump -n never names them. */
function sapType(v: number): string {
  return hex4(v);
}

/** An IPX packet at `off` (the length comes from its own header). */
export function ipx(p: Pkt, off: number, _length: number): void {
  p.proto = "ipx";
  if (!p.link) p.out += "IPX ";
  p.out += `${address(p, off + 18)}.${hex4(p.u16(off + 28))} > `;
  p.out += `${address(p, off + 6)}.${hex4(p.u16(off + 16))}: `;
  const length = p.u16(off + 2);
  if (length < HEADER_LEN) {
    p.out += `[length ${length} < ${HEADER_LEN}] (invalid)`;
    return;
  }
  const data = off + HEADER_LEN;
  const len = length - HEADER_LEN;
  const socket = p.u16(off + 16);
  switch (socket) {
    case 0x0451:
      p.out += `ipx-ncp ${len}`;
      return;
    case 0x0452:
    case 0x0453: {
      // SAP and RIP: a command, then its entries.
      const command = p.u16(data);
      if (len < 2) {
        p.out += ` [length ${len} < 2] (invalid)`;
        return;
      }
      if (socket === 0x0452) sap(p, command, data + 2, len - 2);
      else rip(p, command, data + 2, len - 2);
      return;
    }
    case 0x0455:
      p.out += `ipx-netbios ${len}`;
      return;
    case 0x0456:
      p.out += `ipx-diags ${len}`;
      return;
    case 0x0553:
      p.out += `ipx-nwlink-dgm ${len}`;
      return;
  }
  p.out += `ipx-#${socket.toString(16)} ${len}`;
}

function sap(p: Pkt, command: number, at: number, length: number): void {
  if (command === 1 || command === 3) {
    p.out += command === 1 ? "ipx-sap-req" : "ipx-sap-nearest-req";
    p.out += ` ${sapType(p.u16(at))}`;
    return;
  }
  if (command !== 2 && command !== 4) {
    p.out += `ipx-sap-?${command.toString(16)}`;
    return;
  }
  p.out += command === 2 ? "ipx-sap-resp" : "ipx-sap-nearest-resp";
  for (let i = 0; i < 8 && length !== 0; i++) {
    p.need(at, 2);
    if (length < 2) return void (p.out += " (invalid)");
    p.out += ` ${sapType(p.u16(at))} '`;
    at += 2;
    length -= 2;
    if (length < 48) return void (p.out += "' (invalid)");
    printUpToNul(p, at, 48);
    p.out += "'";
    at += 48;
    length -= 48;
    p.need(at, 10);
    if (length < 10) return void (p.out += " (invalid)");
    p.out += ` addr ${address(p, at)}`;
    at += 10;
    length -= 10;
    p.need(at, 4);
    if (length < 4) return void (p.out += " (invalid)");
    at += 4;
    length -= 4;
  }
}

function rip(p: Pkt, command: number, at: number, length: number): void {
  if (command === 1) {
    p.out += "ipx-rip-req";
    if (length === 0) return;
    if (length < 8) return void (p.out += " (invalid)");
    p.out += ` ${route(p, at)}`;
  } else if (command === 2) {
    p.out += "ipx-rip-resp";
    for (let i = 0; i < 50 && length !== 0; i++, at += 8, length -= 8) {
      if (length < 8) return void (p.out += " (invalid)");
      p.out += ` ${route(p, at)}`;
    }
  } else {
    p.out += `ipx-rip-?${command.toString(16)}`;
  }
}

function route(p: Pkt, at: number): string {
  return `${p.u32(at).toString(16).padStart(8, "0")}/${p.u16(at + 4)}.${p.u16(at + 6)}`;
}

/** IPX in an Ethernet II frame (ethertype 0x8137). */
export function ipxEthertype(p: Pkt, off: number, length: number): void {
  p.out += "(NOV-ETHII) ";
  ipx(p, off, length);
}

/** IPX behind an LLC header with SAP 0xe0 (Novell's 802.2 framing). */
export function ipx8022(p: Pkt, off: number, length: number): void {
  if (p.link) p.out += "IPX 802.2: ";
  ipx(p, off, length);
}

/** IPX right after the 802.3 length (Novell's "raw" framing, no LLC header). */
export function ipx8023(p: Pkt, off: number, length: number): void {
  if (p.link) p.out += "IPX 802.3: ";
  ipx(p, off, length);
}
