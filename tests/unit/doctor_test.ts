// Each doctor check on made-up hosts: the verdict flips exactly on the fact it judges.
import assert from "node:assert/strict";
import {
  CAP,
  type Check,
  type DoctorFacts,
  formatChecks,
  hasGenericRaceFix,
  hasMultiBuffer,
  type IfaceFacts,
  runChecks,
} from "../../lib/host/doctor.ts";

const all = (1n << 41n) - 1n;
const host: DoctorFacts = {
  kernel: "6.18.44",
  capEff: all,
  memlock: 8 << 20,
  btf: true,
  umemBytes: 16 << 20,
};
const eth0: IfaceFacts = {
  name: "eth0",
  exists: true,
  rxQueues: 1,
  native: true,
  carriesSsh: false,
};

function check(f: DoctorFacts, name: string): Check {
  const c = runChecks(f).find((c) => c.name === name);
  assert.ok(c, `no check named ${name}`);
  return c;
}

const without = (...bits: number[]) => bits.reduce((m, b) => m & ~(1n << BigInt(b)), all);

Deno.test("hasGenericRaceFix: mainline 5.3+, 5.2.3+, not before, 4.19 unknown", () => {
  assert.equal(hasGenericRaceFix("6.18.44-fc"), true);
  assert.equal(hasGenericRaceFix("5.3.0"), true);
  assert.equal(hasGenericRaceFix("5.2.3"), true);
  assert.equal(hasGenericRaceFix("5.2.2"), false);
  assert.equal(hasGenericRaceFix("5.1.21"), false);
  assert.equal(hasGenericRaceFix("4.19.300"), undefined);
  assert.equal(hasGenericRaceFix("weird"), undefined);
});

Deno.test("doctor: kernel check", () => {
  assert.equal(check(host, "kernel").status, "ok");
  assert.equal(check({ ...host, kernel: "5.2.1" }, "kernel").status, "fail"); // no XDP links
  assert.equal(check({ ...host, kernel: "garbled" }, "kernel").status, "warn");
});

Deno.test("doctor: capabilities", () => {
  assert.equal(check(host, "CAP_NET_ADMIN").status, "ok");
  const noAdmin = { ...host, capEff: without(CAP.NET_ADMIN, CAP.SYS_ADMIN) };
  assert.equal(check(noAdmin, "CAP_NET_ADMIN").status, "fail");
  assert.equal(check({ ...host, capEff: without(CAP.BPF) }, "CAP_BPF").status, "ok"); // SYS_ADMIN
  const noBpf = check({ ...host, capEff: without(CAP.BPF, CAP.SYS_ADMIN) }, "CAP_BPF");
  assert.equal(noBpf.status, "fail");
  assert.match(noBpf.fix ?? "", /cap_bpf/);
});

Deno.test("doctor: CAP_NET_RAW for AF_XDP sockets, CAP_PERFMON for filters", () => {
  assert.equal(check(host, "CAP_NET_RAW").status, "ok");
  assert.equal(check({ ...host, capEff: without(CAP.NET_RAW) }, "CAP_NET_RAW").status, "fail");
  assert.equal(check(host, "CAP_PERFMON").status, "ok");
  const noPerf = check({ ...host, capEff: without(CAP.PERFMON, CAP.SYS_ADMIN) }, "CAP_PERFMON");
  assert.equal(noPerf.status, "warn");
  assert.match(noPerf.detail, /SSH exclusion/);
  assert.equal(
    check({ ...host, capEff: without(CAP.NET_ADMIN) }, "CAP_NET_ADMIN").status,
    "ok",
    "CAP_SYS_ADMIN covers it",
  );
});

Deno.test("doctor: locked memory needs CAP_IPC_LOCK or a big enough limit", () => {
  assert.equal(check(host, "locked memory").status, "ok");
  const low = { ...host, capEff: without(CAP.IPC_LOCK) };
  assert.equal(check(low, "locked memory").status, "fail");
  assert.equal(check({ ...low, memlock: Infinity }, "locked memory").status, "ok");
  assert.equal(check({ ...low, memlock: 64 << 20 }, "locked memory").status, "ok");
});

Deno.test("doctor: BTF", () => {
  assert.equal(check(host, "BTF").status, "ok");
  assert.equal(check({ ...host, btf: false }, "BTF").status, "warn");
});

Deno.test("doctor: interface checks only with -i", () => {
  assert.equal(runChecks(host).some((c) => c.name === "native XDP"), false);
  const gone = runChecks({ ...host, iface: { ...eth0, exists: false } });
  assert.equal(gone.at(-1)?.status, "fail");
  assert.equal(gone.at(-1)?.name, "interface");
});

Deno.test("doctor: XDP program already attached fails", () => {
  const f = { ...host, iface: { ...eth0, xdp: { mode: "native", progId: 42 } } };
  assert.equal(check(f, "XDP program").status, "fail");
  assert.match(check(f, "XDP program").detail, /program 42/);
  assert.equal(check({ ...host, iface: eth0 }, "XDP program").status, "ok");
  const unknown = {
    ...host,
    iface: { ...eth0, xdp: { mode: "native", progId: 7, owner: "unknown" as const } },
  };
  assert.equal(check(unknown, "XDP program").status, "fail");
  assert.match(check(unknown, "XDP program").detail, /without CAP_SYS_ADMIN/);
});

Deno.test("doctor: another xskdump's program is a warning: a capture can join it", () => {
  const xdp = { mode: "generic", progId: 9, owner: "xskdump" as const };
  const c = check({ ...host, iface: { ...eth0, xdp } }, "XDP program");
  assert.equal(c.status, "warn");
  assert.match(c.detail, /another xskdump captures on eth0 \(program 9, generic\)/);
  assert.match(c.fix ?? "", /joins it on other queues/);
});

