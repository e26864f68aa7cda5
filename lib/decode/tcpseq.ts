/**
 * The connections TCP's relative sequence numbers are counted from (tcpdump's tcp_seq_hash):
 * per connection, keyed by its addresses and ports in one collating order for both directions,
 * the sequence and acknowledgement numbers its first segment with ACK carried.
 *
 * Unlike tcpdump's table, which grows with every connection it ever sees, this one holds at most
 * `capacity` connections and forgets the least recently seen first, so memory stays bounded
 * whatever the traffic. A forgotten connection starts over on its next segment, as a connection
 * seen mid-stream does (tcpdump would have kept counting from its first base). All state is in
 * typed arrays made once: a lookup allocates nothing.
 *
 * @module
 */

/** Bytes of a key: port pair (4), family (1), two IPv6 addresses (32), padding. */
const KEY = 40;

/** Default number of connections remembered. */
export const TCP_SEQ_CONNECTIONS = 16384;

/** A bounded least-recently-used table of connections and their base numbers. */
export class TcpSeqTable {
  readonly capacity: number;
  /** Per slot: the base sequence number of the key's first direction, and its ack base. */
  readonly seq: Uint32Array;
  readonly ack: Uint32Array;
  readonly #keys: Uint8Array;
  readonly #buckets: Int32Array;
  /** Next slot in the same bucket, -1 at the end. */
  readonly #chain: Int32Array;
  readonly #bucketOf: Int32Array;
  /** Recency list: head is the most recently used slot. */
  readonly #prev: Int32Array;
  readonly #next: Int32Array;
  #head = -1;
  #tail = -1;
  #used = 0;
  /** The key being looked up, filled by {@link setKey}. */
  readonly #key = new Uint8Array(KEY);
  #keyHash = 0;

  constructor(capacity = TCP_SEQ_CONNECTIONS) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`connections must be a positive integer, not ${capacity}`);
    }
    this.capacity = capacity;
    this.seq = new Uint32Array(capacity);
    this.ack = new Uint32Array(capacity);
    this.#keys = new Uint8Array(capacity * KEY);
    let buckets = 1;
    while (buckets < capacity * 2) buckets *= 2;
    this.#buckets = new Int32Array(buckets).fill(-1);
    this.#chain = new Int32Array(capacity).fill(-1);
    this.#bucketOf = new Int32Array(capacity);
    this.#prev = new Int32Array(capacity).fill(-1);
    this.#next = new Int32Array(capacity).fill(-1);
  }

  /** Connections held now. */
  get size(): number {
    return this.#used;
  }

  /** Forgets every connection. */
  clear(): void {
    this.#buckets.fill(-1);
    this.#head = this.#tail = -1;
    this.#used = 0;
  }

  /**
   * Sets the key of the next {@link find} or {@link add}: the `alen`-byte addresses at `a` and
   * `b` of `d` with the ports `pa`/`pb` (already in the collating order), 4 or 16 bytes each.
   */
  setKey(d: Uint8Array, a: number, b: number, alen: number, pa: number, pb: number): void {
    const k = this.#key;
    k.fill(0);
    k[0] = pa >> 8;
    k[1] = pa & 0xff;
    k[2] = pb >> 8;
    k[3] = pb & 0xff;
    k[4] = alen;
    for (let i = 0; i < alen; i++) {
      k[5 + i] = d[a + i];
      k[5 + alen + i] = d[b + i];
    }
    // FNV-1a over the used bytes.
    let h = 0x811c9dc5;
    const n = 5 + 2 * alen;
    for (let i = 0; i < n; i++) h = Math.imul(h ^ k[i], 0x01000193);
    this.#keyHash = (h >>> 0) & (this.#buckets.length - 1);
  }

  /** The slot of the key set last, made the most recent; -1 when not held. */
  find(): number {
    const keys = this.#keys;
    const k = this.#key;
    for (let s = this.#buckets[this.#keyHash]; s >= 0; s = this.#chain[s]) {
      const base = s * KEY;
      let i = 0;
      while (i < KEY && keys[base + i] === k[i]) i++;
      if (i === KEY) {
        this.#touch(s);
        return s;
      }
    }
    return -1;
  }

  /**
   * Holds the key set last (which {@link find} did not find) in a slot, the least recently used
   * one when all are taken, and returns it; its numbers are the caller's to set.
   */
  add(): number {
    let s: number;
    if (this.#used < this.capacity) {
      s = this.#used++;
    } else {
      s = this.#tail;
      this.#unlinkRecency(s);
      this.#unlinkBucket(s);
    }
    this.#keys.set(this.#key, s * KEY);
    const b = this.#keyHash;
    this.#bucketOf[s] = b;
    this.#chain[s] = this.#buckets[b];
    this.#buckets[b] = s;
    this.#pushFront(s);
    return s;
  }

  #touch(s: number): void {
    if (this.#head === s) return;
    this.#unlinkRecency(s);
    this.#pushFront(s);
  }

  #pushFront(s: number): void {
    this.#prev[s] = -1;
    this.#next[s] = this.#head;
    if (this.#head >= 0) this.#prev[this.#head] = s;
    this.#head = s;
    if (this.#tail < 0) this.#tail = s;
  }

  #unlinkRecency(s: number): void {
    const p = this.#prev[s];
    const n = this.#next[s];
    if (p >= 0) this.#next[p] = n;
    else this.#head = n;
    if (n >= 0) this.#prev[n] = p;
    else this.#tail = p;
  }

  #unlinkBucket(s: number): void {
    const b = this.#bucketOf[s];
    let at = this.#buckets[b];
    if (at === s) {
      this.#buckets[b] = this.#chain[s];
      return;
    }
    while (at >= 0 && this.#chain[at] !== s) at = this.#chain[at];
    if (at >= 0) this.#chain[at] = this.#chain[s];
  }
}
