/**
 * The flags both examples take: -i IFACE [--seconds N] [--count N] [--top K] [--queue Q]
 * [--mode auto|native|generic]. A bad one prints the usage and exits 2, before anything is
 * attached.
 * @module
 */
import { parseArgs } from "node:util";
import type { ModeName } from "../mod.ts";

/** What an example was asked for. */
export interface ExampleArgs {
  iface: string;
  queue: number;
  mode: ModeName;
  seconds: number;
  count?: number;
  top: number;
}

/** Parses Deno.args for the example `name`; `topDefault` is its --top default. */
export function exampleArgs(name: string, topDefault: number): ExampleArgs {
  const usage = `usage: ${name} -i IFACE [--seconds N] [--count N] [--top K] [--queue Q] ` +
    "[--mode auto|native|generic]";
  const fail = (message: string): never => {
    console.error(`${name}: ${message}\n${usage}`);
    Deno.exit(2);
  };
  const positive = (flag: string, v: string | undefined, fallback: number): number => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!(n > 0)) fail(`--${flag} needs a positive number, got '${v}'`);
    return n;
  };
  let values;
  try {
    ({ values } = parseArgs({
      args: Deno.args,
      options: {
        interface: { type: "string", short: "i" },
        seconds: { type: "string" },
        count: { type: "string" },
        top: { type: "string" },
        queue: { type: "string" },
        mode: { type: "string" },
      },
    }));
  } catch (e) {
    return fail((e as Error).message);
  }
  const iface = values.interface ?? fail("no interface given");
  const mode = (values.mode ?? "auto") as ModeName;
  if (!["auto", "native", "generic"].includes(mode)) fail(`bad --mode '${mode}'`);
  return {
    iface,
    queue: values.queue === undefined ? 0 : Number(values.queue),
    mode,
    seconds: positive("seconds", values.seconds, 10),
    count: values.count === undefined ? undefined : positive("count", values.count, 0),
    top: Math.floor(positive("top", values.top, topDefault)),
  };
}
