/**
 * In-kernel filters for a capture (session layer, beside capture.ts): compile
 * a tcpdump expression with libpcap, translate it into the XDP filter stage
 * (lib/filter/translate.ts), install it in an attached program. Every failure
 * is a FilterError that names the expression; none falls back to capturing
 * everything.
 * @module
 */
import { pcapCompile, setFilter } from "../../ffi/filter.ts";
import type { TapProgram } from "../../ffi/tap.ts";
import { type XdpProgram, XskError } from "../../ffi/xsk.ts";
import { type CbpfInsn, decodeCbpf } from "../filter/cbpf.ts";
import { translate, TranslateError } from "../filter/translate.ts";
import { MAX_SNAPLEN } from "../formats/magic.ts";

/** tcpdump's default snapshot length: what a compiled program's `ret` carries. */
const DEFAULT_SNAPLEN = MAX_SNAPLEN;

/**
 * Why a filter cannot be used: "syntax" (libpcap cannot compile it: a usage
 * error), "unsupported" (it compiles to cBPF the kernel cannot run),
 * "rejected" (the kernel refused the translated program).
 */
export type FilterErrorKind = "syntax" | "unsupported" | "rejected";

/** A filter that cannot be used; the message names the expression. */
export class FilterError extends Error {
  /** Why it cannot be used. */
  readonly kind: FilterErrorKind;
  /** The expression as given. */
  readonly expression: string;
  /** errno of the shim's failure, when there was one. */
  readonly errno?: number;

  /** `message` says what is wrong with `expression`. */
  constructor(kind: FilterErrorKind, expression: string, message: string, errno?: number) {
    super(message);
    this.name = "FilterError";
    this.kind = kind;
    this.expression = expression;
    this.errno = errno;
  }
}

/** A compiled, translated filter, ready to install. */
export interface CompiledFilter {
  expression: string;
  /** libpcap's program (tcpdump -d shows it). */
  cbpf: CbpfInsn[];
  /** The XDP filter stage (8-byte eBPF instructions, map placeholders unresolved). */
  ebpf: Uint8Array<ArrayBuffer>;
}

/** Compiles and translates; needs the shim but no privileges. Throws FilterError. */
export function compileFilter(expression: string, snaplen = DEFAULT_SNAPLEN): CompiledFilter {
  let cbpf: CbpfInsn[];
  try {
    cbpf = decodeCbpf(pcapCompile(expression, snaplen));
  } catch (e) {
    if (e instanceof XskError && e.code === "EINVAL") {
      // fail() appends strerror; "Invalid argument" says nothing here.
      throw new FilterError(
        "syntax",
        expression,
        e.message.replace(/: Invalid argument$/, ""),
        e.errno,
      );
    }
    throw e;
  }
  try {
    return { expression, cbpf, ebpf: translate(cbpf) };
  } catch (e) {
    if (e instanceof TranslateError) {
      throw new FilterError(
        "unsupported",
        expression,
        `filter '${expression}' cannot run in the kernel: ${e.message}`,
      );
    }
    throw e;
  }
}

/**
 * Makes the filter the program's filter stage. Call it before any socket is
 * open on the program, so no packet is redirected unfiltered. Throws
 * FilterError ("rejected", with the verifier's last lines) when the kernel
 * refuses it.
 */
export function installFilter(prog: XdpProgram, filter: CompiledFilter): void {
  try {
    setFilter(prog, filter.ebpf, filter.expression);
  } catch (e) {
    throw rejected(filter, e);
  }
}

/** A refusal of the kernel's as a FilterError (other errors as they are). */
function rejected(filter: CompiledFilter, e: unknown): unknown {
  if (!(e instanceof XskError)) return e;
  // The verifier says no with EACCES too: that is a missing privilege only when the shim
  // names one (CAP_PERFMON for pointer arithmetic), else no hint.
  const missing = e.code === "EPERM" || /CAP_[A-Z_]+ is missing/.test(e.message);
  const hint = missing && e.hint ? `; ${e.hint}` : "";
  return new FilterError("rejected", filter.expression, `${e.message}${hint}`, e.errno);
}

/**
 * Makes the filter a tap's, on each of its hooks: translated for XDP where incoming packets
 * are taken at XDP, for tc (struct __sk_buff) at tc. Call it before the tap starts copying.
 * Throws FilterError ("rejected") when the kernel refuses it.
 */
export function installTapFilter(tap: TapProgram, filter: CompiledFilter): void {
  let skb: Uint8Array<ArrayBuffer>;
  try {
    skb = translate(filter.cbpf, { context: "skb" });
  } catch (e) {
    if (e instanceof TranslateError) {
      throw new FilterError(
        "unsupported",
        filter.expression,
        `filter '${filter.expression}' cannot run in the kernel: ${e.message}`,
      );
    }
    throw e;
  }
  try {
    tap.setFilter(filter.ebpf, skb, filter.expression);
  } catch (e) {
    throw rejected(filter, e);
  }
}
