/**
 * tcpdump's flags, the options of the default command, and what they become: a live capture
 * (`-i`), a file read (`-r`), the compiled filter (`-d`), or a list (`-D`, `-L`). The flags are
 * made and read group by group (flag_groups.ts); here they come together, with the rules across
 * groups. --help lists them in the order of tcpdump's man page (help_order.ts), xskdump's own
 * after. Every bad input becomes a UsageError (exit 2) before anything is attached or written.
 * @module
 */
import type { Command, OptionValues } from "commander";
import { absent } from "./absent_flags.ts";
import type { CaptureCommandArgs, PacketArgs } from "./capture_args.ts";
import { interfaceName, UsageError } from "./command.ts";
import {
  filter,
  type FlagGroup,
  limits,
  output,
  path,
  print,
  privileges,
  processes,
  sockets,
  source,
  status,
} from "./flag_groups.ts";
import { checkWrite } from "./flag_values.ts";
import { inHelpOrder } from "./help_order.ts";

/** Every group of flags, in the order --help lists xskdump's own (tcpdump's: help_order.ts). */
const GROUPS: FlagGroup<unknown>[] = [
  source,
  output,
  print,
  privileges,
  status,
  limits,
  path,
  processes,
  sockets,
  filter,
  absent,
];

/** Adds every flag of the default command to `cmd`, in help order. */
export function addFlags(cmd: Command): Command {
  for (const o of inHelpOrder(GROUPS.flatMap((g) => g.options()))) cmd.addOption(o);
  // The last of --micro, --nano and --time-stamp-precision wins, as in tcpdump: commander
  // handles options in command-line order, so both words set the precision's value too.
  cmd.on("option:micro", () => cmd.setOptionValue("timeStampPrecision", "micro"));
  cmd.on("option:nano", () => cmd.setOptionValue("timeStampPrecision", "nano"));
  return cmd.argument("[expression...]", "tcpdump filter expression, run in the kernel");
}

/** What the flags of a parsed default command ask for. */
export function readFlags(o: OptionValues, operands: string[]): CaptureCommandArgs {
  absent.read(o, operands);
  const { iface, file, listInterfaces, listLinkTypes } = source.read(o, operands);
  // Like tcpdump, -D lists and exits whatever else is given.
  if (listInterfaces) return { kind: "list-interfaces" };
  const p = print.read(o, operands);
  if (p.quiet > 0 && /^(\d+(,\d+)*|all)$/.test(operands[0] ?? "")) {
    // `-q 1` chose RX queues before -q became tcpdump's.
    throw new UsageError(
      `-q is tcpdump's quick output, and '${operands.join(" ")}' no filter: ` +
        `RX queues are --queue ${operands[0]}`,
    );
  }
  const { expression, captureSsh, dump } = filter.read(o, operands);
  const { count, durationMs, snaplen, stopOnEof } = limits.read(o, operands);
  if (dump > 0) return { kind: "dump", level: dump, expression, captureSsh, snaplen };
  if (listLinkTypes && file === undefined) {
    if (!iface) throw new UsageError("-L lists the data link types of an interface: give -i IFACE");
    return { kind: "list-linktypes", iface: interfaceName(iface)! };
  }
  const { write, output: w, printToo, packetBuffered, lineBuffered, countOnly } = output.read(
    o,
    operands,
  );
  const { statsIntervalMs, noStatus, json } = status.read(o, operands);
  const packets: PacketArgs = {
    write,
    printToo,
    packetBuffered,
    lineBuffered,
    snaplen,
    print: p,
    output: w,
    count,
    expression,
    noStatus,
    json,
    ...privileges.read(o, operands),
  };
  if (file !== undefined) {
    if (file === "") throw new UsageError("-r needs a file name or '-'");
    if (o.f === true) {
      // As tcpdump: "foreign" is by the capturing interface's netmask, which a file lacks.
      throw new UsageError("-f tells foreign addresses by an interface's netmask: not with -r");
    }
    if (iface !== undefined) {
      throw new UsageError("-r reads a file and -i captures from an interface: give one of them");
    }
    checkWrite(write);
    if (processes.read(o, operands).process) {
      throw new UsageError(
        "--attribute, --pid, --pname, --cgroup and --container act on a live capture (-i); -r " +
          "shows a pcapng's processes with --print-process",
      );
    }
    return { kind: "read", file, countOnly, ...packets };
  }
  if (countOnly) {
    throw new UsageError("--count counts the packets of a file: give -r FILE");
  }
  if (!iface) throw new UsageError("no interface given: use -i IFACE");
  interfaceName(iface);
  checkWrite(write);
  const socks = sockets.read(o, operands);
  if (packets.user !== undefined && socks.singleQueue) {
    throw new UsageError(
      "-Z and --single-queue: restoring the channels when the capture ends needs root, " +
        "which -Z gives up",
    );
  }
  const route = path.read(o, operands);
  let { process } = processes.read(o, operands);
  if (packets.print.process) process ??= {};
  if (process && route.path === "divert") {
    throw new UsageError(
      "which process a packet belongs to is known on the tap path only: --divert takes packets " +
        "before any socket sees them",
    );
  }
  return {
    kind: "capture",
    iface,
    ...packets,
    ...route,
    ...socks,
    durationMs,
    stopOnEof,
    captureSsh,
    statsIntervalMs,
    process,
  };
}
