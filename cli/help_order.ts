/**
 * The order of the default command's --help: tcpdump's flags as its man page lists them, so a
 * tcpdump user finds each where they expect it, then xskdump's own in the order they are given.
 * @module
 */
import type { Option } from "commander";

/**
 * The order of tcpdump(8)'s OPTIONS section: --help lists the flags xskdump shares with tcpdump
 * in it (by their first name), then xskdump's own in the order of their groups.
 */
const HELP_ORDER = [
  "-A",
  "-B",
  "-c",
  "--count",
  "-C",
  "-d",
  "-D",
  "-e",
  "-E",
  "-f",
  "-F",
  "-G",
  "-H",
  "-i",
  "-I",
  "--immediate-mode",
  "-j",
  "-J",
  "--time-stamp-precision",
  "--micro",
  "--nano",
  "-K",
  "-l",
  "-L",
  "-m",
  "-M",
  "-n",
  "-N",
  "-#",
  "-O",
  "-p",
  "--print",
  "-Q",
  "-q",
  "-r",
  "-S",
  "-s",
  "-T",
  "-t",
  "-u",
  "-U",
  "-v",
  "-V",
  "-w",
  "-W",
  "-x",
  "-X",
  "-y",
  "-z",
  "-Z",
];

/** Where an option goes in --help: tcpdump's flags by HELP_ORDER, xskdump's own after. */
function helpRank(o: Option, i: number): number {
  const at = HELP_ORDER.indexOf(o.short ?? o.long ?? "");
  return at >= 0 ? at : HELP_ORDER.length + i;
}

/** `options` as --help lists them (by {@link HELP_ORDER}). */
export function inHelpOrder(options: Option[]): Option[] {
  const ranked = options.map((o, i) => ({ o, rank: helpRank(o, i) }));
  return ranked.sort((a, b) => a.rank - b.rank).map(({ o }) => o);
}
