/**
 * The strict differential harness: `tcpdump -n -r FILE [flags]` (4.99) beside xskdump's decoder
 * on every record of every file of the corpus. A record agrees only when its whole text is
 * identical: the line and, for the flags that print them, its continuation lines.
 *
 * Timestamps: both sides are compared twice, as the whole record (timestamp included, in
 * one time zone) and as the text after the timestamp (the default timestamp, "HH:MM:SS.frac " or tcpdump's
 * "[Error converting time] ", stripped the same way from both). The second is the protocol
 * decoder's own rate; the first is what a user sees.
 *
 * Records are grouped by a protocol key read from the frame's bytes here, independently of the
 * decoder (so a decoder bug cannot move a record to another group): the ethertype or LLC SAP,
 * then the IP protocol, then a well-known port (`UDP/DNS`, `TCP/BGP`).
 *
 * Also a script: `deno run -A tests/unit/tcpdump_diff.ts [-v|-e|-S ...] [--show KEY] [FILE...]`
 * prints the table (and with --show, the differing records of one key, or of ALL);
 * `--floors` prints the floors decode_corpus_test.ts holds, as measured now.
 *
 * @module
 */
import { Decoder, type DecoderOptions, TIMESTAMP_FORMATS } from "../../lib/decode/decode.ts";
import { dumpsWholeFrame, hexDump, type HexOptions } from "../../lib/decode/hexdump.ts";
import { captureRecords } from "../../lib/formats/pcapng_reader.ts";

export const CORPUS = Deno.env.get("XSKDUMP_CORPUS") ??
  new URL("../../../shared/corpus/tcpdump/", import.meta.url).pathname;

/** The flag sets the issue measures, as tcpdump takes them (xskdump takes the same). */
export const FLAG_SETS: Record<string, string[]> = {
  default: [],
  "-v": ["-v"],
  "-e": ["-e"],
  "-S": ["-S"],
};

/** Every capture file of the corpus, sorted. */
export function corpusFiles(dir = CORPUS): string[] {
  try {
    return [...Deno.readDirSync(dir)].map((e) => e.name)
      .filter((n) => /\.(pcap|pcapng)$/.test(n)).sort()
      .map((n) => `${dir.replace(/\/$/, "")}/${n}`);
  } catch {
    return [];
  }
}

/** tcpdump's version line, or null when it cannot be run. */
export function tcpdumpVersion(): string | null {
  try {
    const out = new Deno.Command("tcpdump", {
      args: ["--version"],
      stdout: "piped",
      stderr: "null",
    }).outputSync();
    return new TextDecoder().decode(out.stdout).split("\n")[0];
  } catch {
    return null;
  }
}

/** Whether the tcpdump here is the 4.99 series the decoder follows. */
export function haveTcpdump499(): boolean {
  return tcpdumpVersion()?.startsWith("tcpdump version 4.99.") === true;
}

const TIME = /^(\d\d:\d\d:\d\d\.\d+|\[Error converting time\]) /;

/**
 * tcpdump's text per record of a file: a record starts with its timestamp (the default format),
 * continuation lines (which start with white space or a tab, or are empty) are joined to it
 * with "\n". tcpdump
 * runs in this process's time zone (TZ), as the decoder does.
 */
export function tcpdumpRecords(path: string, flags: string[]): string[] {
  const out = new Deno.Command("tcpdump", {
    args: ["-n", ...flags, "-r", path],
    stdout: "piped",
    stderr: "null",
  }).outputSync();
  const records: string[] = [];
  const text = new TextDecoder().decode(out.stdout);
  const lines = text.split("\n");
  // The text after the last newline is not a line.
  lines.pop();
  for (const l of lines) {
    if (TIME.test(l)) records.push(l);
    // An empty line is a record's text ending in a newline (some printers end so): kept.
    else if (records.length > 0) records[records.length - 1] += "\n" + l;
  }
  return records;
}

/** A record's text after its timestamp (the same cut on both sides). */
export function afterTimestamp(record: string): string {
  const m = TIME.exec(record);
  return m ? record.slice(m[0].length) : record;
}

