/**
 * IKEv2 payloads as tcpdump -v prints them (print-isakmp.c's ikev2_*_print): SA proposals and
 * transforms, key exchange, identities, authentication, nonces, notifications, vendor ids, and
 * the rest by length. The loop over payloads is isakmp.ts's.
 *
 * @module
 */
import {
  attrs,
  DH_GROUPS,
  ENCR_ATTRS,
  ESP_IDS,
  npName,
  NULL,
  protoName,
  raw,
  someData,
  strOrId,
} from "./ike.ts";
import type { Pkt } from "./printer.ts";
import { toks } from "./text.ts";

const T_TYPES = [null, "encr", "prf", "integ", "dh", "esn"];
const PRF_IDS = [null, "hmac-md5", "hmac-sha", "hmac-tiger", "aes128_xcbc"];
const INTEG_IDS = [null, "hmac-md5", "hmac-sha", "dec-mac", "kpdk-md5", "aes-xcbc"];
const ESN_IDS = ["no-esn", "esn"];
const AUTH_METHODS = ["invalid", "rsasig", "shared-secret", "dsssig"];

/** Notify types: name and whether tcpdump shows the SPI (`!` in front: it does not). */
const NOTIFIES = toks(
  "1=!unsupported_critical_payload|4=invalid_ike_spi|5=!invalid_major_version|" +
    "7=invalid_syntax|9=invalid_message_id|11=invalid_spi|14=no_protocol_chosen|" +
    "17=invalid_ke_payload|24=authentication_failed|34=single_pair_required|" +
    "35=!no_additional_sas|36=!internal_address_failure|37=!failed:cp_required|" +
    "39=!invalid_selectors|16384=!initial_contact|16385=!set_window_size|" +
    "16386=!additional_ts_possible|16387=!ipcomp_supported|16388=nat_detection_source_ip|" +
    "16389=nat_detection_destination_ip|16390=cookie|16391=!use_transport_mode|" +
    "16392=!http_cert_lookup_supported|16393=rekey_sa|16394=!tfc_padding_not_supported|" +
    "16395=!non_first_fragment_also",
);

/** tcpdump's ikev2_pay_print: `name:`, `name[C]:` when critical. */
function pay(p: Pkt, name: string, critical: number): void {
  p.out += `${name}${critical & 0x80 ? "[C]" : ""}:`;
}

/** A payload's truncation: ` [|name]`, and NULL. */
function cut(p: Pkt, tpay: number): number {
  p.out += ` [|${npName(tpay)}]`;
  return NULL;
}

/** A length that does not fit: ` [|name]`, and the rest of it skipped (`to`). */
function tooLong(p: Pkt, tpay: number, to: number): number {
  p.out += ` [|${npName(tpay)}]`;
  return to;
}

/** `len=N` and, at -vvv, the payload in hex (tcpdump's ikev2_gen_print). */
export function v2Generic(p: Pkt, tpay: number, ext: number, len: number): number {
  if (!p.has(ext, 4)) return cut(p, tpay);
  pay(p, npName(tpay), p.d[ext + 1]);
  p.out += ` len=${len - 4}`;
  if (p.verbosity > 2 && len > 4) {
    p.out += " ";
    if (!raw(p, ext + 4, len - 4)) return cut(p, tpay);
  }
  return ext + len;
}

function transform(p: Pkt, count: number, ext: number, len: number): number {
  if (!p.has(ext, 8)) return cut(p, 3);
  pay(p, npName(3), p.d[ext + 1]);
  const id = p.u16(ext + 6);
  const type = p.d[ext + 4];
  const ids = [null, ESP_IDS, PRF_IDS, INTEG_IDS, DH_GROUPS, ESN_IDS][type] ?? null;
  p.out += ` #${count} type=${strOrId(type, T_TYPES)} id=${ids ? strOrId(id, ids) : id} `;
  const cp = attrs(p, ext + 8, ext + len, type === 1 ? ENCR_ATTRS : null);
  return cp === NULL ? cut(p, 3) : cp;
}

