/**
 * Live statistics on stderr while a capture runs: a status line rewritten in place once a second
 * when stderr is a terminal, plain lines every `--stats-interval` seconds otherwise (or JSON
 * objects with `--json`), nothing with `--quiet`. The timers run between receive batches: the
 * capture loop lets the event loop turn every few milliseconds.
 * @module
 */
import type { CaptureStats } from "../lib/capture/session.ts";
import {
  type Ending,
  type FileRecord,
  formatStatsLine,
  formatStatusLine,
  liveRecord,
  rateBetween,
} from "../lib/capture/stats.ts";
import { isClosedPipe, isDiskFull, OutputFailure, OutputStop } from "./output/errors.ts";

/** How statistics are shown while capturing. */
export type StatusMode = "terminal" | "lines" | "json" | "none";

/** What the status needs to read. */
export interface StatusSource {
  stats(): CaptureStats;
  /** Wire bytes handed to the output so far. */
  bytes(): number;
  files(): FileRecord[];
  filesOpened(): number;
  iface: string;
  queues: readonly number[];
  mode: string;
  direction?: string;
}

/** Chooses the mode: --quiet wins, then --stats-interval, then a terminal on stderr. */
export function statusMode(opts: {
  quiet: boolean;
  json: boolean;
  statsIntervalMs?: number;
  /** Packets go to stdout as text, and stdout is the same terminal. */
  textOnTerminal: boolean;
  stderrIsTerminal: boolean;
}): StatusMode {
  if (opts.quiet) return "none";
  if (opts.statsIntervalMs !== undefined) return opts.json ? "json" : "lines";
  if (opts.json) return "none";
  return opts.stderrIsTerminal && !opts.textOnTerminal ? "terminal" : "none";
}

/** Runs the status while a capture runs; stop() before the summary is printed. */
export class LiveStatus {
  readonly #mode: StatusMode;
  readonly #src: StatusSource;
  readonly #write: (text: string) => void;
  readonly #start = performance.now();
  #timer?: ReturnType<typeof setInterval>;
  #prev = { at: 0, captured: 0, bytes: 0 };
  #shown = false;

  constructor(
    mode: StatusMode,
    src: StatusSource,
    intervalMs: number,
    write: (text: string) => void,
  ) {
    this.#mode = mode;
    this.#src = src;
    this.#write = write;
    this.#prev.at = this.#start;
    if (mode === "none") return;
    this.#timer = setInterval(() => this.#tick(), mode === "terminal" ? 1000 : intervalMs);
  }

  #tick(): void {
    let s: CaptureStats;
    try {
      s = this.#src.stats();
    } catch {
      return; // the capture is closing
    }
    const now = performance.now();
    const cur = { at: now, captured: s.captured, bytes: this.#src.bytes() };
    const rate = rateBetween(this.#prev, cur);
    this.#prev = cur;
    if (this.#mode === "terminal") {
      // One column short of the terminal, so the line never wraps (a wrapped line cannot be
      // rewritten with \r); a terminal that reports no size gets a generous default.
      let width = 160;
      try {
        const columns = Deno.consoleSize().columns;
        if (columns >= 20) width = columns - 1;
      } catch {
        // Not a terminal after all: keep the default width.
      }
      this.#write(`\r${formatStatusLine(s, rate, width)}\x1b[K`);
      this.#shown = true;
    } else if (this.#mode === "lines") {
      this.#write(`xskdump: ${formatStatsLine(s, rate, now - this.#start)}\n`);
    } else if (this.#mode === "json") {
      const rec = liveRecord("stats", s, {
        iface: this.#src.iface,
        queues: this.#src.queues,
        mode: this.#src.mode,
        direction: this.#src.direction,
        elapsedMs: now - this.#start,
        bytes: cur.bytes,
        rate,
        files: this.#src.files(),
        filesOpened: this.#src.filesOpened(),
      });
      this.#write(JSON.stringify(rec) + "\n");
    }
  }

  /** Stops the timer and clears the status line, so the summary starts on a clean line. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#shown) this.#write("\r\x1b[K");
    this.#shown = false;
  }
}

/** How a capture ended: the summary's `stop`, the exit code, and a last line to print. */
export interface CaptureEnding extends Ending {
  /** Printed after the summary (an error, the -W limit, --strict). */
  line?: string;
}

/**
 * Turns run()'s result into the ending: a closed pipe is a normal end (exit 0, as tcpdump), as
 * is the -G/-W file limit; a full disk or any other error exits 1, --strict 3.
 */
export function captureEnding(
  reason: string,
  error: unknown,
  describe: (e: unknown) => string,
): CaptureEnding {
  if (reason === "integrity") {
    return {
      stop: "integrity",
      exitCode: 3,
      line: "xskdump: stopped by --strict on a ring integrity violation",
    };
  }
  if (reason !== "error") return { stop: reason, exitCode: 0 };
  if (error instanceof OutputStop) {
    return { stop: "file_limit", exitCode: 0, line: `xskdump: ${error.message}` };
  }
  if (error instanceof OutputFailure) {
    const closed = error.kind === "output_closed";
    return {
      stop: error.kind === "write" ? "error" : error.kind,
      error: closed ? undefined : error.message,
      exitCode: closed ? 0 : 1,
      line: `xskdump: ${error.message}`,
    };
  }
  if (isClosedPipe(error)) {
    return { stop: "output_closed", exitCode: 0, line: "xskdump: output closed by the reader" };
  }
  const text = describe(error);
  return {
    stop: isDiskFull(error) ? "disk_full" : "error",
    error: text,
    exitCode: 1,
    line: `xskdump: ${text}`,
  };
}
