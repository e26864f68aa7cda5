// The processes of the process-attribution tests (proc_*_test.ts): echo servers in the sender
// namespace, and senders in the capture namespace whose pids the test knows. Each says "ready"
// on stderr once its socket exists; a sender then waits for "go" on stdin (so a connection can
// exist before the capture starts), sends `count` messages, reads every echo, says "done" and
// exits (its sockets close with it).
//
//   udp-echo PORT | tcp-echo PORT (IPv4), udp6-echo PORT | tcp6-echo PORT (IPv6)
//   tcp-echo-close PORT BYTES   echoes BYTES bytes of each connection, then closes it first
//   udp-send HOST PORT COUNT | tcp-send HOST PORT COUNT [eof]
//                    (eof: the server closes first; exit once its FIN is read)
//   sockets N        open and close N UDP sockets, then say "done"
import dgram from "node:dgram";

const [mode, a, b, c, d] = Deno.args;
const say = (s: string) => console.error(s);
const stdin = Deno.stdin.readable.pipeThrough(new TextDecoderStream()).getReader();

async function waitGo(): Promise<void> {
  let buf = "";
  while (!buf.includes("go")) {
    const { value, done } = await stdin.read();
    if (done) throw new Error("stdin closed before go");
    buf += value;
  }
}

if (mode === "udp-echo" || mode === "udp6-echo") {
  const s = dgram.createSocket(mode === "udp6-echo" ? "udp6" : "udp4");
  s.on("message", (m, r) => s.send(m, r.port, r.address));
  s.bind(Number(a), () => say("ready"));
} else if (mode === "tcp-echo" || mode === "tcp6-echo") {
  const l = Deno.listen({ port: Number(a), hostname: mode === "tcp6-echo" ? "::" : "0.0.0.0" });
  say("ready");
  for await (const conn of l) {
    (async () => {
      try {
        await conn.readable.pipeTo(conn.writable);
      } catch {
        // The peer went.
      }
    })();
  }
} else if (mode === "tcp-echo-close") {
  // The server's end closes first: the TIME-WAIT is here, and the client's port is free again
  // once its own close is acknowledged.
  const l = Deno.listen({ port: Number(a), hostname: "0.0.0.0" });
  say("ready");
  for await (const conn of l) {
    (async () => {
      const buf = new Uint8Array(64);
      let left = Number(b);
      try {
        while (left > 0) {
          const n = await conn.read(buf);
          if (n === null) break;
          for (let w = 0; w < n;) w += await conn.write(buf.subarray(w, n));
          left -= n;
        }
      } catch {
        // The peer went.
      }
      conn.close();
    })();
  }
} else if (mode === "udp-send") {
  const s = dgram.createSocket(a.includes(":") ? "udp6" : "udp4");
  const count = Number(c);
  let got = 0;
  const all = new Promise<void>((resolve) =>
    s.on("message", () => {
      if (++got === count) resolve();
    })
  );
  s.bind(0, () => say("ready"));
  await waitGo();
  for (let i = 0; i < count; i++) {
    s.send(`udp ${i}`, Number(b), a);
    await new Promise((r) => setTimeout(r, 10));
  }
  await all;
  s.close();
  say("done");
  Deno.exit(0);
} else if (mode === "tcp-send") {
  const conn = await Deno.connect({ hostname: a, port: Number(b) });
  say("ready");
  await waitGo();
  const buf = new Uint8Array(64);
  for (let i = 0; i < Number(c); i++) {
    const msg = new TextEncoder().encode(`tcp ${i}`);
    await conn.write(msg);
    let n = 0;
    while (n < msg.length) n += (await conn.read(buf.subarray(n))) ?? msg.length;
  }
  if (d === "eof") { while ((await conn.read(buf)) !== null); }
  say("done");
  Deno.exit(0); // the connection closes with the process: its FIN after the exit
} else if (mode === "sockets") {
  for (let i = 0; i < Number(a); i++) {
    const u = dgram.createSocket("udp4");
    await new Promise<void>((r) => u.bind(0, "127.0.0.1", () => r()));
    await new Promise<void>((r) => u.close(() => r()));
  }
  say("done");
} else {
  throw new Error(`unknown mode ${mode}`);
}
