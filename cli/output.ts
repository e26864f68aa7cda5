/**
 * Where the CLI's packets go: a pcap file, pcap on stdout, or one text line
 * per packet on stdout.
 * @module
 */
import type { PacketSink } from "../lib/capture.ts";
import { formatLine } from "../lib/decode.ts";
import { type ByteSink, PcapWriter } from "../lib/pcap.ts";

/** A sink that can also be closed (the output file). */
export interface Output extends PacketSink {
  close(): void;
}

/** Writes every byte of each chunk (short writes loop). */
export function fileSink(file: { writeSync(p: Uint8Array): number }): ByteSink {
  return {
    write(chunk: Uint8Array) {
      for (let off = 0; off < chunk.length;) off += file.writeSync(chunk.subarray(off));
    },
  };
}

/** pcap into a file ("-" = stdout). The file is created only now, after attach. */
export function pcapOutput(path: string, snaplen: number): Output {
  const file = path === "-"
    ? Deno.stdout
    : Deno.openSync(path, { write: true, create: true, truncate: true });
  const writer = new PcapWriter(fileSink(file), { snaplen });
  writer.flush(); // the file header is there even if nothing arrives
  return {
    add: (src, off, len, sec, nsec) => writer.add(src, off, len, sec, nsec),
    flush: () => writer.flush(),
    close: () => {
      try {
        writer.close();
      } finally {
        if (file !== Deno.stdout) file.close();
      }
    },
  };
}

/** tcpdump -n style lines on stdout; decoding allocates, which text output can afford. */
export function textOutput(snaplen: number): Output {
  const out = fileSink(Deno.stdout);
  const enc = new TextEncoder();
  const buf = new Uint8Array(1 << 16);
  let used = 0;
  const flush = () => {
    if (used) out.write(buf.subarray(0, used));
    used = 0;
  };
  return {
    add(src, off, len, sec, nsec) {
      const line = formatLine(sec, nsec, src.subarray(off, off + Math.min(len, snaplen)), len) +
        "\n";
      if (used + line.length * 3 > buf.length) flush();
      if (line.length * 3 > buf.length) return out.write(enc.encode(line));
      used += enc.encodeInto(line, buf.subarray(used)).written;
    },
    flush,
    close: flush,
  };
}
