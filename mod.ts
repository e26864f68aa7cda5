/**
 * xskdump as a library: AF_XDP capture, pcap files and the tcpdump-style
 * decoder, for scripts run with `deno run` / `deno task`.
 *
 * ```ts
 * import { Capture, PcapWriter } from "./mod.ts";
 * await using cap = Capture.open({ iface: "eth0", queue: 0 });
 * const file = Deno.openSync("out.pcap", { write: true, create: true, truncate: true });
 * const writer = new PcapWriter({ write: (b) => { file.writeSync(b); } });
 * await cap.run(writer, { count: 1000 });
 * writer.close();
 * ```
 * @module
 */
export {
  Capture,
  type CaptureOptions,
  type CaptureResult,
  type CaptureStats,
  type PacketSink,
  type RunLimits,
  type StopReason,
} from "./lib/capture.ts";
export { formatSummary } from "./lib/summary.ts";
export * from "./lib/pcap.ts";
export { describeFrame, formatLine, formatTimestamp } from "./lib/decode.ts";
export { XskError } from "./ffi/xsk.ts";
export type { ModeName } from "./ffi/abi.ts";
