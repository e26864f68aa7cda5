/**
 * `xskdump -r FILE`: reads a pcap or pcapng file (or stdin) as it arrives and prints each packet
 * as a line (like `tcpdump -r`), or converts it with -w (format, snaplen, rotation as for a
 * capture). Needs no privileges and does not load the shim, except to compile a filter
 * expression, which libpcap then runs on each packet (through the shim, still unprivileged).
 *
 * A truncated or corrupt file: every good packet is printed or written, then one error line,
 * exit 1. --count prints only how many packets there were; -Z gives up root once the file (and
 * the output) is open, as tcpdump does.
 * @module
 */
import { LINKTYPE_ETHERNET, MAX_SNAPLEN } from "../lib/formats/magic.ts";
import { PcapFormatError } from "../lib/formats/pcap.ts";
import type { CaptureRecord } from "../lib/formats/capture_file.ts";
import { type Ending, readRecord } from "../lib/capture/stats.ts";
import { type ByteSource, CaptureStreamReader } from "../lib/formats/reader.ts";
import type { ReadArgs } from "./capture_args.ts";
import {
  countOutput,
  linktypeName,
  openOutput,
  type Output,
  OutputFailure,
  OutputStop,
} from "./output/mod.ts";
import { isStdin, openForRead } from "./paths.ts";
import { dropsBeforeOutput, type Relinquish, relinquish } from "./privileges.ts";

const EXIT_OK = 0;
const EXIT_FAIL = 1;
const EXIT_USAGE = 2;

