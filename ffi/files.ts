/**
 * Thin wrappers of csrc/files.c: files named on the command line that Deno will not open (it
 * grants /dev, /proc and /sys only with --allow-all). A {@link ShimFile} reads and writes like
 * the parts of Deno.FsFile the CLI uses, and fails with {@link FileError}s worded as Deno's own
 * I/O errors ("No space left on device (os error 28)"), with the errno's name as `code`, so the
 * CLI's disk-full and closed-pipe handling sees no difference.
 * @module
 */
import { FILE_MODE } from "./abi.ts";
import { loadShim } from "./loader.ts";
import type { Shim } from "./symbols.ts";
import { cString } from "./xsk.ts";

/** The errnos a file hits, by name (Deno's error codes spell them so). */
const ERRNO: Record<number, string> = {
  1: "EPERM",
  2: "ENOENT",
  5: "EIO",
  9: "EBADF",
  13: "EACCES",
  17: "EEXIST",
  20: "ENOTDIR",
  21: "EISDIR",
  22: "EINVAL",
  27: "EFBIG",
  28: "ENOSPC",
  30: "EROFS",
  32: "EPIPE",
  104: "ECONNRESET",
  122: "EDQUOT",
};

/** An I/O error of a file the shim opened, worded as Deno's (`where`: "open '/x'"). */
export class FileError extends Error {
  readonly errno: number;
  readonly code: string;
  constructor(text: string, errno: number, where?: string) {
    super(`${text} (os error ${errno})${where ? `: ${where}` : ""}`);
    this.name = "FileError";
    this.errno = errno;
    this.code = ERRNO[errno] ?? `errno ${errno}`;
  }
}

const errBuf = new Uint8Array(512);

/** A negative return as a FileError: the shim's text after "what: " is strerror's. */
function checked(shim: Shim, ret: number, where?: string): number {
  if (ret >= 0) return ret;
  const n = shim.xsk_last_error(errBuf, errBuf.length);
  const text = new TextDecoder().decode(errBuf.subarray(0, n));
  throw new FileError(text.slice(text.indexOf(": ") + 2) || `errno ${-ret}`, -ret, where);
}

/** A file the shim opened by name, read and written by its fd. */
export class ShimFile {
  readonly #shim: Shim;
  #fd: number;
  /** A regular file (it can be cut back); not a pipe, terminal or device. */
  readonly regular: boolean;

  private constructor(shim: Shim, fd: number) {
    this.#shim = shim;
    this.#fd = fd;
    this.regular = checked(shim, shim.xsk_file_regular(fd)) === 1;
  }

  /** Opens `path` as tcpdump would: to read, or to write (created or truncated, 0666). */
  static open(path: string, mode: keyof typeof FILE_MODE, shim: Shim = loadShim()): ShimFile {
    const fd = shim.xsk_file_open(cString(path), FILE_MODE[mode]);
    return new ShimFile(shim, checked(shim, fd, `open '${path}'`));
  }

  /** Bytes read into `p`, or null at the end. Blocks on a pipe (the event loop waits). */
  readSync(p: Uint8Array<ArrayBuffer>): number | null {
    const n = checked(this.#shim, this.#shim.xsk_file_read(this.#fd, p, p.length));
    return n === 0 ? null : n;
  }

  /** Bytes of `p` written, maybe fewer than all. */
  writeSync(p: Uint8Array): number {
    const bytes = p as Uint8Array<ArrayBuffer>;
    return checked(this.#shim, this.#shim.xsk_file_write(this.#fd, bytes, bytes.length));
  }

  /** Cuts the file back to `len` bytes (a regular file only). */
  truncateSync(len = 0): void {
    checked(this.#shim, this.#shim.xsk_file_truncate(this.#fd, BigInt(len)));
  }

  close(): void {
    if (this.#fd < 0) return;
    const fd = this.#fd;
    this.#fd = -1;
    checked(this.#shim, this.#shim.xsk_file_close(fd));
  }
}

/** chown(2) of a name Deno will not touch (-Z gives the file it wrote to its user). */
export function chownPath(path: string, uid: number, gid: number, shim: Shim = loadShim()): void {
  checked(shim, shim.xsk_path_chown(cString(path), uid, gid), `chown '${path}'`);
}
