/**
 * What the bench can run: the traffic profiles, the generators, the capture tools (one row
 * each), and `BENCH_ROWS`, which picks some of them. Pure: no process, no host.
 * @module
 */

export interface Profile {
  id: string;
  label: string;
  /** Frame lengths without FCS, sent round robin. */
  frames: number[];
  /** The MTU of both veth ends for it (default 1500). */
  mtu?: number;
  /** The only generators (ids) that can send it; default every one. */
  generators?: string[];
  /** The only tools (ids) it runs with; default every one. */
  tools?: string[];
  /** A TCP stream of this many bytes instead of frames (the `tcp` generator sends it). */
  streamBytes?: number;
}

/**
 * The TCP row's tools (issue 17): xskdump in generic mode with multi-buffer on and off, beside
 * tcpdump, on the copies of a TCP bulk transfer with GRO on at the captured veth.
 */
export const TCP_TOOLS = ["xskdump-tmpfs-generic", "xskdump-nosg-tmpfs-generic", "tcpdump"];

/**
 * The jumbo mix's tools: xskdump to tmpfs with multi-buffer (SG) on, natively and in generic
 * mode, and off in generic mode (natively veth refuses a program without frags at MTU 9000),
 * beside tcpdump.
 */
export const JUMBO_TOOLS = [
  "xskdump-tmpfs-native",
  "xskdump-tmpfs-generic",
  "xskdump-nosg-tmpfs-generic",
  "tcpdump",
];

export const PROFILES: Profile[] = [
  { id: "udp64", label: "64-byte UDP frames (60 B + FCS)", frames: [60] },
  {
    id: "mix",
    label: "1500-byte mix: 60, 590, 1514, 1514 B round robin (avg 920 B)",
    frames: [60, 590, 1514, 1514],
  },
  // xdp_gen cannot send frames bigger than a page (the kernel refuses live frames for them).
  {
    id: "jumbo",
    label: "9000-byte MTU mix: 60, 1514, 9014, 9014 B round robin (avg 4900 B)",
    frames: [60, 1514, 9014, 9014],
    mtu: 9000,
    generators: ["trafgen"],
    tools: JUMBO_TOOLS,
  },
  // A bounded bulk transfer (testbed/tcp_stream.ts): TSO at the sender, GRO at the receiver.
  {
    id: "tcp-gro",
    label: "a 20 MiB TCP bulk transfer, TSO at the sender, GRO on at the captured veth",
    frames: [],
    generators: ["tcp"],
    tools: TCP_TOOLS,
    streamBytes: 20 << 20,
  },
];

export interface Generator {
  id: string;
  label: string;
  /**
   * xdp_gen (bench/xdp_gen.c: XDP live frames), trafgen (PF_PACKET TX ring), or a TCP client
   * and server (the stream of a profile with `streamBytes`).
   */
  kind: "xdpgen" | "trafgen" | "tcp";
  /** Packets per second, or undefined for full speed. */
  rate?: number;
  /** The only profiles (ids) it sends; default every one that takes it. */
  profiles?: string[];
}

/**
 * Full speed, one CPU each: xdp_gen offers ~12 Mpps of udp64 here, trafgen ~0.6; the TCP
 * stream's sender and receiver share the generators' CPU.
 */
export const GENERATORS: Generator[] = [
  { id: "xdpgen", label: "xdp_gen (XDP live frames), 1 CPU, full speed", kind: "xdpgen" },
  { id: "trafgen", label: "trafgen --cpus 1, full speed", kind: "trafgen" },
  {
    id: "tcp",
    label: "a Deno TCP client and server, one stream, as fast as TCP goes",
    kind: "tcp",
    profiles: ["tcp-gro"],
  },
];

/** xdp_gen at a fixed rate (the sweep, the soak). */
export function ratedGenerator(rate: number, id = `rate${rate / 1000}k`): Generator {
  return { id, label: `xdp_gen -r ${rate}`, kind: "xdpgen", rate };
}

export type ToolKind = "sink" | "limit" | "xskdump" | "tap" | "tcpdump" | "xdpdump";
export type Mode = "native" | "generic";
export type OutputKind = "none" | "null" | "tmpfs" | "disk";

