/**
 * Thin typed wrappers over the shim's filter functions: libpcap's compiler and
 * interpreter, installing a translated filter into an attached program, and
 * stand-alone test programs for BPF_PROG_TEST_RUN. No policy here.
 * @module
 */
import { CBPF_INSN_SIZE, COUNTER_COUNT, TEST, TEST_COUNT } from "./abi.ts";
import { loadShim } from "./loader.ts";
import type { Shim } from "./symbols.ts";
import { check, cString, type XdpProgram, XskError } from "./xsk.ts";

/**
 * Compiles a tcpdump expression with libpcap (Ethernet, optimized, netmask
 * unknown) into cBPF: CBPF_INSN_SIZE-byte host-order records. Throws XskError
 * (EINVAL, libpcap's message naming the expression) on a bad expression.
 */
export function pcapCompile(
  expr: string,
  snaplen: number,
  shim: Shim = loadShim(),
): Uint8Array<ArrayBuffer> {
  // C would end the expression at a NUL and compile only what comes before it.
  if (expr.includes("\0")) {
    throw new XskError(`filter '${expr.replaceAll("\0", "\\0")}' contains a NUL byte`, 22);
  }
  const text = cString(expr);
  let out = new Uint8Array(64 * CBPF_INSN_SIZE);
  for (;;) {
    const n = check(
      shim,
      shim.xsk_filter_compile(text, snaplen, out, out.length / CBPF_INSN_SIZE),
      `compile '${expr}'`,
    );
    if (n * CBPF_INSN_SIZE <= out.length) return out.slice(0, n * CBPF_INSN_SIZE);
    out = new Uint8Array(n * CBPF_INSN_SIZE);
  }
}

/**
 * libpcap's verdict on one packet (what pcap_offline_filter returns): 0 for no
 * match, else the program's return value. wireLen defaults to the bytes given.
 */
export function pcapMatch(
  cbpf: Uint8Array<ArrayBuffer>,
  packet: Uint8Array<ArrayBuffer>,
  wireLen: number = packet.length,
  shim: Shim = loadShim(),
): number {
  return check(
    shim,
    shim.xsk_filter_match(cbpf, cbpf.length / CBPF_INSN_SIZE, packet, packet.length, wireLen),
    "libpcap filter",
  );
}

/**
 * Makes a translated filter (8-byte eBPF instructions) the program's filter
 * stage; an empty program removes it. `label` (the expression) names it in
 * errors. Throws XskError, with the verifier's last lines when it refuses.
 */
export function setFilter(prog: XdpProgram, ebpf: Uint8Array<ArrayBuffer>, label: string): void {
  check(
    prog.shim,
    prog.shim.xsk_prog_set_filter(prog.handle, ebpf, ebpf.length / 8, cString(label)),
    `install filter '${label}'`,
  );
}

/** A translated filter loaded on its own, run with BPF_PROG_TEST_RUN (needs CAP_BPF). */
export class FilterTestProgram {
  readonly shim: Shim;
  readonly handle: number;
  #out = new Uint32Array(TEST_COUNT);
  #counters = new BigUint64Array(COUNTER_COUNT);
  #open = true;

  private constructor(shim: Shim, handle: number) {
    this.shim = shim;
    this.handle = handle;
  }

  /**
   * Loads (verifies) the program, as XDP or, translated for "skb", as a tc program. Throws
   * XskError naming `label` when the kernel refuses.
   */
  static load(
    ebpf: Uint8Array<ArrayBuffer>,
    label: string,
    shim: Shim = loadShim(),
    context: "xdp" | "skb" = "xdp",
  ): FilterTestProgram {
    const load = context === "skb" ? shim.xsk_filter_test_load_skb : shim.xsk_filter_test_load;
    const h = check(
      shim,
      load(ebpf, ebpf.length / 8, cString(label)),
      `load test filter '${label}'`,
    );
    return new FilterTestProgram(shim, h);
  }

  /**
   * Runs the program `repeat` times on the packet (at least 14 bytes) and returns what it
   * returned as a u32 (an XDP action; a tc program's -1 is 0xffffffff) and the average run
   * time in ns.
   */
  run(packet: Uint8Array<ArrayBuffer>, repeat = 1): { action: number; ns: number } {
    check(
      this.shim,
      this.shim.xsk_filter_test_run(this.handle, packet, packet.length, repeat, this.#out),
      "test run",
    );
    return { action: this.#out[TEST.retval], ns: this.#out[TEST.duration] };
  }

  /** The program's private counters (COUNTER slots). */
  counters(): number[] {
    const n = check(
      this.shim,
      this.shim.xsk_filter_test_counters(this.handle, this.#counters, this.#counters.length),
      "test counters",
    );
    return Array.from(this.#counters.subarray(0, n), Number);
  }

  /** Unloads. Idempotent. */
  close(): void {
    if (!this.#open) return;
    this.#open = false;
    check(this.shim, this.shim.xsk_filter_test_close(this.handle), "close test filter");
  }
}
