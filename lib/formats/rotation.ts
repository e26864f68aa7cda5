/**
 * When and how a savefile rotates, the way tcpdump does it with -C, -G and -W (pure logic; the
 * CLI does the files).
 *
 * - `-C` (size): before a packet is written, when the current file is already larger than the
 *   limit (header included), the file is closed and the next one opened. A file therefore ends
 *   up to one record past the limit, never cut inside a record. Without -W the files are `NAME`,
 *   `NAME1`, `NAME2`, ...; with -W N they are `NAME0` .. `NAME<N-1>`, the number zero-padded to
 *   the width of N-1, and the names are reused in a ring.
 * - `-G` (seconds): before a packet is written, when at least that many seconds have passed
 *   since the current file was opened, it is closed and the next one opened, its name made by
 *   strftime(3) from the -w text at that moment (local time). With -C too, each -G period
 *   starts again at number 0. With -W N (and no -C), the capture stops after N files: the packet
 *   that would open file N+1 is not written.
 *
 * Time is the packet's own timestamp, which for a live capture is the time it arrived (as
 * tcpdump's time(NULL) at that packet) and for `-r` the time in the file, so a file read with
 * -G is split by its own timeline.
 *
 * @module
 */
import { strftime } from "./strftime.ts";

/** The rotation flags. */
export interface RotationOptions {
  /** The -w argument: a file name, a strftime(3) pattern with -G. */
  template: string;
  /** -C: rotate once a file is larger than this many bytes. */
  sizeLimit?: number;
  /** -G: rotate once a file is this many seconds old. */
  seconds?: number;
  /** -W: with -C, a ring of this many names; with -G alone, stop after this many files. */
  maxFiles?: number;
}

/** What to do before writing a packet. */
export type RotationStep =
  | { kind: "keep" }
  | { kind: "rotate"; name: string }
  | { kind: "stop"; files: number };

const KEEP: RotationStep = Object.freeze({ kind: "keep" });

/** tcpdump's width of the number with -W: the digits of W-1 (0 for W=1). */
export function fileNumberWidth(maxFiles: number | undefined): number {
  if (!maxFiles) return 0;
  let chars = 0;
  for (let x = maxFiles - 1; x > 0; x = Math.floor(x / 10)) chars++;
  return chars;
}

/**
 * A file name the way tcpdump makes one: strftime when -G is set, then the number, zero-padded
 * to `width`, unless both are 0.
 */
export function rotationName(
  template: string,
  timed: boolean,
  count: number,
  width: number,
  time: Date,
): string {
  const base = timed ? strftime(template, time) : template;
  if (count === 0 && width === 0) return base;
  return base + String(count).padStart(width, "0");
}

/** The rotation state of one output: which file is current and when the next one starts. */
export class Rotation {
  readonly options: RotationOptions;
  readonly #width: number;
  /** Seconds (epoch) the current -G period started. */
  #periodStart: number;
  #sizeCount = 0;
  #periods = 0;
  /** Name of the current file. */
  current: string;

  /** `startSec`: when the first file is opened (epoch seconds). */
  constructor(options: RotationOptions, startSec: number) {
    this.options = options;
    this.#width = options.sizeLimit !== undefined ? fileNumberWidth(options.maxFiles) : 0;
    this.#periodStart = Math.floor(startSec);
    this.current = this.#name(0);
  }

  /** The second (epoch) from which a packet opens the next -G file; undefined without -G. */
  get dueSec(): number | undefined {
    const s = this.options.seconds;
    return s === undefined ? undefined : this.#periodStart + s;
  }

  /** Whether this output rotates at all. */
  get active(): boolean {
    return this.options.sizeLimit !== undefined || this.options.seconds !== undefined;
  }

  #name(count: number): string {
    return rotationName(
      this.options.template,
      this.options.seconds !== undefined,
      count,
      this.#width,
      new Date(this.#periodStart * 1000),
    );
  }

  /**
   * Called before each packet with its time (epoch seconds) and the current file's size in
   * bytes (header and everything written or buffered so far). Allocates only when it rotates.
   */
  step(sec: number, fileBytes: number): RotationStep {
    const o = this.options;
    if (o.seconds !== undefined && sec - this.#periodStart >= o.seconds) {
      this.#periodStart = sec;
      this.#periods++;
      if (o.sizeLimit === undefined && o.maxFiles && this.#periods >= o.maxFiles) {
        return { kind: "stop", files: this.#periods };
      }
      this.#sizeCount = 0;
      this.current = this.#name(0);
      return { kind: "rotate", name: this.current };
    }
    if (o.sizeLimit !== undefined && fileBytes > o.sizeLimit) {
      this.#sizeCount++;
      if (o.maxFiles && this.#sizeCount >= o.maxFiles) this.#sizeCount = 0;
      this.current = this.#name(this.#sizeCount);
      return { kind: "rotate", name: this.current };
    }
    return KEEP;
  }
}