export interface Tool {
  id: string;
  kind: ToolKind;
  label: string;
  mode?: Mode;
  output: OutputKind;
  /** RX queues the veth has and the tool captures (all of them); 1 unless said. */
  queues: number;
  /** Environment for the tool (a tap's incoming hook at tc: XSKDUMP_TAP_IN=tc). */
  env?: Record<string, string>;
  /** More arguments for xskdump (a tap with --attribute). */
  args?: string[];
  /** The only profiles (ids) it runs on; default every one that takes it. */
  profiles?: string[];
}

function tool(
  id: string,
  kind: ToolKind,
  label: string,
  output: OutputKind,
  mode?: Mode,
  queues = 1,
): Tool {
  return { id, kind, label, mode, output, queues };
}

export const ALL_TOOLS: Tool[] = [
  tool("sink-native", "sink", "XDP drop sink (native)", "none", "native"),
  tool("sink-generic", "sink", "XDP drop sink (generic)", "none", "generic"),
  tool("limit-native", "limit", "C limit rx-drop (native)", "none", "native"),
  tool("limit-generic", "limit", "C limit rx-drop (generic)", "none", "generic"),
  tool("limit-spin-native", "limit", "C limit rx-drop, spinning (native)", "none", "native"),
  tool("limit-nap-native", "limit", "C limit rx-drop, 1 ms naps (native)", "none", "native"),
  tool("limit-w-native", "limit", "C copy+write pcap, tmpfs (native)", "tmpfs", "native"),
  tool("xskdump-null-native", "xskdump", "xskdump -w /dev/null (native)", "null", "native"),
  tool("xskdump-null-generic", "xskdump", "xskdump -w /dev/null (generic)", "null", "generic"),
  tool("xskdump-tmpfs-native", "xskdump", "xskdump -w tmpfs (native)", "tmpfs", "native"),
  tool("xskdump-tmpfs-generic", "xskdump", "xskdump -w tmpfs (generic)", "tmpfs", "generic"),
  tool(
    "xskdump-q4-tmpfs-native",
    "xskdump",
    "4 queues: --queue all -w tmpfs",
    "tmpfs",
    "native",
    4,
  ),
  tool("xskdump-disk-native", "xskdump", "xskdump -w disk (native)", "disk", "native"),
  // Multi-buffer off (the shim reads XSKDUMP_MULTI_BUFFER): what is bigger than a frame drops.
  {
    ...tool(
      "xskdump-nosg-tmpfs-generic",
      "xskdump",
      "xskdump -w tmpfs, XSKDUMP_MULTI_BUFFER=off (generic)",
      "tmpfs",
      "generic",
    ),
    env: { XSKDUMP_MULTI_BUFFER: "off" },
    profiles: ["jumbo", "tcp-gro"],
  },
  // Tap mode: every packet goes on to the stack (whose receive counts as `stackPps`).
  tool("tap-native", "tap", "xskdump --tap -w tmpfs (incoming at XDP native)", "tmpfs", "native"),
  tool(
    "tap-generic",
    "tap",
    "xskdump --tap -w tmpfs (incoming at XDP generic)",
    "tmpfs",
    "generic",
  ),
  {
    ...tool("tap-tc", "tap", "xskdump --tap -w tmpfs (incoming at tc ingress, tcx)", "tmpfs"),
    env: { XSKDUMP_TAP_IN: "tc" },
  },
  // The same with process attribution (issue 20): the socket lookup per packet, 40 more bytes
  // per record; against tap-native and tap-tc of the same run (target: within 10%).
  {
    ...tool(
      "tap-attr-native",
      "tap",
      "xskdump --tap --attribute -w tmpfs (incoming at XDP native)",
      "tmpfs",
      "native",
    ),
    args: ["--attribute"],
  },
  {
    ...tool(
      "tap-attr-tc",
      "tap",
      "xskdump --tap --attribute -w tmpfs (incoming at tc ingress, tcx)",
      "tmpfs",
    ),
    env: { XSKDUMP_TAP_IN: "tc" },
    args: ["--attribute"],
  },
  tool("tcpdump", "tcpdump", "tcpdump -w tmpfs (AF_PACKET)", "tmpfs"),
  tool("tcpdump-disk", "tcpdump", "tcpdump -w disk (AF_PACKET)", "disk"),
  tool("xdpdump", "xdpdump", "xdpdump -w tmpfs (native)", "tmpfs", "native"),
];

