/**
 * The lenient categories of the differential report: a breakdown of the records whose text
 * differs from tcpdump's, never agreement (a record agrees only when its text is identical).
 *
 * @module
 */

/**
 * Whether our line is the fallback for a protocol the decoder only names (tcpdump decodes
 * further). Never true for the ethertypes and IP protocols decoded, so a regression into the
 * fallback still counts as a mismatch.
 */
function undecoded(ours: string): boolean {
  const eth = /ethertype [^,]*\(0x([0-9a-f]{4})\), (length \d+: )?$/.exec(ours);
  if (eth) {
    return !["0800", "86dd", "0806", "8035", "8100", "88a8", "9100", "9200"].includes(eth[1]);
  }
  if (/802\.3(, length \d+)?$/.test(ours)) return true; // LLC frames
  const ip = / ip-proto-(\d+) \d+$/.exec(ours);
  if (ip) return ![1, 4, 6, 17, 41, 58, 59].includes(Number(ip[1]));
  // What GRE carries and is not decoded (PPP in GRE version 1 needs the PPP printer).
  const gre = /gre-proto-0x([0-9a-f]+)$/.exec(ours);
  if (gre) return !["800", "86dd", "6558", "8847"].includes(gre[1]);
  return /ICMP6, (RPL|router renumbering|who-are-you request|who-are-you reply), length \d+$/
    .test(ours);
}

/** How a record differs (or "exact"): the breakdown the strict rate is printed with. */
export type Category = "exact" | "firstLine" | "appDecode" | "undecoded" | "mismatch";

/**
 * Sorts a difference between our text and tcpdump's (timestamps removed): tcpdump's first line
 * is ours and it goes on with a hex dump (firstLine); it goes on with an application decode
 * after a TCP summary or in place of "UDP, length N" (appDecode); ours is the fallback of a
 * protocol only named (undecoded); anything else is a mismatch.
 */
export function lenientCategory(ours: string, theirs: string): Category {
  if (ours === theirs) return "exact";
  const first = theirs.split("\n")[0];
  if (ours === first) return "firstLine";
  if (/Flags \[.*, length \d+$/.test(ours) && first.startsWith(ours)) {
    if (!/^\d/.test(first.slice(ours.length))) return "appDecode";
  }
  const udp = /^(.*?)UDP, (bad )?length \d+( > \d+)?$/.exec(ours);
  if (udp && first.startsWith(udp[1]) && !first.slice(udp[1].length).startsWith("UDP, ")) {
    return "appDecode";
  }
  // Our fallback's first line, before the hex dump of what it does not decode.
  if (undecoded(ours.split("\n")[0])) return "undecoded";
  return "mismatch";
}