/** A record's timestamp ("" when it has none). */
export function timestampOf(record: string): string {
  return TIME.exec(record)?.[1] ?? "";
}

/** One record as read from a file. */
export interface FileRecord {
  data: Uint8Array;
  origLen: number;
  sec: number;
  nsec: number;
}

/** Every record of a capture file (pcap or pcapng), up to the first error. */
export function fileRecords(path: string): FileRecord[] {
  const out: FileRecord[] = [];
  try {
    for (const r of captureRecords(Deno.readFileSync(path))) out.push(r);
  } catch {
    // A truncated file: tcpdump stops at the same record.
  }
  return out;
}

/**
 * xskdump's text for every record of a file with these tcpdump flags (-v, -e and -S), as
 * `xskdump -n -r FILE` prints it.
 */
export type FileDecoder = (records: FileRecord[], flags: string[]) => string[];

/** How often a one-letter flag is given (`-v -v`, `-vv`). */
function flagCount(flags: string[], letter: string): number {
  return flags.reduce((n, f) => n + (new RegExp(`^-${letter}+$`).test(f) ? f.length - 1 : 0), 0);
}

/** The decoder options of tcpdump flags: -e, -v (to -vvv), -q, -S, -t to -ttttt, --nano. */
export function decoderOptions(flags: string[]): DecoderOptions {
  const t = flags.find((f) => /^-t+$/.test(f));
  return {
    link: flags.includes("-e"),
    verbose: flagCount(flags, "v") > 0,
    verbosity: flagCount(flags, "v"),
    quiet: flagCount(flags, "q"),
    absoluteSeq: flags.includes("-S"),
    timestamps: t === undefined ? "time" : TIMESTAMP_FORMATS[t.length - 1],
    precision: flags.includes("--nano") ? "nano" : "micro",
    // tcpdump dumps nothing of its own (an unknown payload) when it dumps every packet.
    undecodedHex: hexOptions(flags) === null,
  };
}

/** The hex dump of -x, -xx, -X or -XX, or null. */
function hexOptions(flags: string[]): HexOptions | null {
  const x = flags.find((f) => /^-(x+|X+)$/.test(f));
  return x === undefined ? null : { level: Math.min(2, x.length - 1), ascii: x[1] === "X" };
}

/** The decoder as the CLI runs it: one {@link Decoder} per file, and the hex dump it adds. */
export const xskdumpDecoder: FileDecoder = (records, flags) => {
  const decoder = new Decoder(decoderOptions(flags));
  const hex = hexOptions(flags);
  return records.map((r) => {
    const line = decoder.line(r.sec, r.nsec, r.data, r.origLen);
    if (hex === null) return line;
    return line + hexDump(r.data, hex, dumpsWholeFrame(line, r.data, decoder.gaveUp));
  });
};

// ---------------------------------------------------------------------------------------------
// Protocol keys, from the bytes

const ETHERTYPE_KEYS: Record<number, string> = {
  0x0806: "ARP",
  0x8035: "RARP",
  0x8847: "MPLS",
  0x8848: "MPLS",
  0x8863: "PPPoE-D",
  0x8864: "PPPoE-S",
  0x880b: "PPP",
  0x88cc: "LLDP",
  0x888e: "EAPOL",
  0x8809: "Slow (LACP)",
  0x88e5: "MACsec",
  0x88f7: "PTP",
  0x8137: "IPX",
  0x9000: "Loopback",
  0x8902: "CFM",
  0x88a2: "AoE",
  0x6003: "DECnet",
  0x6004: "LAT",
  0x0707: "GeoNet",
  0x8947: "GeoNet",
  0x894f: "NSH",
  0x6558: "TEB",
  0x8808: "MPCP",
  0x22e9: "DCBX/CFM",
  0x8940: "EVB",
  0x88b5: "local-exp",
};