/**
 * The tools of the rate sweep: the sink (the testbed's own loss floor), the C limit, xskdump to
 * a file in both modes, the tap, tcpdump and xdpdump.
 */
export const SWEEP_TOOLS = [
  "sink-native",
  "limit-nap-native",
  "xskdump-tmpfs-native",
  "xskdump-tmpfs-generic",
  "tap-native",
  "tcpdump",
  "xdpdump",
];

/** The C limit variants: "the limit" of a cell is the best of those in the same mode. */
export const LIMITS: Record<Mode, string[]> = {
  native: ["limit-native", "limit-spin-native", "limit-nap-native"],
  generic: ["limit-generic"],
};

/** One row of the matrix: a tool on a profile from a generator. */
export interface Row {
  tool: Tool;
  profile: Profile;
  gen: Generator;
}

/** Names that match a row part: an id, or an id prefix that ends where a `-` does. */
function matching<T extends { id: string }>(all: T[], names: string[], what: string): T[] {
  const bad = names.filter((n) => !all.some((x) => x.id === n || x.id.startsWith(`${n}-`)));
  if (bad.length) {
    throw new Error(
      `BENCH_ROWS: no ${what} ${bad.join(", ")} (${what}s: ${all.map((x) => x.id).join(", ")})`,
    );
  }
  return all.filter((x) => names.some((n) => x.id === n || x.id.startsWith(`${n}-`)));
}

/** BENCH_ROWS's name of the decode row (bench/decode.ts), which is no tool of the matrix. */
export const DECODE_ROW = "decode";

/** Whether BENCH_ROWS asks for the decode row (unset or empty: every row, that one too). */
export function selectsDecode(spec: string | undefined): boolean {
  const groups = (spec ?? "").split(/[;\s]+/).filter(Boolean);
  return groups.length === 0 || groups.includes(DECODE_ROW);
}

/**
 * The matrix rows BENCH_ROWS selects, in the catalog's order: `TOOLS[:PROFILES[:GENERATORS]]`,
 * several joined by `;` or spaces; each part a comma list (a tool id, or a prefix of ids up to a
 * `-`: `xskdump` is every xskdump row), a part left out meaning all. Unset or empty: every row.
 * The group `decode` names the decode row instead (see {@link selectsDecode}).
 */
export function selectRows(spec: string | undefined, tools: Tool[] = ALL_TOOLS): Row[] {
  const named = (spec ?? "").split(/[;\s]+/).filter(Boolean);
  const groups = named.filter((g) => g !== DECODE_ROW)
    .map((g) => g.split(":").map((p) => p.split(",").filter(Boolean)));
  if (named.length > 0 && groups.length === 0) return []; // the decode row alone
  if (groups.length === 0) groups.push([]);
  const picked = new Set<string>();
  for (const [t, p, g, ...rest] of groups) {
    if (rest.length) throw new Error(`BENCH_ROWS: more than TOOLS:PROFILES:GENERATORS in a group`);
    for (const tool of t?.length ? matching(tools, t, "tool") : tools) {
      for (const profile of p?.length ? matching(PROFILES, p, "profile") : PROFILES) {
        for (const gen of g?.length ? matching(GENERATORS, g, "generator") : GENERATORS) {
          picked.add(`${tool.id}|${profile.id}|${gen.id}`);
        }
      }
    }
  }
  const rows: Row[] = [];
  for (const profile of PROFILES) {
    for (const gen of GENERATORS) {
      for (const tool of tools) {
        if (picked.has(`${tool.id}|${profile.id}|${gen.id}`) && runs({ tool, profile, gen })) {
          rows.push({ tool, profile, gen });
        }
      }
    }
  }
  return rows;
}

/**
 * Whether a row can run: its profile takes the generator and the tool, the tool and the
 * generator the profile.
 */
export function runs({ tool, profile, gen }: Row): boolean {
  return (profile.generators?.includes(gen.id) ?? true) &&
    (gen.profiles?.includes(profile.id) ?? true) &&
    (profile.tools?.includes(tool.id) ?? true) && (tool.profiles?.includes(profile.id) ?? true);
}
