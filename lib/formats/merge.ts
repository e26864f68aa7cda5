/**
 * The k-way merge of capture streams that arrive side by side (`xskdump fleet`: one stream per
 * host) into one stream in timestamp order, with bounded memory and bounded delay.
 *
 * Each source has a queue of the records that arrived from it and are not written yet (its
 * lookahead). The record with the earliest time among the queues' heads goes out once no other
 * source could still send an earlier one: when every source that is still sending has something
 * queued. While one has nothing, the others' records wait, but none longer than `delayMs` after
 * it arrived: then the earliest ones go until no record is overdue. So a silent (idle, slow or
 * dead) source delays the output by at most the delay, and a source whose records come later
 * than that (its host was slower than the delay) has them go out late. A source whose lookahead
 * reaches `maxQueuedBytes` lets records go without waiting either, so memory stays bounded
 * whatever a source sends. A record that arrives after a later one went out still goes out, at
 * once: nothing is dropped, and {@link CaptureMerge.late} counts those.
 *
 * Choosing the next record costs O(log k) (a heap of the sources by their head's time), plus
 * O(k) while a source has nothing (the oldest arrival); time is passed in (`now`, ms), so the
 * merge is deterministic and has no timer of its own: the caller calls
 * {@link CaptureMerge.drain} after input and when the delay it returned is over.
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
  /** The longest a record waits for a source with nothing queued, ms. */
  delayMs: number;
  /** A source's lookahead, in bytes of its records: reached, its records stop waiting. */
  maxQueuedBytes: number;
}

/** One source's queue: a FIFO over an array, compacted as its head advances. */
class Queue<T> {
  items: T[] = [];
  sizes: number[] = [];
  /** When each record arrived (ms). */
  arrivals: number[] = [];
  head = 0;
  bytes = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T, size: number, now: number): void {
    this.items.push(item);
    this.sizes.push(size);
    this.arrivals.push(now);
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
      this.arrivals.length = 0;
      this.head = 0;
    } else if (this.head >= 4096 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.arrivals = this.arrivals.slice(this.head);
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
  /** Sources with nothing queued that have not ended: while there are any, records wait. */
  #empty: number;
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
    this.#empty = n;
    this.#late = new Array(n).fill(0);
  }

  /** A record from `source` arrived at `now` (ms), `size` bytes of it held (for the bound). */
  push(source: number, item: T, size: number, now: number): void {
    const q = this.#queue(source);
    if (this.#ended[source]) throw new Error(`source ${source} has ended`);
    const wasFull = q.bytes >= this.#maxBytes;
    q.push(item, size, now);
    if (!wasFull && q.bytes >= this.#maxBytes) this.#full++;
    if (q.length === 1) {
      this.#empty--;
      this.#heapPush(source);
    }
  }

  /** No more records will come from `source` (what it has queued still goes out). */
  end(source: number): void {
    const q = this.#queue(source);
    if (this.#ended[source]) return;
    this.#ended[source] = true;
    if (q.length === 0) this.#empty--;
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
   * nothing waits, else the ms until the oldest record waiting is due (call again then, or when
   * more input arrives). An exception from `emit` passes through; the record it was given counts
   * as out.
   */
  drain(now: number, emit: (item: T, source: number) => void): number | undefined {
    const heap = this.#heap;
    while (heap.length > 0) {
      if (this.#empty > 0 && this.#full === 0) {
        const due = this.#oldestArrival() + this.#delay;
        if (due > now) return due - now;
      }
      const s = heap[0];
      const q = this.#queues[s];
      const wasFull = q.bytes >= this.#maxBytes;
      const item = q.shift();
      if (wasFull && q.bytes < this.#maxBytes) this.#full--;
      if (q.length > 0) {
        this.#siftDown(0);
      } else {
        this.#heapPop();
        if (!this.#ended[s]) this.#empty++;
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

  /** When the record that has waited longest arrived (every queue is in arrival order). */
  #oldestArrival(): number {
    let oldest = Infinity;
    for (const s of this.#heap) {
      const q = this.#queues[s];
      const t = q.arrivals[q.head];
      if (t < oldest) oldest = t;
    }
    return oldest;
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
