// Prints the first packets of a pcap with xskdump's decoder and the capture
// rate between the first and last timestamps (make demo).
import { formatLine } from "../lib/decode/decode.ts";
import { pcapRecords } from "../lib/formats/pcap.ts";

const [path, max = "10"] = Deno.args;
const bytes = await Deno.readFile(path);
let n = 0;
let first = 0;
let last = 0;
for (const r of pcapRecords(bytes)) {
  const t = r.sec + r.nsec / 1e9;
  if (n === 0) first = t;
  last = t;
  if (n < Number(max)) console.log(formatLine(r.sec, r.nsec, r.data, r.origLen));
  n++;
}
const span = last - first;
console.log(
  `${n} packets in the file; capture rate ${
    span > 0 ? Math.round(n / span).toLocaleString("en") : "n/a"
  } packets/s over ${span.toFixed(3)} s`,
);