/** A filter run by libpcap on each packet; loads the shim (no privileges needed). */
async function compile(expression: string): Promise<(r: CaptureRecord) => boolean> {
  const { pcapCompile, pcapMatch } = await import("../ffi/filter.ts");
  const cbpf = pcapCompile(expression, MAX_SNAPLEN);
  return (r) => pcapMatch(cbpf, r.data as Uint8Array<ArrayBuffer>, r.origLen) !== 0;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Runs `-r`; `say` prints a line on stderr. Returns the exit code. */
export async function readCapture(args: ReadArgs, say: (line: string) => void): Promise<number> {
  const started = performance.now();
  const name = args.file;
  let file: (ByteSource & { close(): void }) | undefined;
  let output: Output | undefined;
  let read = 0;
  const finish = (ending: Ending): number => {
    if (args.json) {
      say(JSON.stringify(readRecord({
        file: name,
        format: reader?.info.format ?? "unknown",
        read,
        captured: output?.packets ?? 0,
        bytes: output?.bytes ?? 0,
        elapsedMs: performance.now() - started,
        files: output?.files() ?? [],
        filesOpened: output?.filesOpened ?? 0,
      }, ending)));
    }
    return ending.exitCode;
  };
  let reader: CaptureStreamReader | undefined;
  let user: Relinquish;
  try {
    user = await relinquish(args.user);
  } catch (e) {
    say(`xskdump: ${message(e)}`);
    return finish({ stop: "error", error: message(e), exitCode: EXIT_USAGE });
  }
  try {
    let src: ByteSource;
    if (isStdin(name)) {
      src = Deno.stdin;
    } else {
      try {
        file = await openForRead(name);
      } catch (e) {
        say(`xskdump: cannot read ${name}: ${message(e)}`);
        return finish({ stop: "error", error: message(e), exitCode: EXIT_FAIL });
      }
      src = file;
    }
    // Lines reach a pipe before the reader waits for more input.
    const input: ByteSource = {
      read: (p) => {
        output?.flush();
        return src.read(p);
      },
    };
    try {
      reader = await CaptureStreamReader.open(input);
    } catch (e) {
      if (e instanceof OutputFailure) throw e;
      say(`xskdump: ${name}: ${message(e)}`);
      return finish({ stop: "error", error: message(e), exitCode: EXIT_FAIL });
    }
    const info = reader.info;
    const linktype = info.linktype < 0 ? LINKTYPE_ETHERNET : info.linktype;
    if (!args.noStatus) {
      say(
        `reading from file ${name}, link-type ${linktypeName(linktype)}, ` +
          `snapshot length ${info.snaplen}`,
      );
    }
    let keep: ((r: CaptureRecord) => boolean) | undefined;
    if (args.expression?.trim()) {
      if (linktype !== LINKTYPE_ETHERNET) {
        const text = `filter '${args.expression}': ${name} is link-type ${
          linktypeName(linktype)
        }; filters here are for Ethernet frames`;
        say(`xskdump: ${text}`);
        return finish({ stop: "error", error: text, exitCode: EXIT_USAGE });
      }
      try {
        keep = await compile(args.expression.trim());
      } catch (e) {
        const text = message(e).replace(/: Invalid argument$/, "");
        say(`xskdump: ${text}`);
        return finish({ stop: "error", error: text, exitCode: EXIT_USAGE });
      }
    }
    // -Z: the file is open; root goes now, or once the output file is (given to the user).
    const dropEarly = dropsBeforeOutput(args);
    if (dropEarly) user.drop();
    const open = (first?: CaptureRecord): Output => {
      // --count (without -w) prints nothing but the count.
      const o = args.countOnly && args.write === undefined ? countOutput() : openOutput(args, {
        linktype,
        ifName: info.ifName,
        filter: args.expression?.trim() || info.filter,
        startSec: first?.sec,
        created: (path) => user.created(path),
      });
      if (!dropEarly) user.drop();
      return o;
    };
    // Files are created at the first packet, so -G names the first file by its time.
    if (args.write === undefined) output = open();
    let stop = "end";
    for await (const r of reader.records()) {
      read++;
      if (keep && !keep(r)) continue;
      output ??= open(r);
      if (args.write !== undefined && r.linktype !== linktype) {
        throw new Error(
          `packet ${read} is link-type ${linktypeName(r.linktype)} and the output ` +
            `${linktypeName(linktype)}: a file holds one link-layer type`,
        );
      }
      output.addRecord(r);
      if (args.count !== undefined && output.packets >= args.count) {
        stop = "count";
        break;
      }
    }
    output ??= open();
    output.close();
    printCount();
    return finish({ stop, exitCode: EXIT_OK });
  } catch (e) {
    return failed(e);
  } finally {
    try {
      file?.close();
    } catch {
      // Closed already.
    }
  }

  /** --count: "N packets" on stdout, as tcpdump prints it (also after a damaged record). */
  function printCount(): void {
    if (!args.countOnly) return;
    const n = output?.packets ?? 0;
    Deno.stdout.writeSync(new TextEncoder().encode(`${n} packet${n === 1 ? "" : "s"}\n`));
  }

  function failed(e: unknown): number {
    // Whatever was read before goes out first, then one line about what went wrong.
    let closeError: unknown;
    try {
      output?.close();
    } catch (c) {
      closeError = c;
    }
    if (!(e instanceof OutputFailure || closeError instanceof OutputFailure)) printCount();
    if (e instanceof OutputStop) {
      say(`xskdump: ${e.message}`);
      return finish({ stop: "file_limit", exitCode: EXIT_OK });
    }
    const problem = e instanceof OutputFailure || !(closeError instanceof OutputFailure)
      ? e
      : closeError;
    if (problem instanceof OutputFailure) {
      if (problem.kind === "output_closed") {
        return finish({ stop: "output_closed", exitCode: EXIT_OK }); // like `tcpdump -r | head`
      }
      say(`xskdump: ${problem.message}`);
      return finish({ stop: problem.kind, error: problem.message, exitCode: EXIT_FAIL });
    }
    const text = e instanceof PcapFormatError ? `${name}: ${e.message}` : message(e);
    say(`xskdump: ${text}`);
    return finish({ stop: "error", error: text, exitCode: EXIT_FAIL });
  }
}