/**
 * The items of a proposal or SA: each `(...)` on a line of its own at `depth`, printed by
 * `item`; a length that does not fit ends it as `[|name]`.
 */
function items(
  p: Pkt,
  cp: number,
  left: number,
  first: number,
  depth: number,
  tpay: number,
  item: (count: number, ext: number, len: number) => number,
): number {
  let count = 0;
  for (let np = first; np !== 0;) {
    count++;
    const ext = cp;
    if (left < 4) return tooLong(p, tpay, cp + left);
    if (!p.has(ext, 4)) return cut(p, tpay);
    const len = p.u16(ext + 2);
    if (len <= 4) return cut(p, tpay);
    if (left < len) return tooLong(p, tpay, cp + left);
    if (!p.has(cp, len)) return cut(p, tpay);
    p.out += `\n${"    ".repeat(depth + 1)}(`;
    if (np === first) {
      cp = item(count, ext, len);
      if (cp === NULL) return NULL;
    } else {
      p.out += npName(np);
      cp += len;
    }
    p.out += ")";
    left -= len;
    np = p.u8(ext);
  }
  return cp;
}

function proposal(p: Pkt, ext: number, len: number, depth: number): number {
  if (!p.has(ext, 8)) return cut(p, 2);
  pay(p, npName(2), p.d[ext + 1]);
  let left = len - 4;
  p.out += ` #${p.d[ext + 4]} protoid=${protoName(p.d[ext + 5])} transform=${p.d[ext + 7]}` +
    ` len=${len}`;
  let cp = ext + 8;
  const spi = p.d[ext + 6];
  if (spi) {
    if (left < spi) return tooLong(p, 2, cp + left);
    p.out += " spi=";
    if (!raw(p, cp, spi)) return cut(p, 2);
    cp += spi;
    left -= spi;
  }
  return items(p, cp, left, 3, depth, 2, (n, e, l) => transform(p, n, e, l));
}

/** The v2 payload printers by type (33-48, v2e aside), for isakmp.ts's loops. */
export function v2Payload(p: Pkt, tpay: number, ext: number, len: number, depth: number): number {
  switch (tpay) {
    case 33: {
      if (!p.has(ext, 4)) return cut(p, tpay);
      pay(p, "sa", p.d[ext + 1]);
      const sa = p.u16(ext + 2) - 4;
      p.out += ` len=${sa}`;
      return items(p, ext + 4, sa, 2, depth, tpay, (_n, e, l) => proposal(p, e, l, depth + 1));
    }
    case 34:
      if (!p.has(ext, 8)) return cut(p, tpay);
      pay(p, npName(tpay), p.d[ext + 1]);
      if (len < 8) {
        p.out += ` len=${len} < 8`;
        return ext + len;
      }
      p.out += ` len=${len - 8} group=${strOrId(p.u16(ext + 4), DH_GROUPS)}`;
      if (p.verbosity > 2 && len > 8) {
        p.out += " ";
        if (!raw(p, ext + 8, len - 8)) return cut(p, tpay);
      }
      return ext + len;
    case 35:
    case 36:
      return id(p, tpay, ext, len);
    case 39: {
      if (!p.has(ext, 8)) return cut(p, tpay);
      pay(p, npName(tpay), p.d[ext + 1]);
      p.out += ` len=${len - 4} method=${strOrId(p.d[ext + 4], AUTH_METHODS)}`;
      if (len > 4) {
        if (p.verbosity > 1) {
          p.out += " authdata=(";
          if (!raw(p, ext + 8, len - 8)) return cut(p, tpay);
          p.out += ") ";
        } else if (!someData(p, ext + 8)) return cut(p, tpay);
      }
      return ext + len;
    }
    case 40:
      if (!p.has(ext, 4)) return cut(p, tpay);
      pay(p, "nonce", p.d[ext + 1]);
      p.out += ` len=${len - 4}`;
      if (p.verbosity > 1 && len > 4) {
        p.out += " nonce=(";
        if (!raw(p, ext + 4, len - 4)) return cut(p, tpay);
        p.out += ") ";
      } else if (len > 4 && !someData(p, ext + 4)) return cut(p, tpay);
      return ext + len;
    case 41:
      return notify(p, ext, len);
    case 43: {
      if (!p.has(ext, 4)) return cut(p, tpay);
      pay(p, npName(tpay), p.d[ext + 1]);
      p.out += ` len=${len - 4} vid=`;
      if (!p.has(ext + 4, len - 4)) return cut(p, tpay);
      for (let i = 0; i < len - 4; i++) p.out += printable(p.d[ext + 4 + i]);
      if (p.verbosity > 2 && len - 4 > 4) {
        p.out += " ";
        if (!raw(p, ext + 4, len - 4)) return cut(p, tpay);
      }
      return ext + len;
    }
    case 46:
      if (!p.has(ext, 4)) return cut(p, tpay);
      pay(p, npName(tpay), p.d[ext + 1]);
      p.out += ` len=${len - 4}`;
      if (p.verbosity > 2 && len - 4 > 4) {
        p.out += " ";
        if (!raw(p, ext + 4, len - 4)) return cut(p, tpay);
      }
      if (!p.has(ext + 4, len - 4)) return cut(p, tpay);
      // The encrypted payload is last: what follows is inside it.
      return NULL;
    default:
      return v2Generic(p, tpay, ext, len);
  }
}

