/**
 * Long-running children inside a network namespace: their stderr read line by line as it comes
 * (to wait for a line), their stdout collected when asked, their stdin a pipe when asked (to
 * tell them when to go on), signals, and a bounded wait for their exit.
 * @module
 */
import { concat } from "../lib/formats/bytecopy.ts";

export interface SpawnOptions {
  /** Environment added to ours. */
  env?: Record<string, string>;
  /** Collect stdout bytes, or hand each chunk to this function as it comes (a stream too long
   * to keep); otherwise stdout is discarded. */
  collectStdout?: boolean | ((chunk: Uint8Array) => void);
  /** A pipe to the child's stdin, for {@link NsChild.send} (otherwise stdin is /dev/null). */
  stdin?: boolean;
}

export interface NsChild {
  readonly pid: number;
  /** Resolves when the process has exited and its stderr/stdout are fully read. */
  readonly status: Promise<Deno.CommandStatus>;
  /** All stderr text received so far. */
  stderrText(): string;
  /** All stdout bytes received so far (empty unless collectStdout). */
  stdoutBytes(): Uint8Array;
  /** Resolves with the first stderr line matching re (lines already seen count too). */
  waitForStderrLine(re: LineMatch, timeoutMs: number): Promise<string>;
  /** Waits for exit; rejects with the stderr so far when it takes longer than timeoutMs. */
  waitExit(timeoutMs: number): Promise<Deno.CommandStatus>;
  /** Writes a line to the child's stdin (needs the stdin option). */
  send(line: string): Promise<void>;
  /** Closes the child's stdin: it reads EOF (needs the stdin option). */
  closeStdin(): Promise<void>;
  /** Sends a signal; a no-op once the process has exited. */
  signal(sig: Deno.Signal): void;
  /** SIGKILLs the process if it still runs and waits for it (for finally blocks). */
  stop(): Promise<Deno.CommandStatus>;
}

/** A line to wait for: a pattern, or a test of its own. */
export type LineMatch = RegExp | ((line: string) => boolean);

const matches = (m: LineMatch, line: string) => typeof m === "function" ? m(line) : m.test(line);

interface LineWaiter {
  re: LineMatch;
  resolve: (line: string) => void;
  reject: (err: Error) => void;
}

/** Starts a long-running command inside a namespace with stderr (and optionally stdout) piped. */
export function spawnInNs(ns: string, cmd: string[], opts: SpawnOptions = {}): NsChild {
  // `ip netns exec` execs the command in place, so the pid and signals are the command's own.
  const child = new Deno.Command("ip", {
    args: ["netns", "exec", ns, ...cmd],
    env: opts.env,
    stdin: opts.stdin ? "piped" : "null",
    stdout: opts.collectStdout ? "piped" : "null",
    stderr: "piped",
  }).spawn();
  const label = cmd.join(" ");
  let stderr = "";
  let partial = "";
  const lines: string[] = [];
  const waiters = new Set<LineWaiter>();
  const stdoutChunks: Uint8Array[] = [];
  let exited = false;
  let stderrClosed = false;
  const stdin = opts.stdin ? child.stdin.getWriter() : undefined;

  const onLine = (line: string) => {
    lines.push(line);
    for (const w of waiters) {
      if (matches(w.re, line)) {
        waiters.delete(w);
        w.resolve(line);
      }
    }
  };

  const stderrDone = (async () => {
    const dec = new TextDecoder();
    for await (const chunk of child.stderr) {
      const text = dec.decode(chunk, { stream: true });
      stderr += text;
      const parts = (partial + text).split("\n");
      partial = parts.pop() ?? "";
      for (const line of parts) onLine(line);
    }
    stderr += dec.decode();
    if (partial !== "") onLine(partial);
    partial = "";
    stderrClosed = true;
    // No more lines can come: fail whoever still waits.
    for (const w of waiters) {
      w.reject(
        new Error(`${label}: exited (stderr closed) before a line matched ${w.re}\n${stderr}`),
      );
    }
    waiters.clear();
  })();

  const collect = opts.collectStdout;
  const onStdout = typeof collect === "function"
    ? collect
    : (c: Uint8Array) => stdoutChunks.push(c);
  const stdoutDone = collect
    ? (async () => {
      for await (const chunk of child.stdout) onStdout(chunk);
    })()
    : Promise.resolve();

  const status = (async () => {
    const s = await child.status;
    exited = true;
    await stdin?.close().catch(() => {});
    await Promise.all([stderrDone, stdoutDone]);
    return s;
  })();

  /** Rejects after ms with the message (and the stderr so far); cleared when p settles. */
  const bounded = <T>(p: Promise<T>, ms: number, message: string): Promise<T> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${label}: ${message}\n${stderr}`)), ms);
    });
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
  };

  const handle: NsChild = {
    pid: child.pid,
    status,
    stderrText: () => stderr,
    stdoutBytes: () => concat(stdoutChunks),
    waitForStderrLine(re: LineMatch, timeoutMs: number): Promise<string> {
      const seen = lines.find((l) => matches(re, l));
      if (seen !== undefined) return Promise.resolve(seen);
      if (stderrClosed) {
        return Promise.reject(new Error(`${label}: exited before a line matched ${re}\n${stderr}`));
      }
      let w: LineWaiter | undefined;
      const line = new Promise<string>((resolve, reject) => {
        w = { re, resolve, reject };
        waiters.add(w);
      });
      return bounded(line, timeoutMs, `no stderr line matched ${re} within ${timeoutMs} ms`)
        .finally(() => waiters.delete(w!));
    },
    waitExit(timeoutMs: number): Promise<Deno.CommandStatus> {
      return bounded(status, timeoutMs, `still running after ${timeoutMs} ms`);
    },
    async send(line: string): Promise<void> {
      if (!stdin) throw new Error(`${label}: started without a stdin pipe`);
      await stdin.write(new TextEncoder().encode(`${line}\n`));
    },
    async closeStdin(): Promise<void> {
      if (!stdin) throw new Error(`${label}: started without a stdin pipe`);
      await stdin.close();
    },
    signal(sig: Deno.Signal): void {
      if (exited) return;
      try {
        child.kill(sig);
      } catch {
        // Exited between the check and the kill.
      }
    },
    async stop(): Promise<Deno.CommandStatus> {
      handle.signal("SIGKILL");
      return await status;
    },
  };
  return handle;
}
