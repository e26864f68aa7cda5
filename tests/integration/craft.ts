// Crafted traffic for the API and example tests: Ethernet frames built byte by byte (IPv4,
// IPv6, 802.1Q, UDP, DNS); testbed/pcap.ts writes them into a pcap to replay.

const MAC_DST = [0x02, 0, 0, 0, 0, 0x01];
const MAC_SRC = [0x02, 0, 0, 0, 0, 0x02];

/** "10.0.0.1" as four bytes. */
function ip4Bytes(a: string): number[] {
  return a.split(".").map(Number);
}

/** A full-form or "::"-abbreviated IPv6 address as 16 bytes. */
function ip6Bytes(a: string): number[] {
  const [head, tail] = a.split("::");
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill("0"), ...t].map((g) =>
    parseInt(g, 16)
  );
  return groups.flatMap((g) => [g >> 8, g & 255]);
}

function be16(n: number): number[] {
  return [(n >> 8) & 255, n & 255];
}

export interface UdpFrame {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  payload: number[];
  /** 802.1Q VLAN id: adds a tag. */
  vlan?: number;
}

/** An Ethernet frame carrying UDP over IPv4 or IPv6 (chosen by the address form). */
export function udpFrame(f: UdpFrame): Uint8Array {
  const udpLen = 8 + f.payload.length;
  const udp = [...be16(f.sport), ...be16(f.dport), ...be16(udpLen), 0, 0, ...f.payload];
  const v6 = f.src.includes(":");
  const ip = v6
    ? [
      0x60,
      0,
      0,
      0,
      ...be16(udpLen),
      17,
      64,
      ...ip6Bytes(f.src),
      ...ip6Bytes(f.dst),
    ]
    : [
      0x45,
      0,
      ...be16(20 + udpLen),
      0,
      1,
      0,
      0,
      64,
      17,
      0,
      0,
      ...ip4Bytes(f.src),
      ...ip4Bytes(f.dst),
    ];
  const type = v6 ? 0x86dd : 0x0800;
  const vlan = f.vlan === undefined ? [] : [0x81, 0x00, ...be16(f.vlan)];
  return new Uint8Array([...MAC_DST, ...MAC_SRC, ...vlan, ...be16(type), ...ip, ...udp]);
}

/** Pads a frame with zero bytes to `size` (for frames of a known wire length). */
export function padded(frame: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(Math.max(size, frame.length));
  out.set(frame);
  return out;
}

/** An ARP request: a frame that is not IP at all. */
export function arpFrame(): Uint8Array {
  return new Uint8Array([
    ...[0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
    ...MAC_SRC,
    0x08,
    0x06,
    ...[0, 1, 0x08, 0, 6, 4, 0, 1],
    ...MAC_SRC,
    ...ip4Bytes("10.0.0.2"),
    ...[0, 0, 0, 0, 0, 0],
    ...ip4Bytes("10.0.0.1"),
    ...Array(18).fill(0),
  ]);
}

const TYPE_CODES: Record<string, number> = { A: 1, AAAA: 28, MX: 15, TXT: 16 };

/** A DNS message with one question: a query, or with `response` the QR bit set (no answer). */
export function dnsMessage(name: string, type: string, response = false): number[] {
  const qname = name.split(".").flatMap((l) => [l.length, ...new TextEncoder().encode(l)]);
  return [
    0x12,
    0x34,
    response ? 0x81 : 0x01,
    response ? 0x80 : 0x00,
    ...be16(1),
    ...be16(0),
    ...be16(0),
    ...be16(0),
    ...qname,
    0,
    ...be16(TYPE_CODES[type]),
    ...be16(1),
  ];
}