Deno.test("doctor: GRO warns only when the capture will be in generic mode", () => {
  const generic = { ...eth0, native: "Operation not supported" };
  const old = { ...host, kernel: "6.5.9" };
  const warn = check({ ...old, iface: { ...generic, gro: true } }, "GRO");
  assert.equal(warn.status, "warn");
  assert.match(warn.detail, /larger than a frame/);
  assert.match(warn.fix ?? "", /ethtool -K eth0 gro off/);
  assert.equal(check({ ...old, iface: { ...generic, gro: false } }, "GRO").status, "ok");
  // Multi-buffer (6.6+) captures the merged packets whole.
  const whole = check({ ...host, kernel: "6.6.0", iface: { ...generic, gro: true } }, "GRO");
  assert.equal(whole.status, "ok");
  assert.match(whole.detail, /captured whole/);
  const native = check({ ...host, iface: { ...eth0, gro: true } }, "GRO");
  assert.equal(native.status, "ok");
  assert.match(native.detail, /before GRO/);
});

Deno.test("doctor: multi-buffer from Linux 6.6 on, else a warning naming that kernel", () => {
  assert.equal(hasMultiBuffer("6.6.0"), true);
  assert.equal(hasMultiBuffer("6.5.13"), false);
  assert.equal(hasMultiBuffer("7.0.1"), true);
  assert.equal(hasMultiBuffer("weird"), undefined);
  assert.equal(check(host, "multi-buffer").status, "ok");
  const old = check({ ...host, kernel: "6.1.0" }, "multi-buffer");
  assert.equal(old.status, "warn");
  assert.match(old.detail, /larger than a frame/);
  assert.match(old.fix ?? "", />= 6\.6/);
});

Deno.test("doctor: VLAN metadata of the driver", () => {
  const has = check({ ...host, iface: { ...eth0, rxMetadata: 7 } }, "VLAN metadata");
  assert.equal(has.status, "ok");
  assert.match(has.detail, /puts tags the NIC strips back/);
  const lacks = check({ ...host, iface: { ...eth0, rxMetadata: 3 } }, "VLAN metadata");
  assert.equal(lacks.status, "warn");
  assert.match(lacks.fix ?? "", /ethtool -K eth0 rxvlan off/);
  assert.equal(check({ ...host, iface: eth0 }, "VLAN metadata").status, "ok");
});

Deno.test("doctor: native XDP support", () => {
  assert.equal(check({ ...host, iface: eth0 }, "native XDP").status, "ok");
  const f = { ...host, iface: { ...eth0, native: "Operation not supported" } };
  assert.equal(check(f, "native XDP").status, "warn");
  assert.match(check(f, "native XDP").fix ?? "", /--mode generic/);
});

Deno.test("doctor: several queues in generic mode warn only on an unfixed kernel", () => {
  const generic4 = { ...eth0, rxQueues: 4, native: "no" };
  const old = { ...host, kernel: "5.1.0", iface: generic4 };
  assert.equal(check(old, "RX queues").status, "warn");
  assert.match(check(old, "RX queues").fix ?? "", /--single-queue/);
  assert.equal(check({ ...host, iface: generic4 }, "RX queues").status, "ok");
  assert.equal(check({ ...old, iface: { ...generic4, native: true } }, "RX queues").status, "ok");
  assert.equal(check({ ...old, iface: { ...generic4, rxQueues: 1 } }, "RX queues").status, "ok");
});

Deno.test("doctor: the interface carrying the SSH session warns", () => {
  const f = { ...host, sshServer: "10.0.0.2", iface: { ...eth0, carriesSsh: true } };
  assert.equal(check(f, "SSH session").status, "warn");
  assert.equal(check({ ...f, iface: eth0 }, "SSH session").status, "ok");
});

Deno.test("doctor: one line per check, status first", () => {
  const lines = formatChecks(runChecks({ ...host, iface: eth0 }));
  assert.equal(lines.length, runChecks({ ...host, iface: eth0 }).length);
  for (const l of lines) assert.match(l, /^(ok {2}|warn|fail) \S/);
});

Deno.test("doctor: processes: ok when every hook loads and a cgroup2 root opens", () => {
  const names = ["sock_create", "sock_release", "connect4", "lookup at XDP"];
  const probes = names.map((name) => ({ name }));
  assert.equal(runChecks(host).find((c) => c.name === "processes"), undefined, "not asked");
  const ok = check(
    { ...host, attribution: { probes, cgroup2: { kind: "private", path: "" } } },
    "processes",
  );
  assert.equal(ok.status, "ok");
  assert.match(ok.detail, /hooks \(sock_create, sock_release, connect4\)/);
  assert.match(ok.detail, /private mount/);
  const mounted = check({
    ...host,
    attribution: { probes, cgroup2: { kind: "mounted", path: "/sys/fs/cgroup" } },
  }, "processes");
  assert.match(mounted.detail, /cgroup2 root \/sys\/fs\/cgroup$/);
  const refused = check({
    ...host,
    attribution: {
      probes: [...probes, { name: "lookup at tc egress", refused: "EINVAL" }],
      cgroup2: { kind: "private", path: "" },
    },
  }, "processes");
  assert.equal(refused.status, "warn");
  assert.match(refused.detail, /lookup at tc egress refused \(EINVAL\)/);
  const noRoot = check(
    { ...host, attribution: { probes, cgroup2: { error: "EPERM" } } },
    "processes",
  );
  assert.equal(noRoot.status, "warn");
  assert.match(noRoot.detail, /no cgroup2 root \(EPERM\)/);
});
