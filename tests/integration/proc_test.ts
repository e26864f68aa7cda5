// Which process sent or received each packet (issue 20), on the real kernel: senders started by
// the test in the capture namespace (their pids known) talk through the captured veth to echo
// servers in the sender namespace.
// - two senders at once, TCP and UDP: every packet of each, both directions, carries its
//   sender's pid (the project's reader: epb_processid_threadid; tshark: the comment); the TCP
//   sender exits before its connection is closed: its FIN and what follows are still its own;
//   --pid beside it selects exactly the UDP sender's packets, while both senders get every echo;
// - a connection opened before xskdump starts: attributed from its first captured packet;
// - packets of no socket (ARP, ICMP): written without a process, counted; not selected by --pid;
// - text lines: identical to those without --print-process up to the " [pid N comm]" suffix;
// - a server's accepted connection, forwarded packets, IPv6;
// - the same 5-tuple, TCP and UDP, used by one process and then another: each packet its own
//   process's, at XDP and tc ingress, with the flow cache's age longer than the test (only its
//   invalidation by the hooks keeps the first process's answer from the second's packets).
// proc_cgroup_test.ts selects by cgroup, container and command; proc_cleanup_test.ts checks what
// the attribution holds in the kernel.

import assert from "node:assert/strict";
import { type PcapngRecord, pcapngRecords } from "../../lib/formats/pcapng_reader.ts";
import {
  addAddress,
  type Capture,
  type NsChild,
  nsExec,
  pollUntil,
  run,
  startXskdump,
  untilTimeWait,
} from "../../testbed/mod.ts";
import {
  addV6,
  CAP_ADDR,
  closed,
  directions,
  finish,
  flowOf,
  MESSAGES,
  ofPort,
  peer,
  PEER_ADDR,
  processOf,
  procTest,
  READY_MS,
  runSenders,
  TCP_PORT,
  tsharkComments,
  UDP_PORT,
} from "./proc_helpers.ts";

procTest(
  "proc: two senders, TCP and UDP, both directions, each packet its sender's; --pid one",
  async (pair, dir) => {
    const all = `${dir}/all.pcapng`;
    const one = `${dir}/one.pcapng`;
    const capAll = await startXskdump(pair, ["--attribute", "-w", all]);
    let capOne: Capture | undefined;
    const senders: NsChild[] = [];
    try {
      const tcp = await peer(pair.captureNs, [
        "tcp-send",
        PEER_ADDR,
        String(TCP_PORT),
        `${MESSAGES}`,
      ]);
      senders.push(tcp);
      const udp = await peer(pair.captureNs, [
        "udp-send",
        PEER_ADDR,
        String(UDP_PORT),
        `${MESSAGES}`,
      ]);
      senders.push(udp);
      // The second capture: incoming at tc ingress (the first holds XDP); only the UDP sender.
      capOne = await startXskdump(pair, ["--pid", String(udp.pid), "-w", one]);
      await runSenders(senders); // every echo came back: the stack got all of both
      await closed(pair);
      const sumOne = await finish(capOne);
      const sumAll = await finish(capAll);

      const records = [...pcapngRecords(Deno.readFileSync(all))];
      const tcpRecs = ofPort(records, TCP_PORT);
      const udpRecs = ofPort(records, UDP_PORT);
      assert.ok(tcpRecs.length >= 2 * MESSAGES + 5, `TCP packets: ${tcpRecs.length}`);
      assert.equal(udpRecs.length, 2 * MESSAGES, "UDP: every datagram and echo");
      assert.deepEqual(directions(tcpRecs), new Set([1, 2]));
      assert.deepEqual(directions(udpRecs), new Set([1, 2]));
      const wrong = (rs: PcapngRecord[], pid: number) =>
        rs.filter((r) => r.processId !== pid).map((r) => `${(r.flags ?? 0) & 3}:${r.processId}`);
      assert.deepEqual(wrong(tcpRecs, tcp.pid), [], `TCP packets not of pid ${tcp.pid}`);
      assert.deepEqual(wrong(udpRecs, udp.pid), [], `UDP packets not of pid ${udp.pid}`);

      // The TCP sender exited with its connection open: its FIN, and the packets after, are
      // still its own, marked closed.
      const finOut = tcpRecs.filter((r) => ((r.flags ?? 0) & 3) === 2 && flowOf(r.data)!.flags & 1);
      assert.equal(finOut.length, 1, "one FIN from the sender");
      assert.match(finOut[0].comment ?? "", new RegExp(`^pid ${tcp.pid} tid \\d+ deno cgroup `));
      assert.match(finOut[0].comment ?? "", /socket closed\)$/);

      // tshark reads the same in the comments, frame by frame.
      const comments = await tsharkComments(all);
      assert.equal(comments.length, records.length);
      records.forEach((r, i) => {
        if (r.processId === undefined) assert.equal(comments[i], "", `frame ${i + 1}`);
        else {assert.ok(
            comments[i].startsWith(`pid ${r.processId} tid ${r.threadId} `),
            comments[i],
          );}
      });

      // --pid: exactly the UDP sender's packets, both directions.
      const picked = [...pcapngRecords(Deno.readFileSync(one))];
      assert.equal(picked.length, udpRecs.length, "--pid: the UDP sender's packets");
      assert.deepEqual(wrong(picked, udp.pid), []);
      assert.deepEqual(
        picked.map((r) => [...r.data].join(",")),
        udpRecs.map((r) => [...r.data].join(",")),
      );
      const pOne = processOf(sumOne);
      // Every TCP packet after its handshake (done before this capture started) left out.
      assert.ok(pOne.filtered >= tcpRecs.length - 3, `left out: ${pOne.filtered}`);
      const pAll = processOf(sumAll);
      assert.equal(pAll.attributed + pAll.unattributed, records.length);
      assert.equal(pAll.attributed, records.filter((r) => r.processId !== undefined).length);
      console.log(
        `TCP ${tcpRecs.length} packets of pid ${tcp.pid}, UDP ${udpRecs.length} of pid ` +
          `${udp.pid}; --pid kept ${picked.length}, left out ${pOne.filtered}`,
      );
    } finally {
      for (const s of senders) await s.stop();
      await capOne?.stop();
      await capAll.stop();
    }
  },
);

