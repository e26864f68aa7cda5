/**
 * The pacing of the receive core (docs/DESIGN.md, the hot path): when to take the next batch at
 * once, when to nap, when to poll, and when to look at the interface. The Pacer only decides;
 * the core sleeps (the nap and the poll are its sources' Waits).
 * @module
 */

/** How long the loop may run without letting the event loop turn (signals, timers). */
const YIELD_MS = 5;
/** How often the interface is checked for being gone or down. */
const CHECK_MS = 1000;
/** Longest single wait when idle, so stop requests and deadlines are seen. */
const IDLE_WAIT_MS = 50;
/** How stale buffered output may get when the ring runs empty: flushing on every empty ring
 * cost ~400 ns per packet at moderate rates (many small writes; bench/README.md). */
export const FLUSH_MS = 50;
/**
 * The nap after a busy pass runs dry, as the C loop naps (bench/xsk_limit.c -u 1000): a
 * nanosleep in the loop's own thread, precise and nothing for the receiving softirq to wake.
 * A "1 ms" Deno timer took 2.1 ms at the median here and up to 11 ms (more than 16384 frames
 * last at 3.3 Mpps), a sleep on the FFI thread pool costs a thread hop each way.
 */
export const NAP_MAX_US = 1000;
/** The shortest nap: below it the syscall costs more than the batch it waits for. */
export const NAP_MIN_US = 50;
/** A nap lets at most this share of the UMEM fill at the rate just seen. */
const NAP_UMEM_SHARE = 1 / 4;

/** What the receive core does after a pass over its sources (see {@link Pacer}). */
export enum Step {
  /** Take the next batch now. */
  Go,
  /** Nap Pacer.napUs in the loop's thread (synchronous), then take the next batch. */
  Nap,
  /** Await a poll of the sockets (off the JS thread), with the timeout Pacer.waitMs gives. */
  Wait,
  /** The loop ends (never from the Pacer: the core's stop conditions). */
  Stop,
}

/**
 * The pacing of the receive core (docs/DESIGN.md, the hot path): run batches back to back
 * while there are packets; when a busy ring runs dry, nap (up to NAP_MAX_US, less when the rate
 * just seen would fill a quarter of the UMEM meanwhile); when the ring stays dry, poll; and let
 * the event loop turn (a poll with timeout 0) at least every YIELD_MS.
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
  /** The length of the nap next() asked for, us. */
  napUs = NAP_MAX_US;

  constructor(frames: number, now: number) {
    this.#frames = frames;
    this.#lastYield = this.#sleptAt = now;
    // The first pass checks the interface too: a warm-up's loop (lib/capture/drive.ts) then
    // runs that branch, and V8 compiles it with the rest instead of dropping the compiled loop
    // a second into the capture, when it first ran.
    this.#lastCheck = now - CHECK_MS;
  }

  /** After a pass that took `n` packets; `now` is performance.now(). */
  next(n: number, now: number): Step {
    this.#pkts += n;
    const turnDue = now - this.#lastYield >= YIELD_MS;
    if (n > 0 && !turnDue) {
      this.#busy = true;
      return Step.Go;
    }
    const wasBusy = this.#busy;
    this.#busy = n > 0;
    if (n === 0 && wasBusy && !turnDue) {
      // Traffic was flowing a moment ago: the ring fills a batch while we sleep, precisely
      // and for no more than a share of the UMEM at the rate just seen. A poll instead would
      // cost a thread hop and make the kernel wake us on every flush (bench/README.md).
      const perUs = this.#pkts / Math.max(1, (now - this.#sleptAt) * 1000);
      const fits = perUs > 0 ? (this.#frames * NAP_UMEM_SHARE) / perUs : NAP_MAX_US;
      this.napUs = Math.max(NAP_MIN_US, Math.min(NAP_MAX_US, Math.floor(fits)));
      this.#slept(now);
      return Step.Nap;
    }
    this.#slept(now);
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

  /** After a poll: the event loop turned. (A nap does not turn it.) */
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
