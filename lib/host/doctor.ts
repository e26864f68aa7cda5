/**
 * `xskdump doctor`: preflight checks, one verdict per check with what to do.
 * Pure: the facts are gathered elsewhere (cli/doctor.ts), so every check is
 * unit-tested on made-up hosts.
 * @module
 */

/** What the checks look at. */
export interface DoctorFacts {
  /** `uname -r`, e.g. "6.18.44-fc". */
  kernel: string;
  /** Effective capability mask (/proc/self/status CapEff). */
  capEff: bigint;
  /** RLIMIT_MEMLOCK soft limit in bytes; Infinity when unlimited. */
  memlock: number;
  /** /sys/kernel/btf/vmlinux exists. */
  btf: boolean;
  /** The UMEM one capture socket locks, in bytes. */
  umemBytes: number;
  /** SSH_CONNECTION's server address, when set. */
  sshServer?: string;
  /** Facts about -i IFACE, when given. */
  iface?: IfaceFacts;
  /** The process attribution (--pid, --print-process, ...): what this kernel allows. */
  attribution?: AttributionFacts;
}

/** What the process attribution needs of the kernel, as doctor found it. */
export interface AttributionFacts {
  /** Each program loaded alone: its name and, when refused, why (an errno name). */
  probes: { name: string; refused?: string }[];
  /** Where its hooks attach: the host's cgroup2 mount, a private one, or why neither works. */
  cgroup2: { kind: "mounted" | "private"; path: string } | { error: string };
}

/** Facts about one interface. */
export interface IfaceFacts {
  name: string;
  exists: boolean;
  /** RX queues (sysfs). */
  rxQueues: number;
  /**
   * XDP already attached: its mode ("native", "generic", ...), program id and whose it is
   * ("xskdump": another capture's, which a capture can join on other queues), or none.
   */
  xdp?: { mode: string; progId: number; owner?: "xskdump" | "foreign" | "unknown" };
  /** Attaching our program in native mode: true, or the error text. */
  native: true | string;
  /** GRO is on (ethtool -k: generic-receive-offload); undefined when unknown. */
  gro?: boolean;
  /** The XDP RX metadata its driver implements (RX_META bits); undefined when unknown. */
  rxMetadata?: number;
  /** The interface holds the SSH session's server address. */
  carriesSsh: boolean;
}

/** One line of the report. */
export interface Check {
  name: string;
  status: "ok" | "warn" | "fail";
  detail: string;
  /** What to do, when not ok. */
  fix?: string;
}

/** Capability bits (linux/capability.h). */
export const CAP = {
  NET_ADMIN: 12,
  NET_RAW: 13,
  IPC_LOCK: 14,
  SYS_ADMIN: 21,
  PERFMON: 38,
  BPF: 39,
} as const;

function has(mask: bigint, bit: number): boolean {
  return (mask >> BigInt(bit) & 1n) === 1n;
}

/**
 * Whether `uname -r` names a kernel with commit bf0bdd13 ("xdp: fix race on
 * generic receive path"): mainline since v5.3 (merged for 5.3-rc1) and the
 * 5.2 stable series since 5.2.3. AF_XDP came in 4.18, so 4.18 to 5.2.2 lack
 * it unless a distribution backported it: undefined means "cannot tell".
 */
export function hasGenericRaceFix(kernel: string): boolean | undefined {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(kernel);
  if (!m) return undefined;
  const [maj, min, patch] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  if (maj > 5 || (maj === 5 && min >= 3)) return true;
  if (maj === 5 && min === 2) return patch >= 3;
  if (maj === 4 && min === 19) return undefined; // long-term: depends on the backport
  return false;
}

