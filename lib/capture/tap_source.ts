/**
 * A tap's BPF ring buffer as the source of the receive core (core.ts): one source for every
 * queue and both directions, each record a packet copied by the tap programs, in arrival order.
 * @module
 */
import type { TapProgram } from "../../ffi/tap.ts";
import type { Source, Waits } from "./core.ts";
import type { GuardFinding } from "./integrity.ts";

/** The ring buffer: take is xsk_ring_batch, give is xsk_ring_give. */
export class RingSource implements Source {
  /** Records carry their own queue and direction. */
  readonly queue = -1;
  readonly #tap: TapProgram;

  constructor(tap: TapProgram) {
    this.#tap = tap;
  }

  /** The ring buffer's data, mapped twice in a row: read-only (empty once it is closed). */
  get view(): Uint8Array {
    return this.#tap.view;
  }

  take(descs: Uint32Array<ArrayBuffer>, max: number): number {
    return this.#tap.batch(descs, max);
  }

  /** Gives the batch back; a ring buffer has no ownership ledger, so no violations. */
  give(_descs: Uint32Array<ArrayBuffer>, _n: number): number {
    this.#tap.give();
    return 0;
  }

  violations(): number {
    return 0;
  }

  findings(): GuardFinding[] {
    return [];
  }

  /** The copy stages go: new packets only pass; the ring buffer can be drained. */
  stop(): void {
    this.#tap.stop();
  }

  warm(on: boolean): void {
    this.#tap.warm(on);
  }
}

/** Polls the ring buffer's map, naps, checks the interface. */
export class RingWaits implements Waits {
  readonly #tap: TapProgram;

  constructor(tap: TapProgram) {
    this.#tap = tap;
  }

  wait(ms: number): Promise<boolean> {
    return this.#tap.wait(ms);
  }

  nap(usec: number): void {
    this.#tap.nap(usec);
  }

  check(): void {
    this.#tap.check();
  }
}

/**
 * Records the core treats a ring buffer as holding, for its pacing (Pacer: how long a late
 * timer may be before the ring overflows): small packets', whose records are the most per byte
 * (8-byte kernel header, 32-byte record header, 64 bytes of frame, rounded: 128).
 */
export function ringRecords(ringSize: number): number {
  return Math.max(64, Math.floor(ringSize / 128));
}
