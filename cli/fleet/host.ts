/**
 * One host of `xskdump fleet`: its ssh process (in a session of its own, so a Ctrl-C at the
 * terminal reaches fleet alone, which stops every host the same way), the capture's pcapng
 * stream on ssh's stdout, its stderr read line by line (the `listening on` line, the `--json`
 * summary, errors), and the one way to stop it: closing ssh's stdin, which closes the remote
 * capture's stdin (`--stop-on-eof`). When fleet itself dies, even by SIGKILL, that pipe closes
 * the same way, so a remote capture never outlives the fleet.
 * @module
 */
import type { ByteSource } from "../../lib/formats/reader.ts";
import { type HostFailure, hostFailure, PUSH_COMMAND, sshArgs, type SshOptions } from "./plan.ts";

/** What a host's stderr says, as it says it. */
export interface HostListener {
  /** Its `listening on` line. */
  listening(line: string): void;
  /** A JSON line other than the summary (periodic statistics). */
  json(record: Record<string, unknown>): void;
  /** Any other line after it listened (before, lines are kept for the failure's reason). */
  line(line: string): void;
}

/** A byte stream as the stream reader reads it. */
function byteSource(stream: ReadableStream<Uint8Array>): ByteSource {
  const reader = stream.getReader();
  let pending: Uint8Array = new Uint8Array(0);
  return {
    async read(p: Uint8Array): Promise<number | null> {
      while (pending.length === 0) {
        const r = await reader.read();
        if (r.done) return null;
        pending = r.value;
      }
      const n = Math.min(p.length, pending.length);
      p.set(pending.subarray(0, n));
      pending = pending.subarray(n);
      return n;
    },
  };
}

/** Calls `onLine` for each line of a text stream; resolves at its end. */
async function eachLine(stream: ReadableStream<Uint8Array>, onLine: (l: string) => void) {
  const dec = new TextDecoder();
  let partial = "";
  for await (const chunk of stream) {
    const parts = (partial + dec.decode(chunk, { stream: true })).split("\n");
    partial = parts.pop() ?? "";
    for (const l of parts) onLine(l);
  }
  partial += dec.decode();
  if (partial !== "") onLine(partial);
}

/** Runs ssh; its stdin a pipe, stdout and stderr piped, in a session of its own. */
function spawnSsh(args: string[]): Deno.ChildProcess {
  return new Deno.Command("ssh", {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    detached: true,
  }).spawn();
}

/**
 * Copies `file` to a new temporary file on `host` (mode 0700, in $TMPDIR or /tmp) and returns its
 * path there, or the reason it could not.
 */
export async function pushFile(
  ssh: SshOptions,
  host: string,
  file: string,
): Promise<string | HostFailure> {
  const child = spawnSsh(sshArgs(ssh, host, PUSH_COMMAND));
  const out =
    (async () => new TextDecoder().decode(await new Response(child.stdout).arrayBuffer()))();
  const lines: string[] = [];
  const err = eachLine(child.stderr, (l) => lines.push(l));
  try {
    using f = await Deno.open(file);
    await f.readable.pipeTo(child.stdin);
  } catch {
    // ssh went away early: its status and stderr say why.
  }
  const [status, text] = await Promise.all([child.status, out, err]);
  const path = text.trim().split("\n").at(-1) ?? "";
  if (status.code === 0 && path.startsWith("/")) return path;
  return hostFailure(status.code === 0 ? 1 : status.code, lines, "mktemp") ??
    { kind: "ssh", message: "the host named no file" };
}

/** One host's capture over ssh. */
export class HostSession {
  readonly host: string;
  readonly #child: Deno.ChildProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  /** The capture's stream (pcapng). */
  readonly stream: ByteSource;
  /** Its `listening on` line, once it came. */
  listeningLine?: string;
  /** Its `--json` summary, once it came. */
  summary?: Record<string, unknown>;
  /** stderr lines before it listened, and every line that was not JSON. */
  readonly #lines: string[] = [];
  readonly #program: string;
  /** Resolves with ssh's exit status once it has exited and its stderr is read. */
  readonly exited: Promise<number>;
  #stopped = false;
  #running = true;

  constructor(
    ssh: SshOptions,
    host: string,
    command: string,
    program: string,
    listener: HostListener,
  ) {
    this.host = host;
    this.#program = program;
    const child = spawnSsh(sshArgs(ssh, host, command));
    this.#child = child;
    this.#stdin = child.stdin.getWriter();
    this.stream = byteSource(child.stdout);
    const err = eachLine(child.stderr, (l) => {
      if (l.startsWith("{")) {
        let record: Record<string, unknown> | undefined;
        try {
          record = JSON.parse(l);
        } catch {
          record = undefined;
        }
        if (record?.type === "summary") this.summary = record;
        else if (record) listener.json(record);
        if (record) return;
      }
      this.#lines.push(l);
      if (this.listeningLine === undefined && l.startsWith("listening on ")) {
        this.listeningLine = l;
        listener.listening(l);
      } else if (this.listeningLine !== undefined) {
        listener.line(l);
      }
    });
    this.exited = (async () => {
      const status = await child.status;
      this.#running = false;
      await err;
      return status.code;
    })();
  }

  /** Whether ssh still runs. */
  get running(): boolean {
    return this.#running;
  }

  /** What went wrong, from ssh's exit status (after {@link exited}); undefined: nothing. */
  failure(code: number): HostFailure | undefined {
    return hostFailure(code, this.#lines, this.#program);
  }

  /** Stops the remote capture: ssh's stdin closes, so does the capture's (once; no wait). */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#stdin.close().catch(() => {
      // ssh has gone already.
    });
  }

  /** Ends ssh itself (the connection drops, the remote capture sees its stdin end). */
  kill(signal: Deno.Signal = "SIGTERM"): void {
    if (!this.#running) return;
    try {
      this.#child.kill(signal);
    } catch {
      // Exited meanwhile.
    }
  }
}
