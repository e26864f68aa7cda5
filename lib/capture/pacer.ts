/**
 * The pacing of the receive core (docs/DESIGN.md, the hot path): when to take the next batch at
 * once, when to nap, doze or poll, and when to look at the interface. The Pacer only decides;
 * the core sleeps (the nap is a timer, the doze and the poll are its sources' Waits).
 * @module
 */

/** How long the loop may run synchronous batches before it lets the event loop turn. */
const YIELD_MS = 5;
/** How often the interface is checked for being gone or down. */
const CHECK_MS = 1000;
/** Longest single wait when idle, so stop requests and deadlines are seen. */
const IDLE_WAIT_MS = 50;
/** How stale buffered output may get when the ring runs empty: flushing on every empty ring
 * cost ~400 ns per packet at moderate rates (many small writes; bench/README.md). */
export const FLUSH_MS = 50;
/** The nap after a busy pass runs dry. */
const NAP_MS = 1;
/**
 * What a nap may really take: Deno's setTimeout(1) (and setTimeout(0)) took 2.1 ms at the
 * median here and up to 11 ms (2000 tries on a pinned CPU). The nap is skipped when packets
 * arriving meanwhile at the rate just seen could fill half the UMEM (16384 frames: above
 * ~1 Mpps); the poll then returns as soon as data is in.
 */
const NAP_WORST_MS = 8;
export const nap = () => new Promise<void>((resolve) => setTimeout(resolve, NAP_MS));
/**
 * The sleep when the rate is too high for a timer: precise (nanosleep on the FFI thread pool)
 * and, unlike a poll, nothing the receiving softirq has to wake, so it does not slow the host's
 * receive path. 250 us is 4096 frames' worth at 16 Mpps.
 */
export const DOZE_US = 250;

/** What the receive core does after a pass over its sources (see {@link Pacer}). */
export enum Step {
  /** Take the next batch now. */
  Go,
  /** Await a NAP_MS timer, then take the next batch. */
  Nap,
  /** Await a DOZE_US sleep on the FFI thread pool, then take the next batch. */
  Doze,
  /** Await a poll of the sockets (off the JS thread), with the timeout Pacer.waitMs gives. */
  Wait,
  /** The loop ends (never from the Pacer: the core's stop conditions). */
  Stop,
}

/**
 * The pacing of the receive core (docs/DESIGN.md, the hot path): run batches back to back
 * while there are packets, letting the event loop turn every YIELD_MS; when a busy ring runs
 * dry, nap NAP_MS, or doze DOZE_US when the rate just seen could fill half the UMEM during a
 * late timer; when the ring stays dry, poll.
 */
export class Pacer {
  readonly #frames: number;
  #lastYield: number;
  #lastCheck: number;
  #busy = false;
  // When the loop last went to sleep, and the packets taken since: everything that arrived
  // over the last sleep and the drain after it, so their ratio is the arrival rate.
  #sleptAt: number;
  #pkts = 0;

  constructor(frames: number, now: number) {
    this.#frames = frames;
    this.#lastYield = this.#lastCheck = this.#sleptAt = now;
  }

  /** After a pass that took `n` packets; `now` is performance.now(). */
  next(n: number, now: number): Step {
    this.#pkts += n;
    if (n > 0 && now - this.#lastYield < YIELD_MS) {
      this.#busy = true;
      return Step.Go;
    }
    const wasBusy = this.#busy;
    this.#busy = n > 0;
    // Traffic was flowing a moment ago: a short timer lets the ring fill a batch for a few
    // microseconds of event-loop work, where a poll on the FFI thread pool costs a thread round
    // trip, usually finds data already there, and makes the kernel wake us on every flush
    // (bench/README.md). When the ring could overflow during a late timer at the rate just
    // seen, a precise doze instead. (Spinning on the ring cost more CPU and kept no more.)
    const napFits = this.#pkts * NAP_WORST_MS < (now - this.#sleptAt) * this.#frames / 2;
    this.#slept(now);
    if (n === 0 && wasBusy) return napFits ? Step.Nap : Step.Doze;
    return Step.Wait;
  }

  /** The loop goes to sleep (nap or poll): the arrival rate is measured from here. */
  #slept(now: number): void {
    this.#sleptAt = now;
    this.#pkts = 0;
  }

  /** The poll's timeout: 0 under load, else up to IDLE_WAIT_MS and never past the deadline. */
  waitMs(n: number, now: number, deadline: number): number {
    return n > 0 ? 0 : Math.ceil(Math.max(0, Math.min(IDLE_WAIT_MS, deadline - now)));
  }

  /** After a nap or a poll. */
  woke(now: number): void {
    this.#lastYield = now;
  }

  /** True once every CHECK_MS: time to look at the interface. */
  checkDue(now: number): boolean {
    if (now - this.#lastCheck < CHECK_MS) return false;
    this.#lastCheck = now;
    return true;
  }
}
