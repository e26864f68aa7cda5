/**
 * Which capture path an interface gets without --tap or --divert: tap on an interface the host
 * uses (its packets must keep reaching the stack), divert on one it does not (a capture port).
 * @module
 */
import { type IfaceUsage, ifaceUsage } from "../../ffi/tap.ts";

/**
 * The two capture paths: "divert" redirects packets into AF_XDP sockets (fastest; the host
 * loses them), "tap" copies them into a ring buffer and lets them go on (both directions).
 */
export type CapturePath = "tap" | "divert";

/** A path and why, for the `listening on` line. */
export interface PathChoice {
  path: CapturePath;
  reason: string;
}

/**
 * The path for an interface the host uses this way. Tap when it has an IPv4 address or an IPv6
 * address other than a link-local one (every port with IPv6 on has an fe80:: one: that does
 * not count), is a port of a bridge, bond or team, or carries the SSH session; divert
 * otherwise. Pure.
 */
export function pathFor(usage: IfaceUsage, carriesSsh: boolean): PathChoice {
  if (carriesSsh) return { path: "tap", reason: "it carries this SSH session" };
  if (usage.ipv4 > 0) return { path: "tap", reason: "it has an IPv4 address" };
  if (usage.ipv6 > 0) return { path: "tap", reason: "it has an IPv6 address" };
  if (usage.enslaved) return { path: "tap", reason: "it is a port of a bridge, bond or team" };
  return { path: "divert", reason: "it has no address: a capture port" };
}

/** The path for `iface` as the host uses it now. Throws XskError (ENODEV) when it is missing. */
export function choosePath(iface: string, carriesSsh = false): PathChoice {
  return pathFor(ifaceUsage(iface), carriesSsh);
}
