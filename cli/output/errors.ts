/**
 * How writing packets out can end: for good on a failed write ({@link OutputFailure}: disk full,
 * a closed pipe, any other error), or done ({@link OutputStop}: -G with -W wrote its files).
 * @module
 */

/** Why writing stopped for good. */
export type FailureKind = "disk_full" | "output_closed" | "write";

/** Writing failed; the message is the line to print. */
export class OutputFailure extends Error {
  readonly kind: FailureKind;
  constructor(kind: FailureKind, message: string) {
    super(message);
    this.name = "OutputFailure";
    this.kind = kind;
  }
}

/** The output is complete (-G with -W wrote its files); not an error: exit 0. */
export class OutputStop extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OutputStop";
  }
}

function errorCode(e: unknown): string | undefined {
  return e !== null && typeof e === "object" && "code" in e ? String(e.code) : undefined;
}

/** Whether `e` is a write into a closed pipe or socket. */
export function isClosedPipe(e: unknown): boolean {
  return e instanceof Deno.errors.BrokenPipe || e instanceof Deno.errors.ConnectionReset ||
    errorCode(e) === "EPIPE";
}

/** Whether `e` says the disk (or quota) is full. */
export function isDiskFull(e: unknown): boolean {
  const code = errorCode(e);
  return code === "ENOSPC" || code === "EDQUOT" ||
    (e instanceof Error && /No space left|quota exceeded/i.test(e.message));
}

/**
 * The failure a write error `e` into `path` ("stdout" for stdout) is; `kept` ends the message
 * with what the file holds now. A closed pipe is worded alone: the reader left, nothing is lost.
 */
export function writeFailure(e: unknown, path: string, kept = ""): OutputFailure {
  if (isClosedPipe(e)) return new OutputFailure("output_closed", "output closed by the reader");
  const why = e instanceof Error ? e.message : String(e);
  if (isDiskFull(e)) {
    return new OutputFailure("disk_full", `disk full writing ${path} (${why})${kept}`);
  }
  return new OutputFailure("write", `cannot write ${path}: ${why}${kept}`);
}
