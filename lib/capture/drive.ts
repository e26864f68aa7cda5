/**
 * The CLI's loop over the receive core (core.ts), and its warm-up: the same loop run over
 * synthetic batches before the capture starts, so that V8 has compiled it when the first
 * packet comes.
 *
 * Why a warm-up (measured, bench/README.md): the loop starts in V8's interpreter and is
 * compiled once it has run a few thousand batches. Under a flood that happens during the first
 * packets, with the compiler threads yielding to the loop (csrc/threads.c), and the UMEM
 * overflowed for the first ~0.5 s at 3.7 Mpps: every loss of a 3 s trial was there. Run before
 * start, on the same objects (so the compiled code sees the same shapes and is kept), the loop
 * is compiled before any packet can wait for it.
 * @module
 */
import { DESC_WORDS } from "../../ffi/abi.ts";
import {
  type BatchSink,
  type PacketSink,
  type ReceiveCore,
  type RunLimits,
  type Source,
  Step,
  takesBatches,
  toSink,
} from "./core.ts";
import type { CaptureResult } from "./options.ts";

/** Longest single wait for room in a slow output, so the loop looks up now and then. */
const ROOM_WAIT_MS = 100;

/**
 * Drives `core` until it stops: every batch into the sink (whole, for a sink that takes
 * batches). Returns why it stopped; the sink is flushed.
 */
export async function runLoop(
  core: ReceiveCore,
  sink: PacketSink,
  descs: Uint32Array<ArrayBuffer>,
  limits: RunLimits,
): Promise<CaptureResult> {
  const sources = core.sources;
  const batches = takesBatches(sink) ? sink : undefined;
  const eachBatch = sink.packetBuffered === true;
  let result: CaptureResult;
  try {
    core.begin(descs, limits, () => sink.flush());
    for (;;) {
      for (let n = core.next(); n > 0; n = core.next()) {
        const src = sources[core.source];
        if (batches === undefined) {
          toSink(sink, src, descs, n);
          if (eachBatch) sink.flush();
          continue;
        }
        // A file slower than the capture: the batch stays held (once the UMEM is all
        // held the kernel counts drops) until the writer has room again.
        for (let done = batches.putBatch(src, descs, 0, n); done < n;) {
          await batches.waitRoom(ROOM_WAIT_MS);
          done += batches.putBatch(src, descs, done, n);
        }
      }
      const step = core.endPass();
      if (step === Step.Stop) break;
      if (step !== Step.Go) await core.pause(step);
    }
    result = { reason: core.reason ?? "signal" };
  } catch (e) {
    result = { reason: "error", error: e };
  }
  try {
    core.release(); // the sink threw: its batch goes back
    sink.flush();
  } catch (e) {
    if (result.reason !== "error") result = { reason: "error", error: e };
  }
  return result;
}

/**
 * Batches per warm-up round: V8 optimizes a function once it ran a few thousand times (Maglev
 * first, TurboFan later), and the loop's functions run once or twice per batch.
 */
const WARM_BATCHES = 3000;
/** Rounds; between them the compiler threads get the CPU. */
const WARM_ROUNDS = 10;
/**
 * The pause between rounds. The compilers run on threads of their own; on a CPU shared with the
 * loop (one pinned core) they run only while the loop does not.
 */
const WARM_PAUSE_MS = 5;

/** What a warm-up did: how long each round took (ms, the pauses not counted). */
export interface WarmUp {
  rounds: number[];
}

/**
 * Runs runLoop on `core` over synthetic batches (Source.warm, BatchSink.warm: nothing is read
 * from a ring, nothing written), then forgets the counts: the same objects as the capture's
 * loop, so the code V8 compiles for them is kept. The sources must not have started; they and
 * the sink are back to normal when it returns or throws.
 */
export async function warmUp(
  core: ReceiveCore,
  sink: BatchSink,
  descs: Uint32Array<ArrayBuffer>,
): Promise<WarmUp> {
  // run()'s shapes (an AbortSignal that never fires).
  const limits: RunLimits = {
    count: WARM_BATCHES * Math.floor(descs.length / DESC_WORDS),
    signal: new AbortController().signal,
  };
  const rounds: number[] = [];
  const warmed: Source[] = [];
  try {
    for (const s of core.sources) {
      s.warm(true);
      warmed.push(s);
    }
    sink.warm?.(true);
    while (rounds.length < WARM_ROUNDS) {
      const t0 = performance.now();
      const r = await runLoop(core, sink, descs, limits);
      if (r.reason === "error") throw r.error;
      rounds.push(performance.now() - t0);
      await new Promise((resolve) => setTimeout(resolve, WARM_PAUSE_MS));
    }
  } finally {
    core.forget();
    sink.warm?.(false);
    for (const s of warmed) s.warm(false);
  }
  return { rounds };
}