procTest(
  "proc: a connection opened before the start is its process's from the first packet",
  async (pair, dir) => {
    const file = `${dir}/before.pcapng`;
    const tcp = await peer(pair.captureNs, ["tcp-send", PEER_ADDR, String(TCP_PORT), "5"]);
    let cap: Capture | undefined;
    try {
      cap = await startXskdump(pair, ["--attribute", "-w", file]);
      assert.match(cap.readyLine, /processes by socket \(\d+ from before the start\)/);
      await runSenders([tcp]);
      await closed(pair);
      const sum = await finish(cap);
      const recs = ofPort([...pcapngRecords(Deno.readFileSync(file))], TCP_PORT);
      assert.ok(recs.length >= 10, `packets: ${recs.length}`);
      const first = recs[0];
      assert.equal(flowOf(first.data)!.flags & 2, 0, "no SYN: the connection was open before");
      assert.equal(first.processId, tcp.pid);
      assert.match(first.comment ?? "", /\(socket table at start\)$/);
      assert.deepEqual(recs.filter((r) => r.processId !== tcp.pid), []);
      assert.ok(processOf(sum).table.added >= 1);
    } finally {
      await tcp.stop();
      await cap?.stop();
    }
  },
);

procTest(
  "proc: packets of no socket (ARP, ICMP) are written without a process and counted",
  async (pair, dir) => {
    const all = `${dir}/none.pcapng`;
    const picked = `${dir}/pid.pcapng`;
    const udp = await peer(pair.captureNs, ["udp-send", PEER_ADDR, String(UDP_PORT), "3"]);
    const capAll = await startXskdump(pair, ["--attribute", "-w", all]);
    let capPid: Capture | undefined;
    try {
      capPid = await startXskdump(pair, ["--pid", String(udp.pid), "-w", picked]);
      await nsExec(pair.senderNs, ["ping", "-c", "3", "-i", "0.2", "-W", "2", CAP_ADDR], {
        check: true,
      });
      await runSenders([udp]);
      const sumPid = await finish(capPid);
      const sumAll = await finish(capAll);
      const recs = [...pcapngRecords(Deno.readFileSync(all))];
      const icmp = recs.filter((r) => r.data[12] === 0x08 && r.data[13] === 0 && r.data[23] === 1);
      assert.equal(icmp.length, 6, "3 echo requests and 3 replies");
      assert.deepEqual(icmp.filter((r) => r.processId !== undefined || r.comment), []);
      const none = recs.filter((r) => r.processId === undefined).length;
      const p = processOf(sumAll);
      assert.equal(p.unattributed, none);
      assert.ok(none >= 6);
      // With --pid, none of them is captured: counted as left out.
      const kept = [...pcapngRecords(Deno.readFileSync(picked))];
      assert.equal(kept.length, 6, "the UDP sender's 3 datagrams and 3 echoes");
      assert.ok(processOf(sumPid).filtered >= none);
    } finally {
      await udp.stop();
      await capPid?.stop();
      await capAll.stop();
    }
  },
);

