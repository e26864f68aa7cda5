/**
 * The flags of tcpdump that xskdump refuses: their table, one line of why each, and the group
 * that makes them hidden options of the default command and refuses the first one given.
 * @module
 */
import { Option } from "commander";
import { UsageError } from "./command.ts";
import type { FlagGroup } from "./flag_groups.ts";

/**
 * tcpdump's flags that xskdump does not have: hidden from --help, and each refused with one line
 * that names it and says why, rather than commander's "unknown option".
 */
const ABSENT: { flags: string; key: string; why: string }[] = [
  { flags: "-b", key: "b", why: "BGP AS numbers are printed as plain numbers only" },
  { flags: "-E <secret>", key: "E", why: "xskdump does not decrypt ESP" },
  { flags: "-H", key: "H", why: "XDP sees Ethernet frames, never 802.11s mesh headers" },
  {
    flags: "-J, --list-time-stamp-types",
    key: "listTimeStampTypes",
    why: "the one timestamp is the XDP program's (the kernel's clock as the packet arrives)",
  },
  {
    flags: "-K, --dont-verify-checksums",
    key: "dontVerifyChecksums",
    why: "checksums are verified (with -v) as tcpdump does by default",
  },
  { flags: "-m <module>", key: "m", why: "SNMP is printed without loading SMI MIB modules" },
  { flags: "-M <secret>", key: "M", why: "TCP-MD5 signatures are not verified" },
  {
    flags: "-O, --no-optimize",
    key: "optimize",
    why: "the filter is always optimized (by libpcap) before it runs in the kernel",
  },
  { flags: "-T <type>", key: "T", why: "packets are decoded by their ports, never forced" },
  { flags: "-u", key: "u", why: "xskdump does not decode NFS" },
  { flags: "-V <file>", key: "V", why: "one file is read per run: give -r FILE" },
  { flags: "-z <command>", key: "z", why: "no command is run after a file is rotated" },
];

/** Refuses the first of tcpdump's flags that xskdump does not have. */
export const absent: FlagGroup<void> = {
  options: () => ABSENT.map((a) => new Option(a.flags).hideHelp()),
  read: (o) => {
    for (const a of ABSENT) {
      // --no-optimize is commander's negation: it sets "optimize" to false.
      if (o[a.key] === undefined || o[a.key] === true && a.key === "optimize") continue;
      const names = a.flags.replace(/ <.*>$/, "").replace(", ", " (") +
        (a.flags.includes(", ") ? ")" : "");
      throw new UsageError(`${names}: not in xskdump: ${a.why}`);
    }
  },
};