/** Major and minor of `uname -r`, or undefined. */
function kernelVersion(kernel: string): [number, number] | undefined {
  const m = /^(\d+)\.(\d+)/.exec(kernel);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** Whether the kernel has AF_XDP multi-buffer (XDP_USE_SG, Linux 6.6); undefined: cannot tell. */
export function hasMultiBuffer(kernel: string): boolean | undefined {
  const v = kernelVersion(kernel);
  return v && (v[0] > 6 || (v[0] === 6 && v[1] >= 6));
}

function multiBufferCheck(f: DoctorFacts): Check {
  return hasMultiBuffer(f.kernel)
    ? {
      name: "multi-buffer",
      status: "ok",
      detail: "packets bigger than a frame (GRO in generic mode, jumbo frames) come whole " +
        "(XDP_USE_SG, Linux 6.6+)",
    }
    : {
      name: "multi-buffer",
      status: "warn",
      detail: `${f.kernel}: no AF_XDP multi-buffer; packets bigger than a frame (GRO in generic ` +
        "mode, jumbo frames) are dropped, counted as 'larger than a frame'",
      fix: "a kernel >= 6.6 captures them whole",
    };
}

/** Whether native captures put back the VLAN tags a NIC strips. */
function vlanCheck(i: IfaceFacts): Check {
  const vlan = 4; // RX_META.vlanTag (ffi/abi.ts): this module stays free of the FFI
  if (i.rxMetadata === undefined) {
    return { name: "VLAN metadata", status: "ok", detail: "cannot tell (Linux before 6.8?)" };
  }
  return i.rxMetadata & vlan
    ? {
      name: "VLAN metadata",
      status: "ok",
      detail: `the driver of ${i.name} gives VLAN tags in the XDP RX metadata: a native capture ` +
        "puts tags the NIC strips back into the frame",
    }
    : {
      name: "VLAN metadata",
      status: "warn",
      detail: `the driver of ${i.name} gives no VLAN tags in the XDP RX metadata: with ` +
        "rx-vlan-offload on, tags are not in the capture and `vlan` filters do not match",
      fix: `ethtool -K ${i.name} rxvlan off while capturing, if VLAN tags matter`,
    };
}

function kernelCheck(f: DoctorFacts): Check {
  const fix = hasGenericRaceFix(f.kernel);
  const m = /^(\d+)\.(\d+)/.exec(f.kernel);
  const tooOld = m !== null && (Number(m[1]) < 5 || (Number(m[1]) === 5 && Number(m[2]) < 9));
  if (tooOld) {
    return {
      name: "kernel",
      status: "fail",
      detail: `${f.kernel}: BPF links for XDP need Linux 5.9 or later`,
      fix: "run on a newer kernel",
    };
  }
  return fix === true
    ? {
      name: "kernel",
      status: "ok",
      detail: `${f.kernel}: has the generic-receive race fix (bf0bdd13, since 5.3 and 5.2.3)`,
    }
    : {
      name: "kernel",
      status: "warn",
      detail: `${f.kernel}: may lack commit bf0bdd13 ("xdp: fix race on generic receive path")`,
      fix: "in generic mode use --single-queue, or a kernel >= 5.3 / 5.2.3",
    };
}

function capabilityChecks(f: DoctorFacts): Check[] {
  const c = f.capEff;
  const checks: Check[] = [];
  checks.push(
    has(c, CAP.NET_ADMIN)
      ? { name: "CAP_NET_ADMIN", status: "ok", detail: "can attach XDP programs" }
      : has(c, CAP.SYS_ADMIN)
      ? { name: "CAP_NET_ADMIN", status: "ok", detail: "CAP_SYS_ADMIN covers attaching XDP" }
      : {
        name: "CAP_NET_ADMIN",
        status: "fail",
        detail: "missing: cannot attach the XDP program",
        fix: "run with sudo, or grant cap_net_admin",
      },
  );
  checks.push(
    has(c, CAP.NET_RAW)
      ? { name: "CAP_NET_RAW", status: "ok", detail: "can open AF_XDP sockets" }
      : {
        name: "CAP_NET_RAW",
        status: "fail",
        detail: "missing: cannot open AF_XDP sockets",
        fix: "run with sudo, or grant cap_net_raw",
      },
  );
  checks.push(
    has(c, CAP.PERFMON) || has(c, CAP.SYS_ADMIN)
      ? { name: "CAP_PERFMON", status: "ok", detail: "filters with variable offsets load" }
      : {
        name: "CAP_PERFMON",
        status: "warn",
        detail: "missing: the verifier refuses filters with variable offsets (ports, tcp[...], " +
          "the SSH exclusion)",
        fix: "grant cap_perfmon, or capture without such a filter (and with --capture-ssh)",
      },
  );
  checks.push(
    has(c, CAP.BPF) || has(c, CAP.SYS_ADMIN)
      ? {
        name: "CAP_BPF",
        status: "ok",
        detail: has(c, CAP.BPF) ? "can load BPF programs" : "CAP_SYS_ADMIN covers it",
      }
      : {
        name: "CAP_BPF",
        status: "fail",
        detail: "missing (and no CAP_SYS_ADMIN): cannot load the XDP program",
        fix: "run with sudo, or grant cap_bpf",
      },
  );
  const enoughMemlock = f.memlock >= f.umemBytes;
  checks.push(
    has(c, CAP.IPC_LOCK) || enoughMemlock
      ? {
        name: "locked memory",
        status: "ok",
        detail: has(c, CAP.IPC_LOCK)
          ? "CAP_IPC_LOCK: the UMEM may be locked"
          : `memlock limit ${fmtBytes(f.memlock)} covers the ${fmtBytes(f.umemBytes)} UMEM`,
      }
      : {
        name: "locked memory",
        status: "fail",
        detail: `memlock limit ${fmtBytes(f.memlock)} is below the ${
          fmtBytes(f.umemBytes)
        } UMEM and CAP_IPC_LOCK is missing`,
        fix: "grant cap_ipc_lock, or raise `ulimit -l`",
      },
  );
  return checks;
}

function fmtBytes(n: number): string {
  if (n === Infinity) return "unlimited";
  return n >= 1 << 20 ? `${Math.round(n / (1 << 20))} MiB` : `${Math.round(n / 1024)} KiB`;
}

function ifaceChecks(f: DoctorFacts, i: IfaceFacts): Check[] {
  if (!i.exists) {
    return [{
      name: "interface",
      status: "fail",
      detail: `${i.name} does not exist`,
      fix: "check the name with `ip link`",
    }];
  }
  const checks: Check[] = [];
  checks.push(
    !i.xdp
      ? { name: "XDP program", status: "ok", detail: `none attached to ${i.name}` }
      : i.xdp.owner === "xskdump"
      ? {
        name: "XDP program",
        status: "warn",
        detail: `another xskdump captures on ${i.name} (program ${i.xdp.progId}, ${i.xdp.mode})`,
        fix: "a second capture joins it on other queues (--queue) with the same filter and mode; " +
          "its queues are taken",
      }
      : {
        name: "XDP program",
        status: "fail",
        detail: `${i.name} already has XDP program ${i.xdp.progId} attached (${i.xdp.mode})` +
          (i.xdp.owner === "unknown" ? "; whose cannot be told without CAP_SYS_ADMIN" : ""),
        fix: "stop whatever attached it (`bpftool net` shows it); xskdump needs the hook",
      },
  );
  checks.push(
    i.native === true
      ? { name: "native XDP", status: "ok", detail: `the driver of ${i.name} runs XDP natively` }
      : {
        name: "native XDP",
        status: "warn",
        detail: `native attach failed (${i.native}): captures will use generic mode`,
        fix: "use --mode generic (slower, copies every packet)",
      },
  );
  const generic = i.native !== true;
  const unfixed = hasGenericRaceFix(f.kernel) !== true;
  checks.push(
    i.rxQueues > 1 && generic && unfixed
      ? {
        name: "RX queues",
        status: "warn",
        detail: `${i.rxQueues} RX queues in generic mode on a kernel that may lack bf0bdd13: ` +
          "the RX ring can be corrupted",
        fix: "capture with --single-queue",
      }
      : {
        name: "RX queues",
        status: "ok",
        detail: `${i.rxQueues} RX queue${i.rxQueues === 1 ? "" : "s"}` +
          (i.rxQueues > 1 ? ": capture one with --queue N, or all with --queue all" : ""),
      },
  );
  if (generic && i.gro && !hasMultiBuffer(f.kernel)) {
    checks.push({
      name: "GRO",
      status: "warn",
      detail: `GRO is on for ${i.name}: generic XDP runs after it and sees merged packets ` +
        "bigger than a frame, which this kernel drops (counted as 'larger than a frame')",
      fix: `ethtool -K ${i.name} gro off while capturing (tcpdump would see the merged ` +
        "packets), or a kernel >= 6.6",
    });
  } else if (generic && i.gro) {
    checks.push({
      name: "GRO",
      status: "ok",
      detail: `GRO is on for ${i.name}: generic XDP sees merged packets, captured whole ` +
        "(multi-buffer), as tcpdump sees them",
    });
  } else {
    checks.push({
      name: "GRO",
      status: "ok",
      detail: !generic
        ? "native XDP sees packets before GRO merges them"
        : `GRO is ${i.gro === false ? "off" : "unknown"} for ${i.name}`,
    });
  }
  checks.push(vlanCheck(i));
  checks.push(
    i.carriesSsh
      ? {
        name: "SSH session",
        status: "warn",
        detail: `${i.name} carries this SSH session (${f.sshServer})`,
        fix: "keep the SSH exclusion on (default); never use --capture-ssh here",
      }
      : {
        name: "SSH session",
        status: "ok",
        detail: f.sshServer ? `this SSH session is not on ${i.name}` : "not run over SSH",
      },
  );
  return checks;
}

/** The process attribution: which of its hooks and lookups this kernel takes, and its cgroup2. */
export function attributionCheck(a: AttributionFacts): Check {
  const refused = a.probes.filter((p) => p.refused !== undefined);
  const root = "error" in a.cgroup2
    ? `no cgroup2 root (${a.cgroup2.error})`
    : a.cgroup2.kind === "mounted"
    ? `hooks at the cgroup2 root ${a.cgroup2.path}`
    : "hooks at the cgroup2 root through a private mount (none is mounted; detached at once)";
  if (!refused.length && !("error" in a.cgroup2)) {
    return {
      name: "processes",
      status: "ok",
      detail: `--pid, --pname, --cgroup, --container, --print-process: the cgroup socket hooks ` +
        `(${a.probes.filter((p) => !p.name.startsWith("lookup")).map((p) => p.name).join(", ")}) ` +
        `and the socket lookups load; ${root}`,
    };
  }
  return {
    name: "processes",
    status: "warn",
    detail: `which process a packet belongs to is not available: ` +
      (refused.length ? refused.map((p) => `${p.name} refused (${p.refused})`).join(", ") : root),
    fix: "needs Linux 6.2+ with BTF and cgroup2, as root (the tap still captures without it)",
  };
}

/** Every check, in report order. */
export function runChecks(f: DoctorFacts): Check[] {
  return [
    kernelCheck(f),
    multiBufferCheck(f),
    ...capabilityChecks(f),
    f.btf ? { name: "BTF", status: "ok", detail: "/sys/kernel/btf/vmlinux present" } : {
      name: "BTF",
      status: "warn",
      detail: "no kernel BTF: bpftool and the verifier give poorer messages",
      fix: "use a kernel built with CONFIG_DEBUG_INFO_BTF",
    },
    ...(f.attribution ? [attributionCheck(f.attribution)] : []),
    ...(f.iface ? ifaceChecks(f, f.iface) : []),
  ];
}

/** The text report: one line per check. */
export function formatChecks(checks: Check[]): string[] {
  const width = Math.max(...checks.map((c) => c.name.length));
  return checks.map((c) =>
    `${c.status.padEnd(4)} ${c.name.padEnd(width)}  ${c.detail}${c.fix ? `; ${c.fix}` : ""}`
  );
}
