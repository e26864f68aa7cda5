/**
 * xskdump as a library: live AF_XDP capture, pcap and pcapng files and the tcpdump-style
 * decoder, for scripts run with `deno run` or `deno task`.
 *
 * A capture takes one of two paths. Divert (`path: "divert"`, the default on an interface with no
 * address) attaches xskdump's XDP program and an AF_XDP socket to each of the RX queues asked
 * for; packets on those queues (that match its filter, if it has one) are redirected to the
 * script and do not reach the host's stack until it is closed. Tap (`path: "tap"`, the default on
 * an interface the host uses) copies every packet, incoming and outgoing, into a ring buffer and
 * lets it go on. It needs root, or CAP_NET_ADMIN, CAP_BPF, CAP_PERFMON (and for divert CAP_NET_RAW
 * and CAP_IPC_LOCK), and `--allow-ffi` for the shim (see the README).
 *
 * Zero-copy batches, the fast way: views into the capture's memory, valid until the next batch.
 *
 * ```ts
 * import { openCapture } from "./mod.ts";
 * await using cap = await openCapture({ iface: "eth0" });
 * let bytes = 0;
 * for await (const batch of cap.batches({ durationMs: 10_000 })) {
 *   for (let i = 0; i < batch.length; i++) bytes += batch.wireLength(i);
 * }
 * console.log(bytes, cap.stats().dropped.total);
 * ```
 *
 * Packets one by one, copied (allocates per packet), with a tcpdump filter run in the kernel
 * (only matching packets are taken; the rest reach the host's stack):
 *
 * ```ts
 * import { describeFrame, openCapture } from "./mod.ts";
 * await using cap = await openCapture({ iface: "eth0", snaplen: 128, filter: "tcp port 443" });
 * for await (const pkt of cap.packets({ count: 10 })) {
 *   console.log(pkt.timestampNs, describeFrame(pkt.data, pkt.length));
 * }
 * ```
 *
 * Straight into a pcap file, on the CLI's allocation-free path:
 *
 * ```ts
 * import { openCapture, PcapWriter } from "./mod.ts";
 * await using cap = await openCapture({ iface: "eth0" });
 * using file = Deno.openSync("out.pcap", { write: true, create: true, truncate: true });
 * const writer = new PcapWriter({
 *   write: (b) => {
 *     for (let off = 0; off < b.length;) off += file.writeSync(b.subarray(off));
 *   },
 * });
 * await cap.run(writer, { count: 1000 });
 * writer.close();
 * ```
 * @module
 */
export {
  type LiveCapture,
  openCapture,
  type OpenCaptureOptions,
  type Packet,
  type PacketBatch,
} from "./lib/capture/live.ts";
export type {
  CaptureOptions,
  CapturePath,
  CaptureResult,
  CaptureStats,
  Direction,
  DirectionStats,
  PacketSink,
  ProcessOptions,
  ProcessStats,
  QueueStats,
  RunLimits,
  StopReason,
} from "./lib/capture/session.ts";
export type { PacketProcess, ProcessSource } from "./lib/capture/process.ts";
export { GUARD_KINDS, type GuardFinding, type GuardKind } from "./lib/capture/integrity.ts";
export { FilterError, type FilterErrorKind } from "./lib/capture/filter.ts";
export { formatSummary } from "./lib/capture/summary.ts";
export * from "./lib/formats/pcap.ts";
export * from "./lib/formats/pcapng.ts";
export * from "./lib/formats/pcapng_reader.ts";
export * from "./lib/formats/capture_file.ts";
export {
  Decoder,
  type DecoderOptions,
  describeFrame,
  type DescribeOptions,
  formatIp6,
  formatLine,
  formatTimestamp,
  TIMESTAMP_FORMATS,
  type TimestampFormat,
  type TimestampPrecision,
} from "./lib/decode/decode.ts";
export { XskError } from "./ffi/xsk.ts";
export type { ModeName } from "./ffi/abi.ts";
