/**
 * The paths a tcpdump user gives -r, -w and -F, as tcpdump takes them. The standard streams by
 * their names (`/dev/stdin`, `/dev/stdout`, `/dev/fd/0`, `/proc/self/fd/1`, and `-`) are Deno's
 * own stdin and stdout. Every other name is opened by Deno, under the permissions bin/xskdump
 * grants; where Deno refuses it by its own rule (it grants /dev, /proc and /sys only with
 * --allow-all: `/dev/shm/x.pcap`, `/dev/fd/3`, `/proc/self/fd/4`), the shim opens that one name
 * instead (ffi/files.ts), as tcpdump's stdio would. So every path tcpdump accepts works, the
 * permissions stay scoped, and no message asks for a Deno flag.
 * @module
 */
import { chownPath, ShimFile } from "../ffi/files.ts";
import { concat } from "../lib/formats/bytecopy.ts";
import type { ByteSource } from "../lib/formats/reader.ts";

const STDIN = new Set(["-", "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"]);
const STDOUT = new Set(["-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"]);

/** Whether -r's name is standard input. */
export function isStdin(path: string): boolean {
  return STDIN.has(path);
}

/** Whether -w's name is standard output (the shim's writer then takes fd 1). */
export function isStdout(path: string): boolean {
  return STDOUT.has(path);
}

/** Deno refused a path by its own rule, not the system: the shim opens that one. */
function refusedByDeno(e: unknown): boolean {
  return e instanceof Deno.errors.NotCapable;
}

/** A file -w writes: what the file writers use of Deno.FsFile. */
export interface WritableFile {
  writeSync(p: Uint8Array): number;
  /** Cuts it back (whole records after a failed write); only for a regular file. */
  truncateSync?(len?: number): void;
  close(): void;
}

/**
 * Opens a -w file that is not stdout: created or truncated, as tcpdump's. `regular` says whether
 * it can be cut back to its last whole record after a failed write.
 */
export function openForWrite(path: string): { file: WritableFile; regular: boolean } {
  try {
    const file = Deno.openSync(path, { write: true, create: true, truncate: true });
    return { file, regular: file.statSync().isFile };
  } catch (e) {
    if (!refusedByDeno(e)) throw e;
  }
  const file = ShimFile.open(path, "write");
  return { file, regular: file.regular };
}

/** A -r file that is not stdin, as the stream reader takes it, and how to close it. */
export async function openForRead(path: string): Promise<ByteSource & { close(): void }> {
  try {
    return await Deno.open(path, { read: true });
  } catch (e) {
    if (!refusedByDeno(e)) throw e;
  }
  const file = ShimFile.open(path, "read");
  return {
    // A pipe blocks the event loop while it waits, as `-r` has nothing else to do meanwhile.
    read: (p) => Promise.resolve(file.readSync(p as Uint8Array<ArrayBuffer>)),
    close: () => file.close(),
  };
}

/** The whole text of a file (-F), stdin included. */
export function readTextSync(path: string): string {
  if (isStdin(path)) return readAllSync(Deno.stdin);
  try {
    return Deno.readTextFileSync(path);
  } catch (e) {
    if (!refusedByDeno(e)) throw e;
  }
  const file = ShimFile.open(path, "read");
  try {
    return readAllSync(file);
  } finally {
    file.close();
  }
}

function readAllSync(src: { readSync(p: Uint8Array<ArrayBuffer>): number | null }): string {
  const parts: Uint8Array[] = [];
  for (;;) {
    const buf = new Uint8Array(65536);
    const n = src.readSync(buf);
    if (n === null) break;
    parts.push(buf.subarray(0, n));
  }
  return new TextDecoder().decode(concat(parts));
}

/** chown(2) of a file -w made (-Z), by name as tcpdump does it. */
export function chown(path: string, uid: number, gid: number): void {
  try {
    Deno.chownSync(path, uid, gid);
    return;
  } catch (e) {
    if (!refusedByDeno(e)) throw e;
  }
  chownPath(path, uid, gid);
}
