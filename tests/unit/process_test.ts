// A tap record's process as user space reads it (lib/capture/process.ts): the block right before
// the packet, the flags that say it is there, container ids in cgroup paths, the path cache.
import assert from "node:assert/strict";
import {
  DESC_DIR_SHIFT,
  DESC_PROC_CLOSED,
  DESC_PROC_SHIFT,
  PROC_BYTES,
  PROC_FIELD,
  PROC_HOW,
} from "../../ffi/abi.ts";
import { recordProcessSuffix } from "../../cli/output/text.ts";
import { parseArgs } from "../../cli/args.ts";
import type { CaptureArgs } from "../../cli/capture_args.ts";
import { openOutput } from "../../cli/output/mod.ts";
import { captureRecords } from "../../lib/formats/capture_file.ts";
import { CgroupNames, containerOf, ProcessLabels, processOf } from "../../lib/capture/process.ts";

/** A view holding one attribution block followed by a packet at `addr`. */
function record(pid: number, tid: number, comm: string, cgroup: bigint): {
  view: Uint8Array;
  addr: number;
} {
  const addr = 64;
  const view = new Uint8Array(128);
  const dv = new DataView(view.buffer, addr - PROC_BYTES, PROC_BYTES);
  dv.setBigUint64(PROC_FIELD.cgroupId, cgroup, true);
  dv.setUint32(PROC_FIELD.pid, pid, true);
  dv.setUint32(PROC_FIELD.tid, tid, true);
  view.set(new TextEncoder().encode(comm), addr - PROC_BYTES + PROC_FIELD.comm);
  view.fill(0xee, addr); // the packet: never read as the block
  return { view, addr };
}

Deno.test("process: the block before the packet, found by the flags", () => {
  const { view, addr } = record(4321, 4322, "nginx", 77n);
  const flags = 3 | (2 << DESC_DIR_SHIFT) | (PROC_HOW.hook << DESC_PROC_SHIFT);
  assert.deepEqual(processOf(view, addr, flags), {
    pid: 4321,
    tid: 4322,
    comm: "nginx",
    cgroupId: 77n,
    source: "hook",
    closed: false,
  });
});

Deno.test("process: none without the flags; a full 16-byte name; closed and table", () => {
  const { view, addr } = record(9, 9, "fifteen-chars-x", 1n);
  assert.equal(processOf(view, addr, 2 << DESC_DIR_SHIFT), undefined);
  const p = processOf(
    view,
    addr,
    (PROC_HOW.table | DESC_PROC_CLOSED) << DESC_PROC_SHIFT,
  );
  assert.equal(p?.comm, "fifteen-chars-x");
  assert.equal(p?.source, "table");
  assert.equal(p?.closed, true);
  assert.equal(processOf(view, 8, PROC_HOW.hook << DESC_PROC_SHIFT), undefined, "no room");
});

Deno.test("process: container ids in cgroup paths", () => {
  const id = "3f2a".padEnd(64, "0");
  assert.equal(containerOf(`/system.slice/docker-${id}.scope`), id);
  assert.equal(containerOf(`/kubepods/besteffort/pod1/cri-containerd-${id}.scope`), id);
  assert.equal(containerOf(`/docker/${id}`), id);
  assert.equal(containerOf("/system.slice/nginx.service"), undefined);
  assert.equal(containerOf(`/x/${id}1`), undefined, "65 hex digits are not an id");
});

Deno.test("process: a cgroup's path is asked once", () => {
  const asked: bigint[] = [];
  const names = new CgroupNames((id) => {
    asked.push(id);
    return id === 1n ? "/" : undefined;
  });
  assert.equal(names.path(1n), "/");
  assert.equal(names.path(1n), "/");
  assert.equal(names.path(5n), undefined);
  assert.equal(names.path(5n), undefined);
  assert.deepEqual(asked, [1n, 5n]);
});

Deno.test("process: -r --print-process reads a pcapng's pid option and xskdump's comment", () => {
  const base = {
    sec: 0,
    nsec: 0,
    caplen: 0,
    origLen: 0,
    data: new Uint8Array(0),
    interfaceId: 0,
    linktype: 1,
    queue: undefined,
    flags: undefined,
  };
  assert.equal(recordProcessSuffix(base), "");
  assert.equal(recordProcessSuffix({ ...base, processId: 7, threadId: 8 }), " [pid 7]");
  assert.equal(
    recordProcessSuffix({
      ...base,
      processId: 4321,
      threadId: 4322,
      comment: "pid 4321 tid 4322 nginx worker cgroup /system.slice/nginx.service (socket hook)",
    }),
    " [pid 4321 nginx worker]",
  );
});

Deno.test("process: a label is made once per process, thread, cgroup, command and how", () => {
  let resolved = 0;
  const labels = new ProcessLabels((id) => {
    resolved++;
    return id === 77n ? `/system.slice/docker-${"ab".repeat(32)}.scope` : undefined;
  });
  const { view, addr } = record(4321, 4322, "nginx", 77n);
  const hook = PROC_HOW.hook << DESC_PROC_SHIFT;
  const a = labels.of(view, addr, hook)!;
  assert.equal(
    a.comment,
    `pid 4321 tid 4322 nginx cgroup /system.slice/docker-${"ab".repeat(32)}.scope ` +
      `container ${"ab".repeat(6)} (socket hook)`,
  );
  assert.equal(a.suffix, " [pid 4321 nginx]");
  assert.equal(labels.of(view, addr, hook), a, "the same block: the same label");
  const closed = labels.of(view, addr, hook | (DESC_PROC_CLOSED << DESC_PROC_SHIFT))!;
  assert.notEqual(closed, a);
  assert.match(closed.comment, /\(socket hook, socket closed\)$/);
  view.set(new TextEncoder().encode("nginx2"), addr - PROC_BYTES + PROC_FIELD.comm);
  assert.equal(labels.of(view, addr, hook)!.suffix, " [pid 4321 nginx2]", "exec: a new name");
  assert.equal(resolved, 1, "the cgroup's path asked once");
  assert.equal(labels.of(view, addr, 0), undefined);
});

Deno.test("process: -w x.pcapng with --print keeps each packet's process in the file", () => {
  const dir = Deno.makeTempDirSync({ prefix: "xskt-proc-print-" });
  try {
    const path = `${dir}/p.pcapng`;
    const args = parseArgs(["-i", "lo", "--tap", "--attribute", "--print", "-w", path]);
    assert.equal(args.kind, "capture");
    const out = openOutput(args as CaptureArgs, {
      ifName: "lo",
      processes: new ProcessLabels(() => undefined),
    });
    const { view, addr } = record(4321, 4322, "nginx", 77n);
    // One line on stdout (--print): 20 bytes of 0xee, no protocol tcpdump knows.
    out.add(
      view,
      addr,
      20,
      1,
      0,
      0,
      20,
      2,
      (2 << DESC_DIR_SHIFT) | (PROC_HOW.hook << DESC_PROC_SHIFT),
    );
    out.close();
    const [r] = [...captureRecords(Deno.readFileSync(path))];
    assert.deepEqual([r.processId, r.threadId, r.flags], [4321, 4322, 2]);
    assert.match(r.comment ?? "", /^pid 4321 tid 4322 nginx /);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
