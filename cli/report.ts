/**
 * What the CLI tells the user on stderr, how errors are worded, and the exit codes: tcpdump's
 * conventions (0 done, 1 runtime failure, 2 usage error, 130 interrupted twice) and 3 for
 * `--strict`.
 * @module
 */
import { XskError } from "../ffi/xsk.ts";

export const EXIT_OK = 0;
export const EXIT_FAIL = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTEGRITY = 3;
export const EXIT_INTERRUPTED = 130;

/** Writes text on stderr as is (the status line rewrites itself with \r). */
export function writeErr(text: string): void {
  const bytes = new TextEncoder().encode(text);
  try {
    for (let off = 0; off < bytes.length;) off += Deno.stderr.writeSync(bytes.subarray(off));
  } catch {
    // stderr gone (closed terminal): nothing left to tell
  }
}

/** One line on stderr. */
export function say(line: string): void {
  writeErr(line + "\n");
}

/** Writes every byte of text on stdout. */
export function writeOut(text: string): void {
  const bytes = new TextEncoder().encode(text);
  for (let off = 0; off < bytes.length;) off += Deno.stdout.writeSync(bytes.subarray(off));
}

/** One line for an error a user can act on; no stack trace for expected failures. */
export function describeError(e: unknown): string {
  if (e instanceof XskError) return `${e.message}${e.hint ? `; ${e.hint}` : ""}`;
  if (e instanceof Deno.errors.BrokenPipe) return "output closed by the reader";
  if (e instanceof Error && e.name === "FilesystemLoop") return e.message;
  if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.PermissionDenied) {
    return e.message;
  }
  if (e instanceof Error && /No space left/.test(e.message)) {
    return `disk full: ${e.message}; the file is valid up to the last packet written`;
  }
  return e instanceof Error ? e.message : String(e);
}

/** Runs a command that has no failure of its own to word: any error is one line, exit 1. */
export async function reported(run: () => number | Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (e) {
    say(`xskdump: ${describeError(e)}`);
    return EXIT_FAIL;
  }
}
