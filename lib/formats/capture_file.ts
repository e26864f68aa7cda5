/**
 * A capture file of either format held in memory: which one it is, by its magic, and its packets
 * in one shape, as `-r` and the tests read them.
 * @module
 */
import { hex32, PCAP_MAGICS, PCAPNG_SHB } from "./magic.ts";
import { PcapFormatError, pcapRecords, readPcapHeader } from "./pcap.ts";
import { type PcapngRecord, pcapngRecords } from "./pcapng_reader.ts";

/** A record of either format, as {@link captureRecords} yields them (pcap: interface 0). */
export type CaptureRecord = PcapngRecord;

/** Which capture format `bytes` starts with, by its magic number; undefined for neither. */
export function detectCaptureFormat(bytes: Uint8Array): "pcap" | "pcapng" | undefined {
  if (bytes.length < 4) return undefined;
  const magic = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  if (magic === PCAPNG_SHB) return "pcapng";
  return PCAP_MAGICS.includes(magic) ? "pcap" : undefined;
}

/**
 * Yields the packets of a classic pcap or a pcapng file, whichever `bytes` is, in one shape
 * (pcap records: interface 0, the file's link type, no queue or flags). Errors as
 * {@link pcapRecords} and {@link pcapngRecords}: every good record, then at most a
 * {@link PcapFormatError}, also for a file that is neither format.
 */
export function* captureRecords(bytes: Uint8Array): Generator<CaptureRecord> {
  const format = detectCaptureFormat(bytes);
  if (format === "pcapng") {
    yield* pcapngRecords(bytes);
    return;
  }
  if (format === undefined) {
    const what = bytes.length < 4
      ? `${bytes.length}-byte file`
      : `magic ${hex32(new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, false))}`;
    throw new PcapFormatError(`not a pcap or pcapng file: ${what}`);
  }
  const linktype = readPcapHeader(bytes).linktype;
  for (const r of pcapRecords(bytes)) {
    yield {
      sec: r.sec,
      nsec: r.nsec,
      caplen: r.caplen,
      origLen: r.origLen,
      data: r.data,
      interfaceId: 0,
      linktype,
      queue: undefined,
      flags: undefined,
    };
  }
}
