/**
 * The UMEM's geometry: how big a frame is and how many frames a captured queue gets.
 * @module
 */
import { DEFAULT_BUFFER_BYTES, DEFAULT_FRAMES } from "../../ffi/abi.ts";

export { DEFAULT_BUFFER_BYTES, DEFAULT_FRAMES };
/** Fewer frames than this leave no room for batches in flight and a nap. */
const MIN_FRAMES = 256;
/** XDP_PACKET_HEADROOM: the kernel keeps it in front of every packet in a frame. */
const HEADROOM = 256;

/**
 * The frame size for a capture: 2 KiB when the largest frame the interface can receive (MTU,
 * Ethernet header, two VLAN tags) fits behind the headroom, which doubles the frames a buffer
 * holds; 4 KiB otherwise, and always in generic mode, where the stack can hand XDP packets
 * bigger than the MTU (GRO).
 */
export function frameSizeFor(mode: string, mtu: number): number {
  return mode === "native" && mtu + 14 + 8 <= 2048 - HEADROOM ? 2048 : 4096;
}

/**
 * Frames per queue by default: DEFAULT_FRAMES shared among the queues captured (RSS spreads the
 * traffic, so each queue sees a share of the rate), at least 4096 each: `--queue all` on a 16-queue
 * NIC locks 16 x 8 or 16 MiB, not 16 x 32 or 64.
 */
export function defaultFrames(queues: number): number {
  return Math.max(4096, 2 ** Math.floor(Math.log2(DEFAULT_FRAMES / Math.max(1, queues))));
}

/** The power-of-two frame count that fits in `bytes`; RangeError below MIN_FRAMES. */
export function framesFor(bytes: number, frameSize: number): number {
  const n = Math.floor(bytes / frameSize);
  if (!Number.isFinite(n) || n < MIN_FRAMES) {
    throw new RangeError(
      `a buffer of ${Math.floor(bytes / 1024)} KiB holds fewer than ${MIN_FRAMES} frames of ` +
        `${frameSize} bytes`,
    );
  }
  return 2 ** Math.floor(Math.log2(Math.min(n, 2 ** 20)));
}

/** The smallest ring buffer a tap takes: 4 pages of 4 KiB. */
const MIN_RING_BYTES = 16384;
/** The largest: the shim's offsets are 32-bit, and the data is mapped twice. */
const MAX_RING_BYTES = 1 << 30;

/**
 * A tap's ring buffer for a buffer of `bytes` (-B; default DEFAULT_BUFFER_BYTES, the default
 * UMEM's size): the power of two that fits, one ring buffer for every queue and both
 * directions. RangeError below 16 KiB.
 */
export function ringBytesFor(bytes: number = DEFAULT_BUFFER_BYTES): number {
  if (!Number.isFinite(bytes) || bytes < MIN_RING_BYTES) {
    throw new RangeError(
      `a ring buffer of ${Math.floor(bytes / 1024)} KiB is smaller than ${
        MIN_RING_BYTES >> 10
      } KiB`,
    );
  }
  return 2 ** Math.floor(Math.log2(Math.min(bytes, MAX_RING_BYTES)));
}