const IP_PROTO_KEYS: Record<number, string> = {
  1: "ICMP",
  2: "IGMP",
  4: "IP-in-IP",
  33: "DCCP",
  41: "IPv6-in-IP",
  46: "RSVP",
  47: "GRE",
  50: "ESP",
  51: "AH",
  58: "ICMPv6",
  59: "no-next-header",
  88: "EIGRP",
  89: "OSPF",
  103: "PIM",
  112: "VRRP",
  113: "PGM",
  132: "SCTP",
};

const UDP_PORTS: Record<number, string> = {
  53: "DNS",
  5353: "mDNS",
  5355: "LLMNR",
  67: "DHCP",
  68: "DHCP",
  546: "DHCPv6",
  547: "DHCPv6",
  123: "NTP",
  161: "SNMP",
  162: "SNMP",
  514: "syslog",
  69: "TFTP",
  1645: "RADIUS",
  1646: "RADIUS",
  1700: "RADIUS",
  1812: "RADIUS",
  1813: "RADIUS",
  3799: "RADIUS",
  500: "ISAKMP",
  4500: "ISAKMP",
  443: "QUIC",
  5060: "SIP",
  4789: "VXLAN",
  4790: "VXLAN-GPE",
  6081: "Geneve",
  3784: "BFD",
  3785: "BFD",
  4784: "BFD",
  7784: "BFD",
  520: "RIP",
  521: "RIPng",
  137: "NetBIOS",
  138: "NetBIOS",
  319: "PTP",
  320: "PTP",
  6343: "sFlow",
  2055: "cflow",
  6696: "Babel",
  8231: "HNCP",
  1985: "HSRP",
  698: "OLSR",
  654: "AODV",
  4341: "LISP",
  4342: "LISP",
  6635: "MPLS-in-UDP",
  646: "LDP",
  701: "LMP",
  7000: "AFS",
  7001: "AFS",
  7002: "AFS",
  7003: "AFS",
  7004: "AFS",
  7005: "AFS",
  7006: "AFS",
  7007: "AFS",
  7008: "AFS",
  7009: "AFS",
  12222: "LWAPP",
  12223: "LWAPP",
  30490: "SOME/IP",
  921: "LWRES",
  2152: "GTP",
  2123: "GTP",
  1701: "L2TP",
  3503: "LSP-ping",
  8053: "DNS-8053",
};

const TCP_PORTS: Record<number, string> = {
  179: "BGP",
  80: "HTTP",
  8080: "HTTP",
  53: "DNS",
  8053: "DNS-8053",
  22: "SSH",
  21: "FTP",
  23: "telnet",
  25: "SMTP",
  139: "SMB",
  445: "SMB",
  646: "LDP",
  1723: "PPTP",
  6633: "OpenFlow",
  6653: "OpenFlow",
  323: "RPKI-RTR",
  43: "WHOIS",
  5060: "SIP",
  2049: "NFS",
  111: "RPC",
  443: "TLS",
  110: "POP3",
  143: "IMAP",
};

function u16(d: Uint8Array, i: number): number {
  return i + 2 <= d.length ? (d[i] << 8) | d[i + 1] : -1;
}

function portKey(base: string, table: Record<number, string>, d: Uint8Array, at: number): string {
  const sport = u16(d, at);
  const dport = u16(d, at + 2);
  if (sport < 0 || dport < 0) return base;
  const app = table[dport] || table[sport];
  return app ? `${base}/${app}` : base;
}

function ipProtoKey(proto: number, d: Uint8Array, at: number): string {
  if (proto === 6) return portKey("TCP", TCP_PORTS, d, at);
  if (proto === 17) return portKey("UDP", UDP_PORTS, d, at);
  if (proto === 58 && at < d.length && d[at] >= 133 && d[at] <= 137) return "ICMPv6/ND";
  return IP_PROTO_KEYS[proto] ?? `ip-proto-${proto}`;
}

function ip4Key(d: Uint8Array, at: number): string {
  if (at + 20 > d.length) return "IPv4";
  if ((d[at] >> 4) !== 4) return "IPv4";
  if ((u16(d, at + 6) & 0x1fff) !== 0) return "IPv4 fragment";
  return ipProtoKey(d[at + 9], d, at + (d[at] & 0x0f) * 4);
}

