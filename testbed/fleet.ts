/**
 * Hosts for `xskdump fleet`: each host is a veth pair's capture namespace (its capture interface
 * xc0, the sender namespace behind it) running a real OpenSSH server, reachable over a veth of
 * its own from one client namespace, where the fleet runs. The keys, known_hosts and the client's
 * ssh configuration (`h1`, `h2`, ... as host names) are made for the run. The server logs in root
 * with the run's key only, no PAM (`UsePAM no`: it runs by hand), with a PATH that finds
 * bin/xskdump as `xskdump`, a TMPDIR of its own (where `--push` puts its file) and the tests'
 * Deno as XSKDUMP_DENO (what a pushed bundle runs on). Everything is removed afterwards; a host
 * session left running fails the run, as the namespaces' own check does.
 * @module
 */
import { type NsChild, spawnInNs } from "./child.ts";
import { XSKDUMP } from "./capture.ts";
import {
  pidsIn,
  pollUntil,
  run,
  type VethPair,
  withNamespace,
  withTempDir,
  withVethPair,
} from "./netns.ts";

/** One host of the fleet. */
export interface FleetHost {
  /** Its name in the client's ssh configuration. */
  name: string;
  /** Its namespace is `pair.captureNs`; it captures on `pair.captureIf`. */
  pair: VethPair;
  /** Where its ssh server listens. */
  address: string;
  /** Its sessions' TMPDIR. */
  tmp: string;
  /** The folder on its sessions' PATH that holds `xskdump` (a link to bin/xskdump). */
  bin: string;
  /** Its ssh server; none for a host started without one. */
  sshd?: NsChild;
}

export interface Fleet {
  /** A temporary directory of the run (keys, configurations, outputs may go here). */
  dir: string;
  /** The namespace the fleet runs in. */
  clientNs: string;
  /** The client's ssh configuration (`-F`). */
  sshConfig: string;
  hosts: FleetHost[];
}

export interface FleetOptions {
  hosts: number;
  /** Whether host i runs an ssh server (default: all do); one that does not is unreachable. */
  sshd?: (i: number) => boolean;
  /** Whether host i has xskdump on its PATH (default: all do). */
  xskdump?: (i: number) => boolean;
}

const SSHD = "/usr/sbin/sshd";
const DENO = new URL("../.tools/node_modules/.bin/deno", import.meta.url).pathname;
/** sshd's start: its keys loaded, its socket bound. */
const SSHD_READY_MS = 20_000;

/** Runs fn with the hosts of `opts` up and their ssh servers listening; always removes them. */
export function withFleet<T>(opts: FleetOptions, fn: (f: Fleet) => Promise<T>): Promise<T> {
  return withTempDir("xskt-fleet-", (dir) =>
    withNamespace(async (clientNs) => {
      const pairs: VethPair[] = [];
      const nest = (i: number): Promise<T> =>
        i < opts.hosts
          ? withVethPair((pair) => {
            pairs.push(pair);
            return nest(i + 1);
          })
          : setUp(dir, clientNs, pairs, opts, fn);
      return await nest(0);
    }));
}

