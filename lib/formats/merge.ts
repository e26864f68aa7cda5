/**
 * The k-way merge of capture streams that arrive side by side (`xskdump fleet`: one stream per
 * host) into one stream in timestamp order, with bounded memory and bounded delay.
 *
 * Each source has a queue of the records that arrived from it and are not written yet (its
 * lookahead). The record with the earliest time among the queues' heads goes out once no other
 * source could still send an earlier one: when every source that is still sending has something
 * queued. A source with nothing queued holds the output back for at most `delayMs` (measured
 * from when its queue ran empty); after that it counts as silent until it sends again, so an idle
 * host costs the others one delay, not a stall. A source whose lookahead reaches `maxQueuedBytes`
 * lets its records go without waiting for silent ones either, so memory stays bounded whatever a
 * source sends. A record that arrives after a later one went out (its source was silent longer
 * than the delay, or its lookahead overflowed) still goes out, at once: nothing is dropped, and
 * {@link CaptureMerge.late} counts those.
 *
 * Choosing the next record costs O(log k) (a heap of the sources by their head's time); time is
 * passed in (`now`, ms), so the merge is deterministic and has no timer of its own: the caller
 * calls {@link CaptureMerge.drain} after input and when the delay it returned is over.
 * @module
 */

/** What the merge orders by: a record's time. */
export interface Timed {
  sec: number;
  nsec: number;
}

/** Options of {@link CaptureMerge}. */
export interface MergeOptions {
  /** The number of sources (0 .. sources-1). */
  sources: number;
  /** The longest a source with nothing queued holds the output back, ms. */
  delayMs: number;
  /** A source's lookahead, in bytes of its records: reached, its records stop waiting. */
  maxQueuedBytes: number;
  /** The time the sources start (ms, the clock `now` is on): they are silent delayMs later. */
  now: number;
}

