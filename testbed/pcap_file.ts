/**
 * Writing capture files for the tests: a pcap file to add records to, and frames (with their
 * wire lengths) written at given times. Imports nothing but lib/formats, so a script run with
 * scoped permissions (the API driver) can use it too.
 * @module
 */
import { PcapWriter } from "../lib/formats/pcap.ts";

/** A frame and its length on the wire. */
export interface WireFrame {
  data: Uint8Array;
  origLen: number;
}

/** A (nanosecond) pcap writer into a new file at path; close() closes both. */
export function pcapFile(path: string): { writer: PcapWriter; close(): void } {
  const file = Deno.openSync(path, { write: true, create: true, truncate: true });
  const writer = new PcapWriter({
    write: (b) => {
      for (let off = 0; off < b.length;) off += file.writeSync(b.subarray(off));
    },
  });
  return {
    writer,
    close: () => {
      writer.close();
      file.close();
    },
  };
}

/** Writes frames into a pcap at path: frame i at `firstSec` seconds plus i times `stepNs`. */
export function writeFrames(
  path: string,
  frames: readonly WireFrame[],
  firstSec = 0,
  stepNs = 0,
): void {
  const f = pcapFile(path);
  frames.forEach((fr, i) => {
    const ns = i * stepNs;
    f.writer.addRecord(fr.data, fr.origLen, firstSec + Math.floor(ns / 1e9), ns % 1e9);
  });
  f.close();
}