async function setUp<T>(
  dir: string,
  clientNs: string,
  pairs: VethPair[],
  opts: FleetOptions,
  fn: (f: Fleet) => Promise<T>,
): Promise<T> {
  // sshd's privilege separation directory, which the Debian service would make.
  await Deno.mkdir("/run/sshd", { recursive: true, mode: 0o755 });
  const keygen = (path: string) =>
    run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "xskt", "-f", path], { check: true });
  await keygen(`${dir}/client_key`);
  await Deno.copyFile(`${dir}/client_key.pub`, `${dir}/authorized_keys`);
  const hosts: FleetHost[] = [];
  const knownHosts: string[] = [];
  const config: string[] = [];
  for (const [i, pair] of pairs.entries()) {
    const name = `h${i + 1}`;
    const address = `10.201.${i + 1}.2`;
    // The host's own link to the client, beside its capture interface.
    await run([
      ...["ip", "link", "add", `fm${i + 1}`, "netns", clientNs, "type", "veth"],
      ...["peer", "name", "fh0", "netns", pair.captureNs],
    ], { check: true });
    await run(["ip", "-n", clientNs, "addr", "add", `10.201.${i + 1}.1/24`, "dev", `fm${i + 1}`], {
      check: true,
    });
    await run(["ip", "-n", pair.captureNs, "addr", "add", `${address}/24`, "dev", "fh0"], {
      check: true,
    });
    await run(["ip", "-n", clientNs, "link", "set", `fm${i + 1}`, "up"], { check: true });
    await run(["ip", "-n", pair.captureNs, "link", "set", "fh0", "up"], { check: true });
    const tmp = `${dir}/${name}_tmp`;
    await Deno.mkdir(tmp);
    const bin = `${dir}/${name}_bin`;
    await Deno.mkdir(bin);
    if (!opts.xskdump || opts.xskdump(i)) await Deno.symlink(XSKDUMP, `${bin}/xskdump`);
    const hostKey = `${dir}/${name}_host_key`;
    await keygen(hostKey);
    const pub = (await Deno.readTextFile(`${hostKey}.pub`)).trim().split(" ");
    knownHosts.push(`${address} ${pub[0]} ${pub[1]}`);
    await Deno.writeTextFile(
      `${dir}/${name}_sshd_config`,
      [
        `ListenAddress ${address}`,
        `HostKey ${hostKey}`,
        "PidFile none",
        "UsePAM no",
        "PermitRootLogin prohibit-password",
        `AuthorizedKeysFile ${dir}/authorized_keys`,
        "StrictModes no",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        `SetEnv PATH=${bin}:/usr/sbin:/usr/bin:/sbin:/bin TMPDIR=${tmp} XSKDUMP_DENO=${DENO}`,
        "LogLevel INFO",
      ].join("\n") + "\n",
    );
    config.push(
      `Host ${name}`,
      `  HostName ${address}`,
      "  User root",
      `  IdentityFile ${dir}/client_key`,
      "  IdentitiesOnly yes",
      `  UserKnownHostsFile ${dir}/known_hosts`,
      "  GlobalKnownHostsFile /dev/null",
      "  StrictHostKeyChecking yes",
      "  ControlMaster no",
      "",
    );
    hosts.push({ name, pair, address, tmp, bin });
  }
  await Deno.writeTextFile(`${dir}/known_hosts`, knownHosts.join("\n") + "\n");
  const sshConfig = `${dir}/ssh_config`;
  await Deno.writeTextFile(sshConfig, config.join("\n"));
  try {
    for (const [i, h] of hosts.entries()) {
      if (opts.sshd && !opts.sshd(i)) continue;
      h.sshd = spawnInNs(h.pair.captureNs, [
        SSHD,
        "-D",
        "-e",
        "-f",
        `${dir}/${h.name}_sshd_config`,
      ]);
      await h.sshd.waitForStderrLine(/^Server listening on /, SSHD_READY_MS);
    }
    const result = await fn({ dir, clientNs, sshConfig, hosts });
    for (const h of hosts) if (h.sshd) await sessionsGone(h);
    return result;
  } finally {
    for (const h of hosts) {
      h.sshd?.signal("SIGTERM");
      await h.sshd?.waitExit(5000).catch(() => h.sshd?.stop());
    }
  }
}

/** Waits (up to 5 s) until only the ssh server itself runs on the host; fails otherwise. */
async function sessionsGone(h: FleetHost): Promise<void> {
  const onlySshd = async () => {
    const pids = await pidsIn(h.pair.captureNs);
    return pids.length === 1 && pids[0] === h.sshd!.pid;
  };
  if (!await pollUntil(onlySshd, 5000)) {
    throw new Error(`${h.name}: processes left: ${await hostProcesses(h, /./)}`);
  }
}

/** Command lines of the processes in the host's namespace that match `re`. */
export async function hostProcesses(h: FleetHost, re: RegExp): Promise<string[]> {
  const out: string[] = [];
  for (const pid of await pidsIn(h.pair.captureNs)) {
    const cmdline = await Deno.readTextFile(`/proc/${pid}/cmdline`).catch(() => "");
    const line = cmdline.replaceAll("\0", " ").trim();
    if (line && re.test(line)) out.push(`${pid}: ${line}`);
  }
  return out;
}

/** `xskdump fleet -F CONFIG ARGS` started in the client namespace (stdout collected). */
export function startFleet(f: Fleet, args: string[], env: Record<string, string> = {}): NsChild {
  return spawnInNs(f.clientNs, [XSKDUMP, "fleet", "-F", f.sshConfig, ...args], {
    collectStdout: true,
    env: { SSH_CONNECTION: "", ...env },
  });
}