procTest(
  "proc: --print-process lines are the same lines with [pid N comm] at the end",
  async (pair) => {
    // -t: two captures stamp a packet at different hooks; the lines must not differ by that.
    const plain = await startXskdump(pair, ["-t", "--tap"], { stdout: true, json: false });
    let marked: Capture | undefined;
    const udp = await peer(pair.captureNs, ["udp-send", PEER_ADDR, String(UDP_PORT), "5"]);
    try {
      marked = await startXskdump(pair, ["-t", "--print-process"], { stdout: true, json: false });
      await runSenders([udp]);
      assert.equal((await marked.interrupt("SIGINT")).code, 0, marked.stderr());
      assert.equal((await plain.interrupt("SIGINT")).code, 0, plain.stderr());
      const lines = (c: Capture) => c.stdoutText().split("\n").filter(Boolean);
      const suffix = ` [pid ${udp.pid} deno]`;
      const withPid = lines(marked).filter((l) => l.endsWith(suffix));
      assert.equal(withPid.length, 10, "the 5 datagrams and 5 echoes");
      assert.ok(withPid.every((l) => l.includes(`.${UDP_PORT}`)));
      const stripped = lines(marked).map((l) =>
        l.endsWith(suffix) ? l.slice(0, -suffix.length) : l
      );
      assert.deepEqual(stripped.filter((l) => / \[pid \d+ /.test(l)), [], "other processes");
      assert.deepEqual([...stripped].sort(), [...lines(plain)].sort());
    } finally {
      await udp.stop();
      await marked?.stop();
      await plain.stop();
    }
  },
);

procTest(
  "proc: a server's accepted connection is its process's (the listener's)",
  async (pair, dir) => {
    await addAddress(pair.captureNs, pair.captureIf, `${CAP_ADDR}/24`);
    await addAddress(pair.senderNs, pair.senderIf, `${PEER_ADDR}/24`);
    const file = `${dir}/server.pcapng`;
    const cap = await startXskdump(pair, ["--attribute", "-w", file]);
    const spawned: NsChild[] = [];
    try {
      // The server starts after xskdump (its listening socket through the hooks); the kernel
      // makes the accepted socket, for which no hook runs.
      const server = await peer(pair.captureNs, ["tcp-echo", String(TCP_PORT)]);
      spawned.push(server);
      const client = await peer(pair.senderNs, ["tcp-send", CAP_ADDR, String(TCP_PORT), "5"]);
      spawned.push(client);
      await runSenders([client]);
      // The client's side closed first: the server's last ACK, once its own FIN is acknowledged.
      await untilTimeWait(pair.senderNs, `${CAP_ADDR}:${TCP_PORT}`, READY_MS);
      await finish(cap);
      const recs = ofPort([...pcapngRecords(Deno.readFileSync(file))], TCP_PORT);
      assert.ok(recs.length >= 15, `packets: ${recs.length}`);
      assert.deepEqual(
        recs.filter((r) => r.processId !== server.pid),
        [],
        "every one the server's",
      );
      const syn = recs[0];
      assert.equal(flowOf(syn.data)!.flags & 0x12, 2, "the first is the SYN");
      assert.match(syn.comment ?? "", /\(socket hook\)$/, "the SYN finds the listener itself");
      const accepted = recs.filter((r) =>
        /listener of an accepted connection/.test(r.comment ?? "")
      );
      assert.ok(accepted.length >= recs.length - 2, `by the listener: ${accepted.length}`);
    } finally {
      for (const c of spawned) await c.stop();
      await cap.stop();
    }
  },
  false,
);

procTest(
  "proc: forwarded packets have no process: written without one, left out by --pid",
  async (pair, dir) => {
    // sender ns (10.89.0.2) -> capture ns, forwarding (10.89.0.1, 10.90.0.1) -> far ns (10.90.0.2)
    const far = `${pair.senderNs}-far`;
    await addAddress(pair.captureNs, pair.captureIf, `${CAP_ADDR}/24`);
    await addAddress(pair.senderNs, pair.senderIf, `${PEER_ADDR}/24`);
    await run(["ip", "netns", "add", far], { check: true });
    const spawned: NsChild[] = [];
    const caps: Capture[] = [];
    try {
      await run([
        ...["ip", "link", "add", "xf0", "netns", pair.captureNs, "type", "veth"],
        ...["peer", "name", "xf1", "netns", far],
      ], { check: true });
      await addAddress(pair.captureNs, "xf0", "10.90.0.1/24");
      await addAddress(far, "xf1", "10.90.0.2/24");
      for (const [ns, i] of [[pair.captureNs, "xf0"], [far, "xf1"], [far, "lo"]]) {
        await run(["ip", "-n", ns, "link", "set", i, "up"], { check: true });
      }
      await nsExec(pair.captureNs, ["sysctl", "-q", "-w", "net.ipv4.ip_forward=1"], {
        check: true,
      });
      await run(["ip", "-n", pair.senderNs, "route", "add", "10.90.0.0/24", "via", CAP_ADDR], {
        check: true,
      });
      await run(["ip", "-n", far, "route", "add", "default", "via", "10.90.0.1"], { check: true });
      spawned.push(await peer(far, ["udp-echo", String(UDP_PORT)]));
      const all = `${dir}/fwd.pcapng`;
      caps.push(await startXskdump(pair, ["--attribute", "-w", all]));
      caps.push(await startXskdump(pair, ["--pid", "1", "-w", `${dir}/pid.pcapng`]));
      const sender = await peer(pair.senderNs, ["udp-send", "10.90.0.2", String(UDP_PORT), "5"]);
      spawned.push(sender);
      await runSenders([sender]);
      const [sumAll, sumPid] = [await finish(caps[0]), await finish(caps[1])];
      const recs = ofPort([...pcapngRecords(Deno.readFileSync(all))], UDP_PORT);
      assert.equal(recs.length, 10, "5 datagrams forwarded in, 5 echoes forwarded out");
      assert.deepEqual(directions(recs), new Set([1, 2]));
      assert.deepEqual(recs.filter((r) => r.processId !== undefined || r.comment), []);
      assert.ok(processOf(sumAll).unattributed >= 10);
      assert.equal([...pcapngRecords(Deno.readFileSync(`${dir}/pid.pcapng`))].length, 0);
      assert.ok(processOf(sumPid).filtered >= 10, "left out, and counted");
    } finally {
      for (const c of spawned) await c.stop();
      for (const c of caps) await c.stop();
      await run(["ip", "netns", "del", far]);
    }
  },
  false,
);

procTest("proc: IPv6, TCP and UDP: each packet its sender's", async (pair, dir) => {
  const [cap6, peer6] = ["fd00:89::1", "fd00:89::2"];
  await addV6(pair, cap6, peer6);
  const spawned: NsChild[] = [];
  const file = `${dir}/v6.pcapng`;
  let cap: Capture | undefined;
  try {
    spawned.push(await peer(pair.senderNs, ["tcp6-echo", String(TCP_PORT)]));
    spawned.push(await peer(pair.senderNs, ["udp6-echo", String(UDP_PORT)]));
    cap = await startXskdump(pair, ["--attribute", "-w", file]);
    const tcp = await peer(pair.captureNs, ["tcp-send", peer6, String(TCP_PORT), "5"]);
    const udp = await peer(pair.captureNs, ["udp-send", peer6, String(UDP_PORT), "5"]);
    spawned.push(tcp, udp);
    await runSenders([tcp, udp]);
    await finish(cap);
    // IPv6 frames by next header and ports (no extension headers here).
    const recs = [...pcapngRecords(Deno.readFileSync(file))].filter((r) =>
      r.data[12] === 0x86 && r.data[13] === 0xdd && (r.data[20] === 6 || r.data[20] === 17)
    );
    const port = (r: PcapngRecord) =>
      Math.min((r.data[54] << 8) | r.data[55], (r.data[56] << 8) | r.data[57]);
    const tcpRecs = recs.filter((r) => r.data[20] === 6 && port(r) === TCP_PORT);
    const udpRecs = recs.filter((r) => r.data[20] === 17 && port(r) === UDP_PORT);
    assert.ok(tcpRecs.length >= 15, `TCP: ${tcpRecs.length}`);
    assert.equal(udpRecs.length, 10);
    assert.deepEqual(directions([...tcpRecs, ...udpRecs]), new Set([1, 2]));
    assert.deepEqual(tcpRecs.filter((r) => r.processId !== tcp.pid).map((r) => r.processId), []);
    assert.deepEqual(udpRecs.filter((r) => r.processId !== udp.pid).map((r) => r.processId), []);
  } finally {
    for (const c of spawned) await c.stop();
    await cap?.stop();
  }
}, false);

procTest(
  "proc: a snap length shorter than the headers: still each packet its sender's",
  async (pair, dir) => {
    // -s 40 keeps less than IPv4+UDP's 42 bytes of headers and IPv6's 54: the kernel reads the
    // ports from the packet itself, not from the record.
    const [cap6, peer6] = ["fd00:8a::1", "fd00:8a::2"];
    await addV6(pair, cap6, peer6);
    const spawned: NsChild[] = [];
    const file = `${dir}/short.pcapng`;
    let cap: Capture | undefined;
    try {
      // A port of its own: the IPv4 echo server has UDP_PORT (an IPv6 socket takes both).
      spawned.push(await peer(pair.senderNs, ["udp6-echo", String(UDP_PORT + 100)]));
      cap = await startXskdump(pair, ["--attribute", "-s", "40", "-w", file]);
      const v4 = await peer(pair.captureNs, ["udp-send", PEER_ADDR, String(UDP_PORT), "5"]);
      const v6 = await peer(pair.captureNs, ["udp-send", peer6, String(UDP_PORT + 100), "5"]);
      spawned.push(v4, v6);
      await runSenders([v4, v6]);
      await finish(cap);
      const recs = [...pcapngRecords(Deno.readFileSync(file))];
      // UDP over IPv4 (protocol at 23) and over IPv6 (next header at 20): the only UDP here.
      const udp4 = recs.filter((r) => r.data[12] === 0x08 && r.data[13] === 0 && r.data[23] === 17);
      const udp6 = recs.filter((r) =>
        r.data[12] === 0x86 && r.data[13] === 0xdd && r.data[20] === 17
      );
      assert.equal(udp4.length, 10, "5 datagrams and 5 echoes over IPv4");
      assert.equal(udp6.length, 10, "and over IPv6");
      assert.ok([...udp4, ...udp6].every((r) => r.data.length === 40 && r.origLen > 40));
      assert.deepEqual(directions([...udp4, ...udp6]), new Set([1, 2]));
      assert.deepEqual(udp4.filter((r) => r.processId !== v4.pid).map((r) => r.processId), []);
      assert.deepEqual(udp6.filter((r) => r.processId !== v6.pid).map((r) => r.processId), []);
    } finally {
      for (const c of spawned) await c.stop();
      await cap?.stop();
    }
  },
);

/** The one local port connect() and bind(0) take in the capture namespace: a 5-tuple reused. */
const FIXED_PORT = 41000;

procTest(
  "proc: the same 5-tuple, one process then another: each packet its own (the flow cache)",
  async (pair, dir) => {
    await addAddress(pair.captureNs, pair.captureIf, `${CAP_ADDR}/24`);
    await addAddress(pair.senderNs, pair.senderIf, `${PEER_ADDR}/24`);
    await nsExec(pair.captureNs, [
      ...["sysctl", "-q", "-w"],
      `net.ipv4.ip_local_port_range=${FIXED_PORT} ${FIXED_PORT}`,
    ], { check: true });
    const spawned: NsChild[] = [];
    const caps: Capture[] = [];
    // A cached answer outlives the test: only the hooks' invalidation can get this right.
    const env = { XSKDUMP_PROC_CACHE_NS: String(600e9) };
    try {
      // The server closes each connection first (after the 5 echoes): its TIME-WAIT does not
      // keep the client's one port, and takes the next SYN of the same 5-tuple.
      spawned.push(await peer(pair.senderNs, ["tcp-echo-close", String(TCP_PORT), "25"]));
      spawned.push(await peer(pair.senderNs, ["udp-echo", String(UDP_PORT)]));
      const files = [`${dir}/xdp.pcapng`, `${dir}/tc.pcapng`]; // the second at tc ingress
      for (const f of files) caps.push(await startXskdump(pair, ["--attribute", "-w", f], { env }));
      const senders: NsChild[] = [];
      for (let round = 0; round < 2; round++) {
        const both = [
          await peer(pair.captureNs, ["tcp-send", PEER_ADDR, String(TCP_PORT), "5", "eof"]),
          await peer(pair.captureNs, ["udp-send", PEER_ADDR, String(UDP_PORT), "5"]),
        ];
        spawned.push(...both);
        senders.push(...both);
        await runSenders(both);
        // The client's end is gone (its FIN acknowledged): its port is free for the next one.
        const gone = await pollUntil(async () => {
          const ss = await nsExec(pair.captureNs, ["ss", "-Htan"], { check: true });
          return !ss.stdout.includes(`${CAP_ADDR}:${FIXED_PORT} `);
        }, READY_MS);
        assert.ok(gone, "the first connection's socket stays");
      }
      for (const c of caps) await finish(c);
      const [tcpA, udpA, tcpB, udpB] = senders.map((s) => s.pid);
      for (const f of files) {
        const recs = [...pcapngRecords(Deno.readFileSync(f))];
        const local = (r: PcapngRecord) => {
          const fl = flowOf(r.data)!;
          return ((r.flags ?? 0) & 3) === 2 ? fl.sport : fl.dport;
        };
        // In arrival order: the first process's packets, then the second's (TCP from the
        // second SYN on, UDP from the eleventh packet on).
        const tcp = ofPort(recs, TCP_PORT).filter((r) => local(r) === FIXED_PORT);
        const syns = tcp.flatMap((r, i) => (flowOf(r.data)!.flags & 0x12) === 2 ? [i] : []);
        assert.equal(syns.length, 2, `${f}: two connections`);
        const udp = ofPort(recs, UDP_PORT).filter((r) => local(r) === FIXED_PORT);
        assert.equal(udp.length, 20, `${f}: 5 datagrams and 5 echoes, twice`);
        const parts: [string, PcapngRecord[], number][] = [
          ["TCP, first", tcp.slice(0, syns[1]), tcpA],
          ["TCP, second", tcp.slice(syns[1]), tcpB],
          ["UDP, first", udp.slice(0, 10), udpA],
          ["UDP, second", udp.slice(10), udpB],
        ];
        for (const [what, rs, pid] of parts) {
          assert.ok(rs.length >= 10, `${f} ${what}: ${rs.length} packets`);
          assert.deepEqual(directions(rs), new Set([1, 2]), `${f} ${what}`);
          assert.deepEqual(
            rs.flatMap((r, i) => r.processId === pid ? [] : [`${i}:${r.processId}`]),
            [],
            `${f} ${what}: packets not of pid ${pid}`,
          );
        }
      }
    } finally {
      for (const c of spawned) await c.stop();
      for (const c of caps) await c.stop();
    }
  },
  false,
);
