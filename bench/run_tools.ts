/**
 * Starting and stopping the capture tools a trial measures, each on the receiving veth in the
 * capture namespace, pinned to RX_CPU: the XDP drop sink, xsk_limit, xskdump (divert and tap),
 * tcpdump, xdpdump.
 * They start through the test bed (ready line, one timeout policy) and end by SIGINT; what they
 * print is read by parse.ts.
 * @module
 */
import { attachXdp, detachXdp, startCapture, type VethPair, XSKDUMP } from "../testbed/mod.ts";
import type { Tool } from "./catalog.ts";
import { onCpu, RX_CPU } from "./host.ts";
import { type ToolReport, toolReport } from "./parse.ts";

const BUILD = new URL("../build/", import.meta.url).pathname;
export const LIMIT_BIN = `${BUILD}xsk_limit`;
export const SINK_OBJ = `${BUILD}xdp_sink.bpf.o`;
/** A tool that ran on after a SIGINT for this long is killed (its report says so). */
const STOP_MS = 30_000;

export interface RunningTool {
  pid?: number;
  stop(): Promise<ToolReport>;
}

/** Where a tool writes its capture: /dev/null, a file on the tmpfs or on disk, or nowhere. */
export function outputPath(tool: Tool, tag: string, dirs: { tmpfs: string; disk: string }) {
  switch (tool.output) {
    case "null":
      return "/dev/null";
    case "tmpfs":
      return `${dirs.tmpfs}/xskbench-${Deno.pid}-${tag}.pcap`;
    case "disk":
      return `${dirs.disk}/xskbench-${Deno.pid}-${tag}.pcap`;
    default:
      return undefined;
  }
}

/** Detaches whatever XDP program `ip link` put on the capture side (the sink's). */
export function detachSink(pair: VethPair): Promise<void> {
  return detachXdp(pair.captureNs, pair.captureIf);
}

/** The command line of a tool that runs as a process (all but the sink). */
function command(tool: Tool, ifname: string, out: string | undefined, extra: string[]): string[] {
  switch (tool.kind) {
    case "limit":
      return [
        ...[LIMIT_BIN, "-i", ifname, "-m", tool.mode!, ...(out ? ["-w", out] : [])],
        ...(tool.id.includes("spin") ? ["-s"] : []),
        ...(tool.id.includes("nap") ? ["-u", "1000"] : []),
        // xskdump's default UMEM in that mode (16384 frames; lib/capture/session.ts frameSizeFor).
        ...["-f", "16384", "-F", tool.mode === "generic" ? "4096" : "2048"],
      ];
    case "xskdump":
      return [
        ...[XSKDUMP, "-i", ifname, "--json", "--divert", "-w", out!, "--mode", tool.mode!],
        ...(tool.queues > 1 ? ["--queue", "all"] : []),
        ...extra,
      ];
    case "tap":
      return [
        ...[XSKDUMP, "-i", ifname, "--json", "--tap", "-w", out!],
        ...(tool.mode ? ["--mode", tool.mode] : []),
        ...(tool.args ?? []),
        ...extra,
      ];
    case "tcpdump":
      // tcpdump's defaults (2 MiB buffer, TPACKET_V3); -Z root writes into root's files.
      return ["tcpdump", "-i", ifname, "-n", "-Z", "root", "-w", out!];
    case "xdpdump":
      return [
        ...["xdpdump", "-i", ifname, "--load-xdp-program"],
        ...["--load-xdp-mode", tool.mode === "native" ? "native" : "skb", "-w", out!],
      ];
    case "sink":
      throw new Error("the sink is an XDP program, not a process");
  }
}

/** Starts a tool on the capture side; ready once it receives. */
export async function startTool(
  pair: VethPair,
  tool: Tool,
  out: string | undefined,
  xskdumpExtra: string[],
): Promise<RunningTool> {
  if (tool.kind === "sink") {
    await attachXdp(pair.captureNs, pair.captureIf, tool.mode!, SINK_OBJ);
    return {
      async stop() {
        await detachSink(pair);
        return { captured: 0, drops: {} };
      },
    };
  }
  const cmd = command(tool, pair.captureIf, out, xskdumpExtra);
  // xsk_limit says it listens as xskdump does; xdpdump as tcpdump does.
  const ours = tool.kind === "limit" || tool.kind === "xskdump" || tool.kind === "tap";
  const cap = await startCapture(pair, onCpu(RX_CPU, cmd), {
    ready: ours ? "xskdump" : "tcpdump",
    mode: ours ? tool.mode : undefined,
    stdout: tool.kind === "limit",
    env: { SSH_CONNECTION: "", ...tool.env },
  });
  return {
    pid: cap.pid,
    async stop() {
      let exitCode: number;
      try {
        exitCode = (await cap.interrupt("SIGINT", STOP_MS)).code;
      } catch {
        exitCode = (await cap.stop()).code;
      }
      const report = toolReport(tool.kind, cap.stderr(), cap.stdoutText());
      report.exitCode = exitCode;
      if (out && out !== "/dev/null") {
        report.fileBytes = await Deno.stat(out).then((s) => s.size, () => undefined);
      }
      if (exitCode !== 0 && !report.error) {
        report.error = `exit ${exitCode}: ${cap.stderr().trim().split("\n").slice(-3).join(" | ")}`;
      }
      return report;
    },
  };
}