/** One source's queue: a FIFO over an array, compacted as its head advances. */
class Queue<T> {
  items: T[] = [];
  sizes: number[] = [];
  head = 0;
  bytes = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T, size: number): void {
    this.items.push(item);
    this.sizes.push(size);
    this.bytes += size;
  }

  shift(): T {
    const item = this.items[this.head];
    this.bytes -= this.sizes[this.head];
    this.items[this.head] = undefined as T; // let it go
    this.head++;
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.sizes.length = 0;
      this.head = 0;
    } else if (this.head >= 4096 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

/** Merges records of `sources` streams into time order; see the module. */
export class CaptureMerge<T extends Timed> {
  readonly #delay: number;
  readonly #maxBytes: number;
  readonly #queues: Queue<T>[];
  readonly #ended: boolean[];
  /** When each source's queue last ran empty (ms). */
  readonly #emptySince: number[];
  /** Sources with nothing queued that still send and are not silent yet: they hold the output. */
  readonly #waiting = new Set<number>();
  /** Sources with something queued, as a binary heap by their head's time (ties: lower index). */
  readonly #heap: number[] = [];
  readonly #late: number[];
  /** Sources whose lookahead is full. */
  #full = 0;
  #lastSec = -1;
  #lastNsec = 0;

  constructor(opts: MergeOptions) {
    if (!Number.isInteger(opts.sources) || opts.sources < 1) {
      throw new RangeError(`sources must be a positive integer, got ${opts.sources}`);
    }
    if (!(opts.delayMs >= 0)) throw new RangeError(`delayMs must be >= 0, got ${opts.delayMs}`);
    if (!(opts.maxQueuedBytes > 0)) {
      throw new RangeError(`maxQueuedBytes must be positive, got ${opts.maxQueuedBytes}`);
    }
    this.#delay = opts.delayMs;
    this.#maxBytes = opts.maxQueuedBytes;
    const n = opts.sources;
    this.#queues = Array.from({ length: n }, () => new Queue<T>());
    this.#ended = new Array(n).fill(false);
    this.#emptySince = new Array(n).fill(opts.now);
    this.#late = new Array(n).fill(0);
    for (let s = 0; s < n; s++) this.#waiting.add(s);
  }

  /** A record from `source`, `size` bytes of it held (for the lookahead's bound). */
  push(source: number, item: T, size: number): void {
    const q = this.#queue(source);
    if (this.#ended[source]) throw new Error(`source ${source} has ended`);
    const wasFull = q.bytes >= this.#maxBytes;
    q.push(item, size);
    if (!wasFull && q.bytes >= this.#maxBytes) this.#full++;
    if (q.length === 1) {
      this.#waiting.delete(source);
      this.#heapPush(source);
    }
  }

  /** No more records will come from `source` (what it has queued still goes out). */
  end(source: number): void {
    this.#queue(source);
    this.#ended[source] = true;
    this.#waiting.delete(source);
  }

  /** Records queued for `source`. */
  queued(source: number): number {
    return this.#queue(source).length;
  }

  /** Records queued for all sources together. */
  get size(): number {
    return this.#queues.reduce((n, q) => n + q.length, 0);
  }

  /** Records of `source` that went out after a later record of another source. */
  late(source: number): number {
    this.#queue(source);
    return this.#late[source];
  }

  /** Every source ended and nothing is queued. */
  get done(): boolean {
    return this.#ended.every((e) => e) && this.#heap.length === 0;
  }

  /**
   * Hands every record that may go out at `now` to `emit`, in time order. Returns undefined when
   * nothing waits, else the ms after which a silent source stops holding the rest back (call
   * again then, or when more input arrives). An exception from `emit` passes through; the record
   * it was given counts as out.
   */
  drain(now: number, emit: (item: T, source: number) => void): number | undefined {
    const heap = this.#heap;
    while (heap.length > 0) {
      const hold = this.#full > 0 ? 0 : this.#holdUntil(now);
      if (hold > now) return hold - now;
      const s = heap[0];
      const q = this.#queues[s];
      const wasFull = q.bytes >= this.#maxBytes;
      const item = q.shift();
      if (wasFull && q.bytes < this.#maxBytes) this.#full--;
      if (q.length > 0) {
        this.#siftDown(0);
      } else {
        this.#heapPop();
        this.#emptySince[s] = now;
        if (!this.#ended[s]) this.#waiting.add(s);
      }
      if (item.sec < this.#lastSec || (item.sec === this.#lastSec && item.nsec < this.#lastNsec)) {
        this.#late[s]++;
      } else {
        this.#lastSec = item.sec;
        this.#lastNsec = item.nsec;
      }
      emit(item, s);
    }
    return undefined;
  }

  /** Until when (ms) the sources waiting hold the output back; those past it turn silent. */
  #holdUntil(now: number): number {
    let until = 0;
    for (const s of this.#waiting) {
      const t = this.#emptySince[s] + this.#delay;
      if (t <= now) this.#waiting.delete(s); // silent: it holds nothing back until it sends
      else if (t > until) until = t;
    }
    return until;
  }

  #queue(source: number): Queue<T> {
    const q = this.#queues[source];
    if (q === undefined) throw new RangeError(`no source ${source}`);
    return q;
  }

  /** Whether source a's head goes before source b's. */
  #before(a: number, b: number): boolean {
    const qa = this.#queues[a];
    const qb = this.#queues[b];
    const x = qa.items[qa.head];
    const y = qb.items[qb.head];
    if (x.sec !== y.sec) return x.sec < y.sec;
    if (x.nsec !== y.nsec) return x.nsec < y.nsec;
    return a < b;
  }

  #heapPush(s: number): void {
    const heap = this.#heap;
    let i = heap.push(s) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#before(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  #heapPop(): void {
    const heap = this.#heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    heap[0] = last;
    this.#siftDown(0);
  }

  #siftDown(i: number): void {
    const heap = this.#heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && this.#before(heap[l], heap[m])) m = l;
      if (r < heap.length && this.#before(heap[r], heap[m])) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  }
}
