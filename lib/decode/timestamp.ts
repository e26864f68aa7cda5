/**
 * The timestamp in front of each line, as tcpdump 4.99 prints it (its ts_print): the time of day
 * (default), none (-t), seconds since the epoch (-tt), the time since the previous packet
 * (-ttt), the date and time of day (-tttt), or the time since the first packet (-ttttt); in
 * microseconds unless nanosecond precision is asked for (--nano, --time-stamp-precision=nano),
 * for a live capture and a file alike. The time of day is local time (TZ); the times since a
 * packet are printed as a time of day in UTC, after "-" when negative and " " otherwise.
 *
 * Like tcpdump 4.99, a time whose seconds have bit 31 set (from 2038 on, as 32-bit unsigned)
 * prints "[Error converting time]", and seconds count modulo 2^32 (as libpcap reads pcapng).
 * One difference: libpcap reads a pcap record's seconds as signed, so tcpdump's -ttt and -ttttt
 * put a pcap time from 2038 on in 1901; here it stays in 2038.
 *
 * @module
 */

/** Which timestamp: tcpdump's -t count 0 to 5, in that order. */
export type TimestampFormat = "time" | "none" | "epoch" | "delta" | "date" | "elapsed";

/** The formats in tcpdump's order: index = how many -t select it. */
export const TIMESTAMP_FORMATS: readonly TimestampFormat[] = [
  "time",
  "none",
  "epoch",
  "delta",
  "date",
  "elapsed",
];

/** Digits after the second: 6 (microseconds, tcpdump's default) or 9. */
export type TimestampPrecision = "micro" | "nano";

const ERROR = "[Error converting time]";

function two(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

function convertible(sec: number): boolean {
  // tcpdump tests `(unsigned)sec & 0x80000000`: the low 32 bits of the seconds.
  return ((sec >>> 0) & 0x80000000) === 0;
}

/** ".ffffff" or ".fffffffff" of a fraction already in the precision's units. */
function fracText(frac: number, nano: boolean): string {
  return "." + String(frac).padStart(nano ? 9 : 6, "0");
}

/** The fraction of `nsec` in the precision's units (libpcap truncates to microseconds). */
function toFrac(nsec: number, nano: boolean): number {
  const n = Math.max(0, Math.min(999999999, Math.floor(nsec)));
  return nano ? n : Math.floor(n / 1000);
}

/**
 * "HH:MM:SS.ffffff" of `sec` (and `nsec` nanoseconds) in local time, tcpdump's default
 * timestamp (nine digits with "nano"); "[Error converting time]" where tcpdump 4.99 prints it.
 */
export function formatTimestamp(
  sec: number,
  nsec: number,
  precision: TimestampPrecision = "micro",
): string {
  if (!convertible(sec)) return ERROR;
  const t = new Date(sec * 1000);
  return `${two(t.getHours())}:${two(t.getMinutes())}:${two(t.getSeconds())}` +
    fracText(toFrac(nsec, precision === "nano"), precision === "nano");
}

/**
 * Formats the timestamps of one capture's packets in order (the deltas need the previous or
 * first packet). The time of day is computed once per second, so most packets cost only the
 * text of their fraction.
 */
export class TimestampClock {
  readonly format: TimestampFormat;
  readonly precision: TimestampPrecision;
  readonly #nano: boolean;
  /** The second whose time-of-day (or date) text is cached, and that text. */
  #cachedSec = NaN;
  #cachedText = "";
  /** The reference of -ttt (previous packet) and -ttttt (first packet); unset while 0.0. */
  #refSec = 0;
  #refFrac = 0;

  constructor(format: TimestampFormat = "time", precision: TimestampPrecision = "micro") {
    this.format = format;
    this.precision = precision;
    this.#nano = precision === "nano";
  }

  /** The text in front of a packet's line, its separating space included ("" for none). */
  next(sec: number, nsec: number): string {
    // Seconds modulo 2^32, as libpcap gives tcpdump those of a pcapng file.
    sec = sec >>> 0;
    switch (this.format) {
      case "none":
        return "";
      case "time":
      case "date":
        if (!convertible(sec)) return `${ERROR} `;
        return `${this.#wallClock(sec)}${fracText(toFrac(nsec, this.#nano), this.#nano)} `;
      case "epoch":
        if (!convertible(sec)) return `${ERROR} `;
        return `${sec}${fracText(toFrac(nsec, this.#nano), this.#nano)} `;
      case "delta":
      case "elapsed":
        return this.#since(sec, toFrac(nsec, this.#nano));
    }
  }

  /** Forgets the previous and first packet (a new capture). */
  reset(): void {
    this.#refSec = this.#refFrac = 0;
  }

  #wallClock(sec: number): string {
    if (sec !== this.#cachedSec) {
      const t = new Date(sec * 1000);
      const time = `${two(t.getHours())}:${two(t.getMinutes())}:${two(t.getSeconds())}`;
      this.#cachedText = this.format === "date"
        ? `${t.getFullYear()}-${two(t.getMonth() + 1)}-${two(t.getDate())} ${time}`
        : time;
      this.#cachedSec = sec;
    }
    return this.#cachedText;
  }

  /** " HH:MM:SS.ffffff " (or "-...") since the reference, then moves it for -ttt. */
  #since(sec: number, frac: number): string {
    if (this.#refSec === 0 && this.#refFrac === 0) {
      this.#refSec = sec;
      this.#refFrac = frac;
    }
    const unit = this.#nano ? 1e9 : 1e6;
    const negative = sec < this.#refSec || (sec === this.#refSec && frac < this.#refFrac);
    let ds = negative ? this.#refSec - sec : sec - this.#refSec;
    let df = negative ? this.#refFrac - frac : frac - this.#refFrac;
    if (df < 0) {
      ds--;
      df += unit;
    }
    if (this.format === "delta") {
      this.#refSec = sec;
      this.#refFrac = frac;
    }
    const sign = negative ? "-" : " ";
    if (!convertible(ds)) return `${sign}${ERROR} `;
    // gmtime: the time of day of a count of seconds.
    const day = ds % 86400;
    return `${sign}${two(Math.floor(day / 3600))}:${two(Math.floor(day / 60) % 60)}:${
      two(day % 60)
    }${fracText(df, this.#nano)} `;
  }
}
