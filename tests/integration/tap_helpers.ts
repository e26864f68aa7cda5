// What the tap tests share: the addresses that make an interface the host's (and so a tap's),
// and a test on its own veth pair that leaves no namespace behind.
import assert from "node:assert/strict";
import {
  addAddress,
  leftoverNamespaces,
  mergedCorpus,
  rootOnly,
  type VethOptions,
  type VethPair,
  withPairAndDir,
} from "../../testbed/mod.ts";

export const CAPTURE_ADDR = "10.88.0.1";
export const SENDER_ADDR = "10.88.0.2";
/** A capture to end after SIGINT, or a child of the test to end (longer than testbed's). */
export const EXIT_MS = 20_000;

const skip = rootOnly("tap", "network namespaces, veth, XDP, tc") ? "no root" : undefined;

/**
 * A test on its own veth pair (made with `opts`; with `corpus`, an MTU that carries the corpus's
 * largest frame) and directory, with {@link CAPTURE_ADDR} and {@link SENDER_ADDR} on its ends
 * when `addresses`; no namespace of it is left afterwards.
 */
export function tapTest(
  name: string,
  fn: (pair: VethPair, dir: string) => Promise<void>,
  opts: VethOptions & { addresses?: boolean; corpus?: boolean } = {},
): void {
  Deno.test({ name, ignore: skip !== undefined }, async () => {
    const veth: VethOptions = { ...opts };
    if (opts.corpus) veth.mtu = Math.max(1500, (await mergedCorpus()).maxFrameLen - 14);
    await withPairAndDir("xskt-tap-", async (pair, dir) => {
      if (opts.addresses) {
        await addAddress(pair.captureNs, pair.captureIf, `${CAPTURE_ADDR}/24`);
        await addAddress(pair.senderNs, pair.senderIf, `${SENDER_ADDR}/24`);
      }
      await fn(pair, dir);
    }, veth);
    assert.deepEqual(await leftoverNamespaces(), []);
  });
}
