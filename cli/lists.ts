/**
 * -D and -L: what there is to capture from, as tcpdump lists it. -D is tcpdump -D's list (the
 * network interfaces of this namespace, in libpcap's order, with its flags), each line followed
 * by what xskdump can do there: native XDP or only generic, zero-copy, and the RX queues. -L
 * names the one data link type AF_XDP delivers, EN10MB. Neither needs privileges. Also -i's
 * numbers from -D's list, as tcpdump takes them.
 * @module
 */
import { IFACE, XDP_FEATURE } from "../ffi/abi.ts";
import { type ListedInterface, listInterfaces, xdpFeatures } from "../ffi/host.ts";
import { rxQueueCount, XskError } from "../ffi/xsk.ts";
import { UsageError } from "./command.ts";

/** tcpdump -D's "[Up, Running, Connected]" of libpcap's flags ("" for none at all). */
export function flagsText(flags: number): string {
  if (flags === 0) return "";
  const names: [number, string][] = [
    [IFACE.up, "Up"],
    [IFACE.running, "Running"],
    [IFACE.loopback, "Loopback"],
    [IFACE.wireless, "Wireless"],
  ];
  const set = names.filter(([bit]) => flags & bit).map(([, name]) => name);
  let text = set.length ? set.join(", ") : "none";
  const status = flags & IFACE.status;
  const wireless = (flags & IFACE.wireless) !== 0;
  if (status === 0) {
    text += wireless ? ", Association status unknown" : ", Connection status unknown";
  } else if (status === IFACE.connected) text += wireless ? ", Associated" : ", Connected";
  else if (status === IFACE.disconnected) text += wireless ? ", Not associated" : ", Disconnected";
  return ` [${text}]`;
}

/** What xskdump can do on an interface: its XDP support (undefined: unknown) and RX queues. */
export function xdpText(features: number | undefined, queues: number | undefined): string {
  const xdp = features === undefined
    ? "XDP support unknown"
    : features & XDP_FEATURE.basic
    ? `native XDP${features & XDP_FEATURE.xskZerocopy ? ", zero-copy" : ""}`
    : "generic XDP only";
  return queues === undefined ? xdp : `${xdp}, ${queues} RX queue${queues === 1 ? "" : "s"}`;
}

/** One line of -D: tcpdump's, then xskdump's facts after a comma. */
export function interfaceLine(
  n: number,
  i: ListedInterface,
  features: number | undefined,
  queues: number | undefined,
): string {
  const desc = i.description ? ` (${i.description})` : "";
  return `${n}.${i.name}${desc}${flagsText(i.flags)}, ${xdpText(features, queues)}`;
}

/** -D's lines. */
export function interfaceLines(): string[] {
  return listInterfaces().map((i, k) => {
    let queues: number | undefined;
    let features: number | undefined;
    try {
      queues = rxQueueCount(i.name);
      features = xdpFeatures(i.name);
    } catch (e) {
      // Gone since the list was made: list what is known.
      if (!(e instanceof XskError && e.code === "ENODEV")) throw e;
    }
    return interfaceLine(k + 1, i, features, queues);
  });
}

/** -L's text (tcpdump prints it on stderr). Throws UsageError for no such interface. */
export function linkTypeLines(iface: string): string[] {
  try {
    rxQueueCount(iface);
  } catch (e) {
    if (e instanceof XskError && e.code === "ENODEV") {
      throw new UsageError(`${iface}: no such interface (see -D)`);
    }
    throw e;
  }
  return [`Data link types for ${iface} (use option -y to set):`, "  EN10MB (Ethernet)"];
}

/**
 * The interface -i names: a name, or (when no interface is called so, as in tcpdump) its number
 * in -D's list. Throws UsageError for a number past the list.
 */
export function interfaceByNumber(iface: string): string {
  if (!/^[1-9]\d*$/.test(iface)) return iface;
  try {
    rxQueueCount(iface);
    return iface; // an interface really called so
  } catch (e) {
    if (!(e instanceof XskError && e.code === "ENODEV")) throw e;
  }
  const list = listInterfaces();
  const picked = list[Number(iface) - 1];
  if (picked === undefined) {
    throw new UsageError(
      `-i ${iface}: no interface has that number (-D lists ${list.length})`,
    );
  }
  return picked.name;
}
