/**
 * AFS's Rx (tcpdump's print-rx.c) on UDP ports 7000-7009: the packet type, with -v the sequence
 * and serial numbers (-vv the call and flags, -vvv the service), and acknowledgements with their
 * acked/nacked ranges. The calls of the AFS services and their replies are in afs.ts; replies
 * name the call they answer: like tcpdump, each capture remembers its last 64 calls (per
 * Decoder).
 *
 * @module
 */
import { afsService } from "./afs.ts";
import type { IpInfo, Pkt } from "./printer.ts";
import { tok, toks } from "./text.ts";

const HDR = 28;
const DATA = 1;
const ACK = 2;
const ABORT = 4;
const CLIENT_INIT = 1;

const TYPES = toks(
  "1=data|2=ack|3=busy|4=abort|5=ackall|6=challenge|7=response|8=debug|9=params|13=version",
);
/** Flag, the packet type it applies to (0: any), name. */
const FLAGS: [number, number, string][] = [
  [1, 0, "client-init"],
  [2, 0, "req-ack"],
  [4, 0, "last-pckt"],
  [8, 0, "more-pckts"],
  [16, 0, "free-pckt"],
  [32, ACK, "slow-start"],
  [32, DATA, "jumbogram"],
];
const ACK_REASONS = toks(
  "1=ack requested|2=duplicate packet|3=out of sequence|4=exceeds window|5=no buffer space|" +
    "6=ping|7=ping response|8=delay|9=idle",
);

/** The call cache of one capture (tcpdump's rx_cache), to name the call a reply answers. */
class CallCache {
  readonly callnum = new Uint32Array(64);
  readonly client = new Uint32Array(64);
  readonly server = new Uint32Array(64);
  readonly dport = new Uint16Array(64);
  readonly service = new Uint16Array(64);
  readonly opcode = new Uint32Array(64);
  next = 0;
  hint = 0;
}
const caches = new WeakMap<Pkt, CallCache>();

function cacheOf(p: Pkt): CallCache {
  let c = caches.get(p);
  if (c === undefined) caches.set(p, c = new CallCache());
  return c;
}

/** The Rx packet at `off` (UDP ports 7000-7009). */
export function rx(
  p: Pkt,
  off: number,
  length: number,
  info: IpInfo,
  sport: number,
  dport: number,
) {
  p.proto = "rx";
  if (!p.has(off, HDR)) {
    p.out += ` [|rx] (${length})`;
    return;
  }
  const type = p.d[off + 20];
  const flags = p.d[off + 21];
  const seq = p.u32(off + 12);
  p.out += ` rx ${tok(TYPES, type, "type %u")}`;
  if (p.verbose) {
    if (p.verbosity > 1) p.out += ` cid ${hex8(p.u32(off + 4))} call# ${p.u32(off + 8)}`;
    p.out += ` seq ${seq} ser ${p.u32(off + 16)}`;
    if (p.verbosity > 2) p.out += ` secindex ${p.d[off + 23]} serviceid ${p.u16(off + 26)}`;
    if (p.verbosity > 1) {
      let first = true;
      for (const [bit, only, name] of FLAGS) {
        if (flags & bit && (only === 0 || type === only)) {
          p.out += `${first ? " " : ","}<${name}>`;
          first = false;
        }
      }
    }
  }
  const cache = cacheOf(p);
  // tcpdump reads the IPv4 addresses' places, whatever the IP version.
  const src = p.u32(info.at + 12);
  const dst = p.u32(info.at + 16);
  const callnum = p.u32(off + 8);
  const serviceId = p.u16(off + 26);
  if (type === DATA && seq === 1 && flags & CLIENT_INIT) {
    if (p.has(off + HDR, 4)) {
      const i = cache.next;
      cache.next = (i + 1) % 64;
      cache.callnum[i] = callnum;
      cache.client[i] = src;
      cache.server[i] = dst;
      cache.dport[i] = dport;
      cache.service[i] = serviceId;
      cache.opcode[i] = p.u32(off + HDR);
    }
    afsService(p, off, length, dport, -1);
  } else if (
    ((type === DATA && seq === 1) || type === ABORT) && !(flags & CLIENT_INIT)
  ) {
    let i = cache.hint;
    do {
      if (
        cache.callnum[i] === callnum && cache.client[i] === dst && cache.server[i] === src &&
        cache.service[i] === serviceId && cache.dport[i] === sport
      ) {
        cache.hint = i;
        afsService(p, off, length, sport, cache.opcode[i]);
        break;
      }
      i = (i + 1) % 64;
    } while (i !== cache.hint);
  } else if (type === ACK) {
    ack(p, off, length);
  }
  p.out += ` (${length})`;
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, "0");
}

/** The acknowledgement of an ack packet: first, serial, reason, acked and nacked ranges. */
function ack(p: Pkt, off: number, length: number): void {
  if (length < HDR) return;
  let at = off + HDR;
  if (!p.has(at, 18)) {
    p.out += " [|ack]";
    return;
  }
  if (p.verbosity > 2) p.out += ` bufspace ${p.u16(at)} maxskew ${p.u16(at + 2)}`;
  const first = p.u32(at + 4);
  p.out += ` first ${first} serial ${p.u32(at + 12)} reason ${
    tok(ACK_REASONS, p.d[at + 16], "#%u")
  }`;
  const n = p.d[at + 17];
  at += 18;
  if (n !== 0) {
    if (!p.has(at, n)) {
      p.out += " [|ack]";
      return;
    }
    ranges(p, at, n, first, 1, " acked");
    ranges(p, at, n, first, 0, " nacked");
    at += n;
  }
  at += 3;
  if (p.verbosity > 1) {
    for (const name of [" ifmtu", " maxmtu", " rwind", " maxpackets"]) {
      if (p.end - at + 1 <= 4) return;
      p.out += `${name} ${p.u32(at)}`;
      at += 4;
    }
  }
}

/** The runs of acks equal to `want`, as tcpdump collapses them: ` acked 1-3,5`. */
function ranges(p: Pkt, at: number, n: number, first: number, want: number, label: string) {
  let start = -2;
  let last = -2;
  let i = 0;
  for (; i < n; i++) {
    if (p.d[at + i] === want) {
      if (last === -2) {
        p.out += `${label} ${(first + i) >>> 0}`;
        start = i;
      } else if (last !== i - 1) {
        p.out += `,${(first + i) >>> 0}`;
        start = i;
      }
      last = i;
    } else if (last === i - 1 && start !== last) {
      p.out += `-${(first + i - 1) >>> 0}`;
    }
  }
  if (last === i - 1 && start !== last) p.out += `-${(first + i - 1) >>> 0}`;
}
