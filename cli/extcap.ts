/**
 * xskdump as a Wireshark capture interface (an "extcap"): a link to xskdump in Wireshark's extcap
 * folder lists every interface of the host as `xskdump: eth0 (AF_XDP)`, with the filter, the
 * queues, the XDP mode, the path (tap or divert) and the directions as its options, and captures
 * into the pipe Wireshark reads.
 *
 * Wireshark runs the program with its own flags first (`--extcap-interfaces`, `--extcap-dlts`,
 * `--extcap-config`, `--capture`, `--extcap-capture-filter`...), so a command line whose first
 * word is one of them is this command's (cli/args.ts), besides `xskdump extcap ...`. Its answers
 * are lines of `{key=value}` sentences on stdout; a capture says nothing on stderr unless it
 * fails, since Wireshark shows anything there as an error.
 * @module
 */
import { MAX_SNAPLEN } from "../lib/formats/magic.ts";
import meta from "../deno.json" with { type: "json" };
import { captureArgs, captureCommand } from "./capture.ts";
import { type CliCommand, UsageError } from "./command.ts";
import { EXIT_OK, EXIT_USAGE, reported, say, writeOut } from "./report.ts";

/** What Wireshark asks for. */
export interface ExtcapArgs {
  kind: "extcap";
  /** The step: list interfaces, link types or options, check a filter, or capture. */
  step: "interfaces" | "dlts" | "config" | "filter" | "capture";
  /** `--extcap-interface`: ours are `xskdump_IFACE`. */
  iface?: string;
  /** `--extcap-capture-filter`: Wireshark's capture filter field. */
  captureFilter?: string;
  /** `--fifo`: where the capture goes. */
  fifo?: string;
  /** The options of `--extcap-config`, as Wireshark passes them back. */
  filter?: string;
  queue?: string;
  mode?: string;
  /** auto, tap or divert (the capture's --tap / --divert). */
  path?: string;
  /** in, out or inout (the capture's -Q, tap only). */
  direction?: string;
}

/** Interface names as Wireshark sees them: unique among all its extcaps. */
const PREFIX = "xskdump_";

/** The host's interface behind an extcap interface name. */
function hostInterface(name: string | undefined): string {
  if (!name?.startsWith(PREFIX) || name.length === PREFIX.length) {
    throw new UsageError(`extcap: ${name ?? "no interface"} is not an xskdump interface`);
  }
  return name.slice(PREFIX.length);
}

/** A `{key=value}` sentence value: Wireshark's format has no escape for braces. */
function value(text: string): string {
  return text.replace(/[{}]/g, "");
}

/** `--extcap-interfaces`: this program, then one line per interface of the host. */
async function interfaces(): Promise<string[]> {
  const { interfaceNames } = await import("../ffi/xsk.ts");
  return [
    `extcap {version=${meta.version}}{display=xskdump: AF_XDP capture}`,
    ...interfaceNames().map((n) =>
      `interface {value=${PREFIX}${value(n)}}{display=xskdump: ${value(n)} (AF_XDP)}`
    ),
  ];
}

/** `--extcap-config`: the capture's options as Wireshark shows them. */
export function configLines(): string[] {
  return [
    "arg {number=0}{call=--filter}{display=Filter}{type=string}" +
    "{tooltip=tcpdump filter expression, run in the kernel (with the capture filter field, both apply)}",
    "arg {number=1}{call=--queue}{display=RX queues}{type=string}" +
    "{validation=^(|all|[0-9]+(,[0-9]+)*)$}" +
    "{tooltip=RX queue(s) to capture: 0, a list such as 0,2,3, or all (empty: divert 0, tap all)}",
    "arg {number=2}{call=--mode}{display=XDP mode}{type=selector}" +
    "{tooltip=How the XDP program attaches: native in the driver, generic in the stack}",
    "value {arg=2}{value=auto}{display=auto (native, else generic)}{default=true}",
    "value {arg=2}{value=native}{display=native}",
    "value {arg=2}{value=generic}{display=generic}",
    "arg {number=3}{call=--path}{display=Path}{type=selector}" +
    "{tooltip=tap: copies, the host keeps its packets; divert: the capture takes them (a dedicated port)}",
    "value {arg=3}{value=auto}{display=auto (tap where the host uses the interface)}{default=true}",
    "value {arg=3}{value=tap}{display=tap}",
    "value {arg=3}{value=divert}{display=divert}",
    "arg {number=4}{call=--direction}{display=Directions}{type=selector}" +
    "{tooltip=Which packets a tap copies (divert sees incoming ones only)}",
    "value {arg=4}{value=inout}{display=both}{default=true}",
    "value {arg=4}{value=in}{display=incoming}",
    "value {arg=4}{value=out}{display=outgoing}",
  ];
}

/** Both filters, when both are given: Wireshark's capture filter field and the option. */
function expression(a: ExtcapArgs): string | undefined {
  const parts = [a.captureFilter, a.filter].map((f) => f?.trim()).filter((f) => f);
  if (parts.length < 2) return parts[0];
  return parts.map((p) => `(${p})`).join(" and ");
}

