/**
 * Thin wrappers of the shim's interface list (-D), XDP features, privilege drop (-Z) and the
 * capture loop's CPU: csrc/ifaces.c, csrc/privileges.c and csrc/threads.c. Errors are XskError with the shim's text.
 * @module
 */
import { THREAD, THREAD_WORDS, USER_WORDS } from "./abi.ts";
import { loadShim } from "./loader.ts";
import type { Shim } from "./symbols.ts";
import { check, cString, XskError } from "./xsk.ts";

/** One network interface as libpcap lists it for tcpdump -D. */
export interface ListedInterface {
  name: string;
  /** libpcap's PCAP_IF_* flags (IFACE in abi.ts). */
  flags: number;
  /** libpcap's description ("" for none). */
  description: string;
}

/** The network interfaces of this namespace in tcpdump -D's order. Needs no privileges. */
export function listInterfaces(shim: Shim = loadShim()): ListedInterface[] {
  let buf = new Uint8Array(4096);
  for (;;) {
    const n = check(shim, shim.xsk_interfaces(buf, buf.length), "list the interfaces");
    if (n < buf.length) {
      return new TextDecoder().decode(buf.subarray(0, n)).split("\n").filter((l) => l !== "")
        .map((l) => {
          const [name, flags, ...description] = l.split("\t");
          return { name, flags: Number(flags), description: description.join("\t") };
        });
    }
    buf = new Uint8Array(n + 1);
  }
}

/**
 * What the driver of `iface` does with XDP (NETDEV_XDP_ACT_* bits, XDP_FEATURE in abi.ts), or
 * undefined when the kernel does not say (before Linux 6.3). Throws XskError ENODEV for no such
 * interface.
 */
export function xdpFeatures(iface: string, shim: Shim = loadShim()): number | undefined {
  const v = new BigUint64Array(1);
  try {
    check(shim, shim.xsk_xdp_features(cString(iface), v), `XDP features of ${iface}`);
  } catch (e) {
    if (e instanceof XskError && e.code !== "ENODEV") return undefined;
    throw e;
  }
  return Number(v[0]);
}

/** A user -Z names: its ids, and whether this process runs as root (else -Z changes nothing). */
export interface UserIds {
  uid: number;
  gid: number;
  asRoot: boolean;
}

/** The ids of a user name; throws XskError ENOENT when there is no such user. */
export function userIds(user: string, shim: Shim = loadShim()): UserIds {
  const v = new Uint32Array(USER_WORDS);
  check(shim, shim.xsk_user_ids(cString(user), v, v.length), `user ${user}`);
  return { uid: v[0], gid: v[1], asRoot: v[2] === 1 };
}

/**
 * Becomes `user` for good (its groups, group and uid), every thread, as tcpdump -Z does. Returns
 * false, changing nothing, when not running as root.
 */
export function dropPrivileges(user: string, shim: Shim = loadShim()): boolean {
  return check(shim, shim.xsk_drop_privileges(cString(user)), `become ${user}`) === 1;
}

/** What {@link calmThreads} did: threads now SCHED_IDLE, SCHED_BATCH, and left as they were. */
export interface ThreadPolicy {
  idle: number;
  batch: number;
  left: number;
}

/**
 * Makes every other thread of this process yield to the calling one (the capture loop): V8's
 * compiler threads SCHED_IDLE, the runtime's and the writer's SCHED_BATCH (csrc/threads.c says
 * why). Threads created later keep their policy until the next call.
 */
export function calmThreads(shim: Shim = loadShim()): ThreadPolicy {
  const v = new Uint32Array(THREAD_WORDS);
  check(shim, shim.xsk_thread_policy(v, v.length), "set the threads' scheduling");
  return { idle: v[THREAD.idle], batch: v[THREAD.batch], left: v[THREAD.left] };
}
