/**
 * The ring integrity guard's findings in plain words: which rule of the
 * fill/RX ring contract broke, on which descriptor, and what it means.
 * Pure: the counts come from the shim's frame-ownership ledger.
 * @module
 */

/** The rules the ledger checks, in the shim's order (XSKDUMP_GUARD_*). */
export const GUARD_KINDS = [
  "misaligned",
  "foreign",
  "duplicate",
  "overheld",
  "clobber",
  "unterminated",
] as const;
/** One rule of the ring contract. */
export type GuardKind = typeof GUARD_KINDS[number];

/** How often one rule broke, and where first. */
export interface GuardFinding {
  /** Which rule. */
  kind: GuardKind;
  /** Descriptors that broke it. */
  count: number;
  /** UMEM address of the first offending descriptor. */
  firstAddr: number;
  /** 1-based number of that descriptor on its socket. */
  firstDescriptor: number;
  /** The RX queue of that socket. */
  queue?: number;
}

/** What the diagnosis needs to know about the capture. */
export interface GuardContext {
  iface: string;
  queue: number;
  mode: "native" | "generic";
  /** RX queues of the interface. */
  queueCount: number;
  frameSize: number;
  frameCount: number;
  /** Where a correct kernel puts the packet in a frame (XDP headroom). */
  rxOffset: number;
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

function what(f: GuardFinding, c: GuardContext): string {
  const frame = Math.floor(f.firstAddr / c.frameSize);
  const offset = f.firstAddr % c.frameSize;
  switch (f.kind) {
    case "misaligned":
      return `address ${hex(f.firstAddr)} is at offset ${offset} of frame ${frame}; ` +
        `the kernel puts packets at offset ${c.rxOffset}`;
    case "foreign":
      return `address ${hex(f.firstAddr)} was never put on the fill ring ` +
        `(the UMEM is ${c.frameCount} frames of ${c.frameSize} bytes)`;
    case "duplicate":
      return `frame ${frame} (address ${hex(f.firstAddr)}) came out of RX while ` +
        `xskdump still held it`;
    case "overheld":
      return `the RX ring gave more frames than the ${c.frameCount} the UMEM has`;
    case "clobber":
      return `frame ${frame} was written to while xskdump owned it ` +
        `(its metadata canary changed)`;
    case "unterminated":
      return `a chain of descriptors starting at address ${hex(f.firstAddr)} never ended ` +
        `(XDP_PKT_CONTD on more pieces than the largest packet has, or on the last one posted)`;
  }
}

/** Why the ring could break like that, and what to do. */
export function diagnosis(c: GuardContext): string {
  if (c.mode === "generic" && c.queueCount > 1) {
    return `generic-mode XDP on ${c.iface}, which has ${c.queueCount} RX queues: on kernels ` +
      `without commit bf0bdd13 ("xdp: fix race on generic receive path") several CPUs push ` +
      `into one RX ring at once. Fix: capture with --single-queue (or ` +
      `\`ethtool -L ${c.iface} rx 1\`, \`combined 1\` on drivers with combined channels only), ` +
      `or run a kernel that has the fix`;
  }
  if (c.mode === "generic") {
    return `generic-mode XDP on a single queue should not break the ring: the kernel or the ` +
      `driver is misbehaving; please report it with \`uname -r\` and \`ethtool -i ${c.iface}\``;
  }
  return `the driver of ${c.iface} broke the AF_XDP ring contract in native mode; try ` +
    `--mode generic, and report it with \`uname -r\` and \`ethtool -i ${c.iface}\``;
}

/** One stderr line for the first violation of a kind. */
export function describeViolation(f: GuardFinding, c: GuardContext): string {
  return `ring integrity: ${f.kind} RX descriptor #${f.firstDescriptor} on ${c.iface} ` +
    `queue ${c.queue}: ${what(f, c)}; ` +
    `${
      f.kind === "clobber" ? "the packet may be captured corrupted" : "the packet was not captured"
    }` +
    `. Diagnosis: ${diagnosis(c)}.`;
}
