/**
 * What a command of xskdump is ({@link CliCommand}), the usage error every bad command line
 * becomes, and the flag value checks the commands share. args.ts registers the commands.
 * @module
 */
import type { Command } from "commander";

/** A mistake in the command line: one line to print, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * One command of xskdump (`capture`, the default, `restore`, `doctor`, ...): its options and
 * arguments, what a parsed command line becomes, and how it runs. commander picks it by its name
 * as the first argument; the default command takes every command line that starts otherwise.
 */
export interface CliCommand<A> {
  /** The word that picks it. */
  readonly name: string;
  /** What it does, one sentence (its help and the list of commands). */
  readonly description: string;
  /** Its line in the top-level usage, after `xskdump ` (and the name, but for the default). */
  readonly synopsis: string;
  /** Adds its options and arguments (the help option and error handling are there already). */
  define(cmd: Command): Command;
  /** What the parsed command line asks for, as plain options; throws UsageError on bad input. */
  parse(cmd: Command): A;
  /** Does it; resolves to the exit code. */
  run(args: A): Promise<number>;
}

/** A whole number in min..max, for the flag `flag` (named in the error). */
export function integer(flag: string, min: number, max: number): (v: string) => number {
  return (v: string): number => {
    if (!/^\d+$/.test(v)) throw new UsageError(`${flag} needs a whole number, got '${v}'`);
    const n = Number(v);
    if (n < min || n > max) throw new UsageError(`${flag} must be in ${min}..${max}, got ${v}`);
    return n;
  };
}

/** `-i`'s value, checked (undefined passes: the command decides whether it needs one). */
export function interfaceName(iface: string | undefined): string | undefined {
  if (iface !== undefined && !/^[^\s/:]{1,15}$/.test(iface)) {
    throw new UsageError(`'${iface}' is not a valid interface name`);
  }
  return iface;
}