function ip6Key(d: Uint8Array, at: number): string {
  if (at + 40 > d.length) return "IPv6";
  let nh = d[at + 6];
  let cp = at + 40;
  for (let n = 0; n < 8 && cp + 8 <= d.length; n++) {
    if (nh === 0 || nh === 43 || nh === 60) {
      nh = d[cp];
      cp += (d[cp + 1] + 1) * 8;
    } else if (nh === 44) {
      if ((u16(d, cp + 2) & 0xfff8) !== 0) return "IPv6 fragment";
      nh = d[cp];
      cp += 8;
    } else {
      break;
    }
  }
  return ipProtoKey(nh, d, cp);
}

function etherTypeKey(type: number, d: Uint8Array, at: number): string {
  if (type === 0x0800) return ip4Key(d, at);
  if (type === 0x86dd) return ip6Key(d, at);
  return ETHERTYPE_KEYS[type] ?? `ethertype 0x${type.toString(16).padStart(4, "0")}`;
}

function llcKey(d: Uint8Array, at: number): string {
  if (at + 3 > d.length) return "LLC";
  const dsap = d[at];
  const ssap = d[at + 1];
  if (dsap === 0xff && ssap === 0xff) return "IPX";
  if (dsap === 0x42) return "STP";
  if (dsap === 0xe0) return "IPX";
  if (dsap === 0xf0) return "NetBIOS";
  if (dsap === 0xfe) return at + 3 < d.length && d[at + 3] === 0x83 ? "IS-IS" : "OSI";
  if (dsap === 0xaa && at + 8 <= d.length) {
    const oui = (d[at + 3] << 16) | (d[at + 4] << 8) | d[at + 5];
    const pid = u16(d, at + 6);
    if (oui === 0) return etherTypeKey(pid, d, at + 8);
    if (oui === 0x00000c) {
      const cisco: Record<number, string> = {
        0x2000: "CDP",
        0x2004: "DTP",
        0x0111: "UDLD",
        0x010b: "STP",
        0x2003: "VTP",
      };
      return cisco[pid] ?? "SNAP";
    }
    return "SNAP";
  }
  return "LLC";
}

/** The protocol key of an Ethernet frame (see the module comment). */
export function protocolKey(d: Uint8Array): string {
  if (d.length < 14) return "short frame";
  let type = u16(d, 12);
  let at = 14;
  while (type === 0x8100 || type === 0x88a8 || type === 0x9100 || type === 0x9200) {
    if (at + 4 > d.length) return "VLAN";
    type = u16(d, at + 2);
    at += 4;
  }
  return type <= 1500 ? llcKey(d, at) : etherTypeKey(type, d, at);
}

// ---------------------------------------------------------------------------------------------
// The lenient categories: a breakdown of the records that differ, never agreement

/**
 * Whether our line is the fallback for a protocol the decoder only names (tcpdump decodes
 * further). Never true for the ethertypes and IP protocols decoded, so a regression into the
 * fallback still counts as a mismatch.
 */
function undecoded(ours: string): boolean {
  const eth = /ethertype [^,]*\(0x([0-9a-f]{4})\), (length \d+: )?$/.exec(ours);
  if (eth) {
    return !["0800", "86dd", "0806", "8035", "8100", "88a8", "9100", "9200"].includes(eth[1]);
  }
  if (/802\.3(, length \d+)?$/.test(ours)) return true; // LLC frames
  const ip = / ip-proto-(\d+) \d+$/.exec(ours);
  if (ip) return ![1, 4, 6, 17, 41, 58, 59].includes(Number(ip[1]));
  // What GRE carries and is not decoded (PPP in GRE version 1 needs the PPP printer).
  const gre = /gre-proto-0x([0-9a-f]+)$/.exec(ours);
  if (gre) return !["800", "86dd", "6558", "8847"].includes(gre[1]);
  return /ICMP6, (RPL|router renumbering|who-are-you request|who-are-you reply), length \d+$/
    .test(ours);
}