function printable(c: number): string {
  return c >= 0x20 && c <= 0x7e ? String.fromCharCode(c) : ".";
}

function id(p: Pkt, tpay: number, ext: number, len: number): number {
  if (!p.has(ext, 8)) return cut(p, tpay);
  pay(p, npName(tpay), p.d[ext + 1]);
  p.out += ` len=${len - 4}`;
  if (p.verbosity > 2 && len > 4) {
    p.out += " ";
    if (!raw(p, ext + 4, len - 4)) return cut(p, tpay);
  }
  const n = (len - 8) >>> 0;
  const kind =
    [null, "ipv4", "fqdn", "rfc822", null, "ipv6", null, null, null, "dn", "gn", "keyid"][
      p.d[ext + 4]
    ];
  if (!kind) return ext + len;
  p.out += ` ${kind}:`;
  if (kind === "fqdn" || kind === "rfc822") {
    if (!p.has(ext + 8, n)) return cut(p, tpay);
    for (let i = 0; i < n; i++) p.out += printable(p.d[ext + 8 + i]);
  } else if (!raw(p, ext + 8, n)) return cut(p, tpay);
  return ext + len;
}

function notify(p: Pkt, ext: number, len: number): number {
  if (!p.has(ext, 8)) return cut(p, 11);
  pay(p, npName(11), p.d[ext + 1]);
  p.out += ` prot_id=${protoName(p.d[ext + 4])}`;
  const type = p.u16(ext + 6);
  let name = NOTIFIES[type];
  let showSpi = true;
  if (name?.startsWith("!")) {
    name = name.slice(1);
    showSpi = false;
  }
  name ??= type < 8192
    ? "error"
    : type < 16384
    ? "private-error"
    : type < 40960
    ? "status"
    : "private-status";
  const someDataToo = type === 16390;
  p.out += ` type=${type}(${name})`;
  const spi = p.d[ext + 5];
  if (showSpi && spi) {
    p.out += " spi=";
    if (!raw(p, ext + 8, spi)) return cut(p, 11);
  }
  const cp = ext + 8 + spi;
  if (cp < p.end) {
    if (p.verbosity > 3 || (someDataToo && p.end - cp < 30)) {
      p.out += " data=(";
      if (!raw(p, cp, p.end - cp)) return cut(p, 11);
      p.out += ")";
    } else if (someDataToo && !someData(p, cp)) return cut(p, 11);
  }
  return ext + len;
}
