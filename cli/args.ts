/**
 * The command line: xskdump's commands, and commander picking one. A command is picked only by
 * its name as the first argument (`xskdump doctor ...`); every other command line is the default
 * command's, the capture, so a filter expression may hold any word (`-i eth0 host doctor`).
 * Adding a command: a module exporting a {@link CliCommand}, and its line in {@link COMMANDS}.
 * @module
 */
import { Command, CommanderError } from "commander";
import meta from "../deno.json" with { type: "json" };
import { ABI_VERSION } from "../ffi/symbols.ts";
import { MAX_SNAPLEN } from "../lib/formats/magic.ts";
import { captureCommand } from "./capture.ts";
import { type CliCommand, UsageError } from "./command.ts";
import { doctorCommand } from "./doctor.ts";
import { extcapCommand } from "./extcap.ts";
import { fleetCommand } from "./fleet.ts";
import { restoreCommand } from "./restore.ts";
import { EXIT_OK, writeOut } from "./report.ts";

export { MAX_SNAPLEN, UsageError };
export type { CaptureArgs, DumpArgs, PrintArgs, ReadArgs, WriteArgs } from "./capture_args.ts";
export type { DoctorArgs } from "./doctor.ts";
export type { ExtcapArgs } from "./extcap.ts";
export type { FleetArgs } from "./fleet.ts";
export type { RestoreArgs } from "./restore.ts";

/** Every command; the first is the default. */
const COMMANDS = [
  captureCommand,
  restoreCommand,
  doctorCommand,
  fleetCommand,
  extcapCommand,
] as const;

/** --help or --version: print and exit 0. */
export interface InfoArgs {
  kind: "info";
  text: string;
}

/** What a command line asks for: one command's arguments, or help text. */
export type Args = ReturnType<(typeof COMMANDS)[number]["parse"]> | InfoArgs;

/** A parsed command line, ready to run. */
export interface CommandLine {
  args: Args;
  /** Runs the command; resolves to the exit code. */
  run(): Promise<number>;
}

/**
 * What runs: xskdump's version, the Deno that runs it (the one file carries its own) and the
 * shim ABI this code speaks (the shim it loads must have it).
 */
function versionLine(): string {
  return `xskdump ${meta.version} (Deno ${Deno.version.deno}, shim ABI ${ABI_VERSION})`;
}

/** Where commander writes help, version and errors: into `out`, printed by the caller. */
function intoText(cmd: Command, out: { text: string }): Command {
  return cmd
    .exitOverride()
    .configureOutput({
      writeOut: (s) => out.text += s,
      writeErr: (s) => out.text += s,
      outputError: () => {},
    });
}

/** The top-level usage: the default command's line, then each other command's. */
function usage(): string {
  return COMMANDS.map((c, i) => `xskdump ${i === 0 ? "" : `${c.name} `}${c.synopsis}`)
    .join("\n       ");
}

/** commander's command for `c`; its action hands back the parsed command line. */
function command(
  c: CliCommand<Args>,
  out: { text: string },
  picked: (line: CommandLine) => void,
): Command {
  const cmd = intoText(new Command(c.name), out)
    .description(c.description)
    .helpOption("-h, --help", "print this help and exit")
    .allowExcessArguments(false);
  c.define(cmd).action(() => {
    const args = c.parse(cmd);
    picked({ args, run: () => c.run(args) });
  });
  return cmd;
}

/** The program: commands picked by commander, the first argument only (positional options). */
function program(out: { text: string }, picked: (line: CommandLine) => void): Command {
  const root = intoText(new Command("xskdump"), out)
    .helpOption(false)
    .helpCommand(false)
    .enablePositionalOptions();
  const [first, ...others] = COMMANDS.map((c) => command(c, out, picked));
  // The default command's help is the top-level help: all usages, and the other commands.
  first
    .version(versionLine(), "--version", "print the version and exit")
    .usage(usage())
    .configureHelp({
      commandUsage: (cmd: Command) => cmd.usage(),
      visibleCommands: () => others,
    });
  root.addCommand(first, { isDefault: true });
  for (const c of others) root.addCommand(c);
  return root;
}

/** Parses argv (without the program name). Throws UsageError on bad input. */
export function parseCommandLine(argv: string[]): CommandLine {
  const out = { text: "" };
  let line: CommandLine | undefined;
  try {
    // commander would also pick a command right after a leading `--`: the rule is the first
    // argument, so there the default command takes all. Wireshark runs an extcap with its own
    // flags first: those pick the extcap command.
    const words = argv[0] === "--"
      ? [COMMANDS[0].name, ...argv]
      : isExtcapFlag(argv[0])
      ? [extcapCommand.name, ...argv]
      : argv;
    program(out, (l) => line = l).parse(words, { from: "user" });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    if (e.exitCode !== 0) throw new UsageError(e.message.replace(/^error: /, ""));
    const text = out.text;
    return { args: { kind: "info", text }, run: () => Promise.resolve(info(text)) };
  }
  if (line === undefined) throw new Error("commander ran no command"); // every line has one
  return line;
}

/** A flag Wireshark puts first when it runs an extcap (`--extcap-interfaces`, `--capture`...). */
function isExtcapFlag(word: string | undefined): boolean {
  return word !== undefined && (word.startsWith("--extcap-") || word === "--capture");
}

function info(text: string): number {
  writeOut(text);
  return EXIT_OK;
}

/** What argv asks for (see {@link parseCommandLine}). */
export function parseArgs(argv: string[]): Args {
  return parseCommandLine(argv).args;
}