/** How a record differs (or "exact"): the breakdown the strict rate is printed with. */
export type Category = "exact" | "firstLine" | "appDecode" | "undecoded" | "mismatch";

/**
 * Sorts a difference between our text and tcpdump's (timestamps removed): tcpdump's first line
 * is ours and it goes on with a hex dump (firstLine); it goes on with an application decode
 * after a TCP summary or in place of "UDP, length N" (appDecode); ours is the fallback of a
 * protocol only named (undecoded); anything else is a mismatch.
 */
export function lenientCategory(ours: string, theirs: string): Category {
  if (ours === theirs) return "exact";
  const first = theirs.split("\n")[0];
  if (ours === first) return "firstLine";
  if (/Flags \[.*, length \d+$/.test(ours) && first.startsWith(ours)) {
    if (!/^\d/.test(first.slice(ours.length))) return "appDecode";
  }
  const udp = /^(.*?)UDP, (bad )?length \d+( > \d+)?$/.exec(ours);
  if (udp && first.startsWith(udp[1]) && !first.slice(udp[1].length).startsWith("UDP, ")) {
    return "appDecode";
  }
  // Our fallback's first line, before the hex dump of what it does not decode.
  if (undecoded(ours.split("\n")[0])) return "undecoded";
  return "mismatch";
}

// ---------------------------------------------------------------------------------------------
// Running

/** Counts of one protocol key (or of all). */
export interface Count {
  records: number;
  /** The whole record identical, timestamp included. */
  identical: number;
  /** Identical after the timestamp. */
  identicalText: number;
}

/** One record that differs, for the report. */
export interface Difference {
  where: string;
  key: string;
  ours: string;
  theirs: string;
}

/** Result of one flag set over the files. */
export interface Tally {
  flags: string[];
  total: Count;
  byKey: Record<string, Count>;
  differences: Difference[];
  /** Files where tcpdump printed another number of records than the file holds. */
  countMismatch: string[];
  /** The records that differ, by {@link lenientCategory}. */
  breakdown: Record<Category, number>;
  /** Records whose timestamps differ (whatever their text). */
  timestampsDiffer: string[];
}

/** Runs one flag set over the files. */
export function differential(files: string[], flags: string[], decoder = xskdumpDecoder): Tally {
  const tally: Tally = {
    flags,
    total: { records: 0, identical: 0, identicalText: 0 },
    byKey: {},
    differences: [],
    countMismatch: [],
    breakdown: { exact: 0, firstLine: 0, appDecode: 0, undecoded: 0, mismatch: 0 },
    timestampsDiffer: [],
  };
  for (const path of files) {
    const records = fileRecords(path);
    const theirs = tcpdumpRecords(path, flags);
    const ours = decoder(records, flags);
    if (theirs.length !== records.length) tally.countMismatch.push(path);
    const n = Math.min(theirs.length, records.length);
    for (let i = 0; i < n; i++) {
      const key = protocolKey(records[i].data);
      const c = tally.byKey[key] ??= { records: 0, identical: 0, identicalText: 0 };
      c.records++;
      tally.total.records++;
      if (ours[i] === theirs[i]) {
        c.identical++;
        tally.total.identical++;
      }
      if (timestampOf(ours[i]) !== timestampOf(theirs[i])) {
        tally.timestampsDiffer.push(
          `${path.replace(/.*\//, "")}#${i + 1}: ${timestampOf(ours[i])} ${timestampOf(theirs[i])}`,
        );
      }
      const o = afterTimestamp(ours[i]);
      const t = afterTimestamp(theirs[i]);
      if (o === t) {
        c.identicalText++;
        tally.total.identicalText++;
      } else {
        tally.breakdown[lenientCategory(o, t)]++;
        tally.differences.push({
          where: `${path.replace(/.*\//, "")}#${i + 1}`,
          key,
          ours: o,
          theirs: t,
        });
      }
    }
  }
  return tally;
}

function pct(n: number, d: number): string {
  return d === 0 ? "-" : `${(100 * n / d).toFixed(1)}%`;
}

/**
 * The table of several flag sets: one row per protocol key (most records first), the identical
 * rate after the timestamp per flag set, and the whole-record rate of the first set.
 */
export function report(tallies: Tally[]): string {
  const keys = new Set<string>();
  for (const t of tallies) for (const k of Object.keys(t.byKey)) keys.add(k);
  const first = tallies[0];
  const rows = [...keys].sort((a, b) =>
    (first.byKey[b]?.records ?? 0) - (first.byKey[a]?.records ?? 0) || (a < b ? -1 : 1)
  );
  const head = ["protocol".padEnd(18), "records".padStart(7)];
  for (const t of tallies) head.push((t.flags.join(" ") || "default").padStart(16));
  head.push("whole(default)".padStart(16));
  const lines = [head.join(" ")];
  const row = (name: string, get: (t: Tally) => Count | undefined) => {
    const cells = [name.padEnd(18), String(get(first)?.records ?? 0).padStart(7)];
    for (const t of tallies) {
      const c = get(t);
      cells.push(`${c?.identicalText ?? 0} ${pct(c?.identicalText ?? 0, c?.records ?? 0)}`
        .padStart(16));
    }
    const c = get(first);
    cells.push(`${c?.identical ?? 0} ${pct(c?.identical ?? 0, c?.records ?? 0)}`.padStart(16));
    lines.push(cells.join(" "));
  };
  for (const k of rows) row(k, (t) => t.byKey[k]);
  row("ALL", (t) => t.total);
  return lines.join("\n");
}

/** The measured counts as decode_corpus_test.ts writes its floors. */
function floors(tallies: Tally[]): string {
  const keys = new Set<string>();
  for (const t of tallies) {
    for (const [k, c] of Object.entries(t.byKey)) if (c.identicalText > 0) keys.add(k);
  }
  const lines = [
    `const FLOOR = { ${
      tallies.map((t) => `"${t.flags.join(" ") || "default"}": ${t.total.identicalText}`).join(", ")
    } };`,
    `const WHOLE_FLOOR = { ${
      tallies.map((t) => `"${t.flags.join(" ") || "default"}": ${t.total.identical}`).join(", ")
    } };`,
    "const KEY_FLOOR = {",
  ];
  for (const k of [...keys].sort()) {
    lines.push(`  "${k}": [${tallies.map((t) => t.byKey[k]?.identicalText ?? 0).join(", ")}],`);
  }
  lines.push("};");
  return lines.join("\n");
}

if (import.meta.main) {
  const args = [...Deno.args];
  const wantFloors = args.includes("--floors");
  if (wantFloors) args.splice(args.indexOf("--floors"), 1);
  let show: string | undefined;
  const i = args.indexOf("--show");
  if (i >= 0) {
    show = args[i + 1];
    args.splice(i, 2);
  }
  const flags = args.filter((a) => a.startsWith("-"));
  const named = args.filter((a) => !a.startsWith("-"));
  const files = named.length ? named : corpusFiles();
  const sets = flags.length ? [flags] : Object.values(FLAG_SETS);
  const tallies = sets.map((f) => differential(files, f));
  console.log(wantFloors ? floors(tallies) : report(tallies));
  for (const t of tallies) {
    console.log(`${t.flags.join(" ") || "default"}: differing records by kind:`, t.breakdown);
    if (t.countMismatch.length) console.log(`record counts differ: ${t.countMismatch.join(" ")}`);
    if (show === undefined) continue;
    for (const d of t.differences) {
      if (show !== "ALL" && d.key !== show) continue;
      console.log(
        `${t.flags.join(" ")} ${d.where} [${d.key}]\n  ours:    ${
          d.ours.replaceAll("\n", "\n           ")
        }\n  tcpdump: ${d.theirs.replaceAll("\n", "\n           ")}`,
      );
    }
  }
}
