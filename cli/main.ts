/**
 * xskdump's command line: parse it, run the command it picks, exit with its code (2 for a usage
 * error: one line on stderr).
 * @module
 */
import { type CommandLine, parseCommandLine, UsageError } from "./args.ts";
import { EXIT_USAGE, say } from "./report.ts";

/** Runs the CLI and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let line: CommandLine;
  try {
    line = parseCommandLine(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    say(`xskdump: ${e.message} (see --help)`);
    return EXIT_USAGE;
  }
  return await line.run();
}

if (import.meta.main) Deno.exit(await main(Deno.args));
