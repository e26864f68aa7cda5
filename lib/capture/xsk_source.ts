/**
 * AF_XDP sockets as sources of the receive core (core.ts): one socket per RX queue, each
 * record a frame of its UMEM.
 * @module
 */
import { type XdpProgram, XskSocket } from "../../ffi/xsk.ts";
import type { Source, Waits } from "./core.ts";
import { GUARD_KINDS, type GuardFinding } from "./integrity.ts";

/** One socket: take is xsk_rx_batch, give is xsk_fill (which returns the guard's total). */
export class XskSource implements Source {
  readonly queue: number;
  readonly #sock: XskSocket;

  constructor(sock: XskSocket) {
    this.#sock = sock;
    this.queue = sock.queue;
  }

  /** The socket's UMEM (empty once it is closed). */
  get view(): Uint8Array {
    return this.#sock.umem;
  }

  take(descs: Uint32Array<ArrayBuffer>, max: number): number {
    return this.#sock.rxBatch(descs, max);
  }

  give(descs: Uint32Array<ArrayBuffer>, n: number): number {
    return this.#sock.fill(descs, n);
  }

  violations(): number {
    return this.#sock.guardTotal();
  }

  findings(): GuardFinding[] {
    return this.#sock.guardReport().map(([count, firstAddr, firstDescriptor], k) => ({
      kind: GUARD_KINDS[k],
      count,
      firstAddr,
      firstDescriptor,
      queue: this.queue,
    }));
  }

  /** Unregisters from the XSKMAP: new packets pass to the stack, the ring can be drained. */
  stop(): void {
    this.#sock.stop();
  }

  warm(on: boolean): void {
    this.#sock.warm(on);
  }
}

/** Polls the sockets (one alone, or several at once), naps, checks the interface. */
export class XskWaits implements Waits {
  readonly #prog: XdpProgram;
  readonly #socks: XskSocket[];
  readonly #handles: Int32Array<ArrayBuffer>;

  constructor(prog: XdpProgram, socks: XskSocket[]) {
    this.#prog = prog;
    this.#socks = socks;
    this.#handles = new Int32Array(socks.map((s) => s.handle));
  }

  wait(ms: number): Promise<boolean> {
    return this.#socks.length === 1
      ? this.#socks[0].wait(ms)
      : XskSocket.waitAny(this.#prog, this.#handles, ms);
  }

  nap(usec: number): void {
    XskSocket.nap(this.#prog, usec);
  }

  /** One socket tells: every one is on the same interface. */
  check(): void {
    this.#socks[0].check();
  }
}