/** `--extcap-capture-filter F` alone: prints why F is no filter, or nothing when it is one. */
async function checkFilter(a: ExtcapArgs): Promise<number> {
  const { pcapCompile } = await import("../ffi/filter.ts");
  try {
    pcapCompile(a.captureFilter ?? "", MAX_SNAPLEN);
  } catch (e) {
    writeOut(`${e instanceof Error ? e.message : String(e)}\n`);
  }
  return EXIT_OK;
}

/** The capture's command line for `--capture`: the options as the capture's own flags. */
export function captureLine(a: ExtcapArgs): string[] {
  if (!a.fifo) throw new UsageError("extcap: --capture needs --fifo");
  if (a.path !== undefined && !["auto", "tap", "divert"].includes(a.path)) {
    throw new UsageError(`extcap: --path ${a.path}: give auto, tap or divert`);
  }
  // Wireshark passes every option, the default direction too: both ways is the capture's own
  // default, and divert refuses -Q inout (it sees incoming packets only).
  const direction = a.direction && a.direction !== "inout" ? ["-Q", a.direction] : [];
  const filter = expression(a);
  return [
    ...["-i", hostInterface(a.iface), "-w", a.fifo, "--format", "pcapng", "--quiet"],
    ...(a.queue ? ["--queue", a.queue] : []),
    ...(a.mode ? ["--mode", a.mode] : []),
    ...(a.path === "tap" ? ["--tap"] : a.path === "divert" ? ["--divert"] : []),
    ...direction,
    ...(filter ? ["--", filter] : []),
  ];
}

/** `--capture`: the capture, into the fifo, as pcapng; quiet unless it fails. */
async function capture(a: ExtcapArgs): Promise<number> {
  const { args } = captureArgs(captureLine(a));
  if (args.kind !== "capture") throw new UsageError("extcap: not a capture"); // never: -i above
  return await captureCommand.run({ ...args, silent: true });
}

async function extcap(a: ExtcapArgs): Promise<number> {
  switch (a.step) {
    case "interfaces":
      writeOut((await interfaces()).join("\n") + "\n");
      return EXIT_OK;
    case "dlts":
      hostInterface(a.iface);
      writeOut("dlt {number=1}{name=EN10MB}{display=Ethernet}\n");
      return EXIT_OK;
    case "config":
      hostInterface(a.iface);
      writeOut(configLines().join("\n") + "\n");
      return EXIT_OK;
    case "filter":
      return await checkFilter(a);
    case "capture":
      return await capture(a);
  }
}

export const extcapCommand: CliCommand<ExtcapArgs> = {
  name: "extcap",
  description: "Wireshark's extcap interface (Wireshark runs xskdump --extcap-... itself).",
  synopsis: "--extcap-interfaces | --capture --extcap-interface xskdump_IFACE --fifo FILE",
  define: (cmd) =>
    cmd
      .option("--extcap-interfaces", "list the interfaces, as Wireshark asks")
      .option("--extcap-version <version>", "the version of Wireshark asking")
      .option("--extcap-interface <name>", "the interface: xskdump_IFACE")
      .option("--extcap-dlts", "list the interface's link-layer types")
      .option("--extcap-config", "list the interface's options")
      .option("--extcap-capture-filter <filter>", "the capture filter (alone: check it)")
      .option("--capture", "capture into --fifo")
      .option("--fifo <file>", "where the capture goes (pcapng)")
      .option("--extcap-control-in <file>", "Wireshark's control pipe (not used)")
      .option("--extcap-control-out <file>", "Wireshark's control pipe (not used)")
      .option("--filter <expression>", "option: a tcpdump filter expression")
      .option("--queue <n|list|all>", "option: the RX queues")
      .option("--mode <mode>", "option: the XDP mode (auto, native, generic)")
      .option("--path <path>", "option: auto, tap or divert")
      .option("--direction <dir>", "option: in, out or inout (tap)"),
  parse: (cmd) => {
    const o = cmd.opts();
    const step = o.extcapInterfaces
      ? "interfaces"
      : o.capture
      ? "capture"
      : o.extcapDlts
      ? "dlts"
      : o.extcapConfig
      ? "config"
      : o.extcapCaptureFilter !== undefined
      ? "filter"
      : undefined;
    if (step === undefined) {
      throw new UsageError(
        "extcap: give --extcap-interfaces, --extcap-dlts, --extcap-config or --capture",
      );
    }
    return {
      kind: "extcap",
      step,
      iface: o.extcapInterface,
      captureFilter: o.extcapCaptureFilter,
      fifo: o.fifo,
      filter: o.filter,
      queue: o.queue,
      mode: o.mode,
      path: o.path,
      direction: o.direction,
    };
  },
  run: (args) =>
    reported(async () => {
      try {
        return await extcap(args);
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        say(`xskdump: ${e.message}`);
        return EXIT_USAGE;
      }
    }),
};
