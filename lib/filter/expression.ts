/**
 * The filter expression as it reaches libpcap: the user's (from the command
 * line or a -F file), plus the rule that keeps the SSH session xskdump runs
 * under away from the capture. Pure TypeScript.
 * @module
 */

/** One end of a TCP connection. */
export interface Endpoint {
  /** IPv4 dotted quad or IPv6 text, without a zone id. */
  addr: string;
  port: number;
}

/** The SSH connection to leave alone, and the filter that does it. */
export interface SshRule {
  client: Endpoint;
  server: Endpoint;
  /**
   * `not (tcp and ((src host C and src port CP and dst host S and dst port SP)
   * or (the same from S to C)))`: false for the session's packets in both
   * directions, true for everything else (another connection between the same
   * hosts included).
   */
  expression: string;
  /** `10.0.0.1:50000 <-> 10.0.0.2:22` (IPv6 in brackets), for the startup line. */
  description: string;
}

/** SSH_CONNECTION that does not read as `client_ip client_port server_ip server_port`. */
export class SshConnectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SshConnectionError";
  }
}

function isIpv4(s: string): boolean {
  const parts = s.split(".");
  return parts.length === 4 &&
    parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255 && (p === "0" || p[0] !== "0"));
}

function isIpv6(s: string): boolean {
  let text = s;
  let groups = 8;
  const lastColon = text.lastIndexOf(":");
  if (lastColon >= 0 && text.includes(".", lastColon)) {
    // An embedded IPv4 address takes the last two groups.
    if (!isIpv4(text.slice(lastColon + 1))) return false;
    text = text.slice(0, lastColon + 1) + "0";
    groups = 7;
  }
  const halves = text.split("::");
  if (halves.length > 2) return false;
  const hex = (h: string) => h === "" ? [] : h.split(":");
  const all = halves.flatMap(hex);
  if (!all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  return halves.length === 2 ? all.length < groups : all.length === groups;
}

/** An address from SSH_CONNECTION as pcap wants it: zone id gone, IPv4-mapped IPv6 as IPv4. */
function normalizeAddr(raw: string): string | undefined {
  const addr = raw.replace(/%.*$/, "");
  if (isIpv4(addr)) return addr;
  if (!isIpv6(addr)) return undefined;
  const lower = addr.toLowerCase();
  const mapped = lower.match(/^(?:::|(?:0{1,4}:){5})ffff:(\d+\.\d+\.\d+\.\d+)$/);
  if (mapped && isIpv4(mapped[1])) return mapped[1];
  return lower;
}

function port(raw: string, what: string, value: string): number {
  if (!/^\d{1,5}$/.test(raw) || Number(raw) < 1 || Number(raw) > 65535) {
    throw new SshConnectionError(`SSH_CONNECTION '${value}': bad ${what} port '${raw}'`);
  }
  return Number(raw);
}

/** One direction of the connection as a pcap expression. */
const way = (from: Endpoint, to: Endpoint) =>
  `(src host ${from.addr} and src port ${from.port} and dst host ${to.addr} and dst port ${to.port})`;

const show = (e: Endpoint) =>
  e.addr.includes(":") ? `[${e.addr}]:${e.port}` : `${e.addr}:${e.port}`;

/**
 * The pass rule for the session in SSH_CONNECTION
 * (`client_ip client_port server_ip server_port`), or undefined when it is
 * unset or empty. Throws SshConnectionError when it cannot be read: a rule
 * guessed wrong would capture (and so cut off) the session.
 */
export function sshRule(value: string | undefined): SshRule | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const f = value.trim().split(/\s+/);
  if (f.length !== 4) {
    throw new SshConnectionError(
      `SSH_CONNECTION '${value}' is not 'client_ip client_port server_ip server_port'`,
    );
  }
  const addr = (raw: string, what: string) => {
    const a = normalizeAddr(raw);
    if (!a) throw new SshConnectionError(`SSH_CONNECTION '${value}': bad ${what} address '${raw}'`);
    return a;
  };
  const client = { addr: addr(f[0], "client"), port: port(f[1], "client", value) };
  const server = { addr: addr(f[2], "server"), port: port(f[3], "server", value) };
  return {
    client,
    server,
    expression: `not (tcp and (${way(client, server)} or ${way(server, client)}))`,
    description: `${show(client)} <-> ${show(server)}`,
  };
}

/**
 * The expression to compile: the user's, with the SSH rule in front (so a
 * `vlan` in the user's part, which shifts the offsets of everything after it,
 * cannot move the rule's). Undefined when there is nothing to filter.
 */
export function combineFilter(
  user: string | undefined,
  ssh: SshRule | undefined,
): string | undefined {
  const mine = user?.trim() ? user.trim() : undefined;
  if (!ssh) return mine;
  if (mine !== undefined && !balanced(mine)) {
    // `tcp) or (tcp` would otherwise close our parenthesis and undo the rule.
    throw new SyntaxError(`unbalanced parentheses in filter '${mine}'`);
  }
  return mine === undefined ? ssh.expression : `${ssh.expression} and (${mine})`;
}

function balanced(expr: string): boolean {
  let depth = 0;
  for (const c of expr) {
    if (c === "(") depth++;
    else if (c === ")" && --depth < 0) return false;
  }
  return depth === 0;
}

/** A -F file's text as tcpdump reads it: `#` starts a comment to the end of the line. */
export function filterFromFile(text: string): string {
  return text.split("\n").map((l) => l.replace(/#.*$/, "")).join(" ").replace(/\s+/g, " ").trim();
}
