/**
 * `xskdump restore [-i IFACE]`: puts back the channel counts that a killed xskdump left changed
 * (--single-queue records them before it changes them; see lib/host/channels.ts).
 * @module
 */
import { restoreRecorded } from "../lib/host/channels.ts";
import { type CliCommand, interfaceName } from "./command.ts";
import { EXIT_OK, reported, writeOut } from "./report.ts";

/** Which interface to restore; undefined: every one recorded. */
export interface RestoreArgs {
  kind: "restore";
  iface?: string;
}

export const restoreCommand: CliCommand<RestoreArgs> = {
  name: "restore",
  description: "Put back interface channel counts that a killed xskdump left changed.",
  synopsis: "[-i IFACE]",
  define: (cmd) => cmd.option("-i, --interface <iface>", "only this interface"),
  parse: (cmd) => ({ kind: "restore", iface: interfaceName(cmd.opts().interface) }),
  run: (args) => reported(() => restore(args.iface)),
};

function restore(iface: string | undefined): number {
  const outcomes = restoreRecorded(iface);
  const lines = outcomes.length
    ? outcomes.map((r) => r.message)
    : [`nothing to restore${iface ? ` on ${iface}` : ""}`];
  writeOut(lines.join("\n") + "\n");
  return EXIT_OK;
}
