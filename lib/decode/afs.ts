/**
 * The calls of the AFS services over Rx and their replies (the second half of tcpdump's
 * print-rx.c): file server, callback, protection, volume location, kauth, volume server, BOS and
 * Ubik, with their arguments as tcpdump prints them.
 *
 * @module
 */
import type { Pkt } from "./printer.ts";
import { charText, localTime, printn, tok, toks } from "./text.ts";

/** The Rx header's length, and the packet types the replies depend on. */
const HDR = 28;
const DATA = 1;
const ABORT = 4;

const FS_OPS = toks(
  "130=fetch-data|131=fetch-acl|132=fetch-status|133=store-data|134=store-acl|" +
    "135=store-status|136=remove-file|137=create-file|138=rename|139=symlink|140=link|" +
    "141=makedir|142=rmdir|143=oldsetlock|144=oldextlock|145=oldrellock|146=get-stats|" +
    "147=give-cbs|148=get-vlinfo|149=get-vlstats|150=set-vlstats|151=get-rootvl|" +
    "152=check-token|153=get-time|154=nget-vlinfo|155=bulk-stat|156=setlock|157=extlock|" +
    "158=rellock|159=xstat-ver|160=get-xstat|161=dfs-lookup|162=dfs-flushcps|" +
    "163=dfs-symlink|220=residency|65536=inline-bulk-status|65537=fetch-data-64|" +
    "65538=store-data-64|65539=give-up-all-cbs|65540=get-caps|65541=cb-rx-conn-addr",
);
const CB_OPS = toks(
  "204=callback|205=initcb|206=probe|207=getlock|208=getce|209=xstatver|210=getxstat|" +
    "211=initcb2|212=whoareyou|213=initcb3|214=probeuuid|215=getsrvprefs|216=getcellservdb|" +
    "217=getlocalcell|218=getcacheconf|65536=getce64|65537=getcellbynum|" +
    "65538=tellmeaboutyourself",
);
const PT_OPS = toks(
  "500=new-user|501=where-is-it|502=dump-entry|503=add-to-group|504=name-to-id|" +
    "505=id-to-name|506=delete|507=remove-from-group|508=get-cps|509=new-entry|510=list-max|" +
    "511=set-max|512=list-entry|513=change-entry|514=list-elements|515=same-mbr-of|" +
    "516=set-fld-sentry|517=list-owned|518=get-cps2|519=get-host-cps|520=update-entry|" +
    "521=list-entries|530=list-super-groups",
);
const VLDB_OPS = toks(
  "501=create-entry|502=delete-entry|503=get-entry-by-id|504=get-entry-by-name|" +
    "505=get-new-volume-id|506=replace-entry|507=update-entry|508=setlock|509=releaselock|" +
    "510=list-entry|511=list-attrib|512=linked-list|513=get-stats|514=probe|515=get-addrs|" +
    "516=change-addr|517=create-entry-n|518=get-entry-by-id-n|519=get-entry-by-name-n|" +
    "520=replace-entry-n|521=list-entry-n|522=list-attrib-n|523=linked-list-n|" +
    "524=update-entry-by-name|525=create-entry-u|526=get-entry-by-id-u|" +
    "527=get-entry-by-name-u|528=replace-entry-u|529=list-entry-u|530=list-attrib-u|" +
    "531=linked-list-u|532=regaddr|533=get-addrs-u|534=list-attrib-n2",
);
const KAUTH_OPS = toks(
  "1=auth-old|21=authenticate|22=authenticate-v2|2=change-pw|3=get-ticket-old|" +
    "23=get-ticket|4=set-pw|5=set-fields|6=create-user|7=delete-user|8=get-entry|" +
    "9=list-entry|10=get-stats|11=debug|12=get-pw|13=get-random-key|14=unlock|15=lock-status",
);
const VOL_OPS = toks(
  "100=create-volume|101=delete-volume|102=restore|103=forward|104=end-trans|105=clone|" +
    "106=set-flags|107=get-flags|108=trans-create|109=dump|110=get-nth-volume|" +
    "111=set-forwarding|112=get-name|113=get-status|114=sig-restore|115=list-partitions|" +
    "116=list-volumes|117=set-id-types|118=monitor|119=partition-info|120=reclone|" +
    "121=list-one-volume|122=nuke|123=set-date|124=x-list-volumes|125=x-list-one-volume|" +
    "126=set-info|127=x-list-partitions|128=forward-multiple|65536=convert-ro|" +
    "65537=get-size|65538=dump-v2",
);
const BOS_OPS = toks(
  "80=create-bnode|81=delete-bnode|82=set-status|83=get-status|84=enumerate-instance|" +
    "85=get-instance-info|86=get-instance-parm|87=add-superuser|88=delete-superuser|" +
    "89=list-superusers|90=list-keys|91=add-key|92=delete-key|93=set-cell-name|" +
    "94=get-cell-name|95=get-cell-host|96=add-cell-host|97=delete-cell-host|" +
    "98=set-t-status|99=shutdown-all|100=restart-all|101=startup-all|102=set-noauth-flag|" +
    "103=re-bozo|104=restart|105=start-bozo-install|106=uninstall|107=get-dates|108=exec|" +
    "109=prune|110=set-restart-time|111=get-restart-time|112=start-bozo-log|113=wait-all|" +
    "114=get-instance-strings|115=get-restricted|116=set-restricted",
);
const UBIK_OPS = toks(
  "10000=vote-beacon|10001=vote-debug-old|10002=vote-sdebug-old|10003=vote-getsyncsite|" +
    "10004=vote-debug|10005=vote-sdebug|10006=vote-xdebug|10007=vote-xsdebug|" +
    "20000=disk-begin|20001=disk-commit|20002=disk-lock|20003=disk-write|" +
    "20004=disk-getversion|20005=disk-getfile|20006=disk-sendfile|20007=disk-abort|" +
    "20008=disk-releaselocks|20009=disk-truncate|20010=disk-probe|20011=disk-writev|" +
    "20012=disk-interfaceaddr|20013=disk-setversion",
);
const FS_ERRORS = toks(
  "101=salvage volume|102=no such vnode|103=no such volume|104=volume exist|105=no service|" +
    "106=volume offline|107=voline online|108=diskfull|109=diskquota exceeded|" +
    "110=volume busy|111=volume moved|112=AFS IO error|-100=restarting fileserver",
);
const VOLTYPES = ["read-write", "read-only", "backup"];

/**
 * Arguments of the calls (and replies) decoded as a sequence of steps separated by commas:
 * `'text` prints text, `x` reads a word and prints nothing (as tcpdump does), `fid`,
 * `u` (unsigned), `i` (signed), `u64`, `d` (date), `sa` (store status), `s:N` (a string of at
 * most N), `v:N` (N characters a word), `ubv` (Ubik version), `uuid`, `dest` (server).
 */
const FS_CALLS = toks(
  "130=fid,' offset,u,' length,u|131=fid|132=fid|143=fid|144=fid|145=fid|156=fid|157=fid|" +
    "158=fid|135=fid,sa|133=fid,sa,' offset,u,' length,u,' flen,u|137=fid,s:256,sa|" +
    "141=fid,s:256,sa|136=fid,s:256|142=fid,s:256|" +
    "138=' old,fid,s:256,' new,fid,s:256|139=fid,s:256,' link to,s:256|" +
    "140=fid,s:256,' link to,fid|148=s:256|149=' volid,u|150=' volid,u|154=' volname,s:256|" +
    "65537=fid,' offset,u64,' length,u64|" +
    "65538=fid,sa,' offset,u64,' length,u64,' flen,u64|65541=' addr,u",
);
const FS_REPLIES = toks("137=' new,fid|141=' new,fid|151=' root volume,s:256|153=d");
const CB_CALLS = toks("214=' afsuuid,uuid");
const CB_REPLIES = toks("213=uuid");
const PT_CALLS = toks(
  "500=s:64,' id,i,' oldid,i|501=' id,i|506=' id,i|508=' id,i|512=' id,i|514=' id,i|" +
    "517=' id,i|518=' id,i|519=' id,i|530=' id,i|502=' pos,i|503=' uid,i,' gid,i|" +
    "507=' uid,i,' gid,i|515=' uid,i,' gid,i|509=s:64,' flag,i,' oid,i|" +
    "511=' id,i,' gflag,i|513=' id,i,s:64,' oldid,i,' newid,i|520=' id,i,s:64",
);
const PT_REPLIES = toks("510=' maxuid,i,' maxgid,i");
const VLDB_CALLS = toks(
  "501=v:65|517=v:65|504=s:65|519=s:65|524=s:65|527=s:65|505=' bump,i|510=' index,i|" +
    "521=' index,i",
);
const KAUTH_CALLS = toks(
  "1=' principal,s:64,s:64|21=' principal,s:64,s:64|22=' principal,s:64,s:64|" +
    "2=' principal,s:64,s:64|5=' principal,s:64,s:64|6=' principal,s:64,s:64|" +
    "7=' principal,s:64,s:64|8=' principal,s:64,s:64|14=' principal,s:64,s:64|" +
    "15=' principal,s:64,s:64|4=' principal,s:64,s:64,' kvno,i|12=' name,s:64",
);
const VOL_CALLS = toks(
  "100=' partition,u,' name,s:256,' type,u,' parent,u|101=' trans,u|107=' trans,u|" +
    "102=' totrans,u,' flags,u|103=' fromtrans,u,' fromdate,d,dest,' desttrans,i|" +
    "104=' trans,u|105=' trans,u,' purgevol,u,' newtype,u,' newname,s:256|" +
    "106=' trans,u,' flags,u|108=' vol,u,' partition,u,' flags,u|" +
    "109=' fromtrans,u,' fromdate,d|655537=' fromtrans,u,' fromdate,d|110=' index,u|" +
    "111=' tid,u,' newsite,u|112=' tid|113=' tid|" +
    "114=' name,s:256,' type,u,' pid,u,' cloneid,u|116=' partition,u,' flags,u|" +
    "117=' tid,u,' name,s:256,' type,u,' pid,u,' clone,u,' backup,u|119=' name,s:256|" +
    "120=' tid,u|121=' partid,u,' volid,u|122=' partid,u,' volid,u|" +
    "124=' partid,u,' volid,u|125=' partid,u,' volid,u|65536=' partid,u,' volid,u|" +
    "123=' tid,u,' date,d|126=' tid,u|65538=' fromtrans,u,' fromdate,d,' flags,u",
);
const VOL_REPLIES = toks(
  "100=' volid,u,' trans,u|104=u|105=' newvol,u|107=u|108=' trans,u|" +
    "110=' volume,u,' partition,u|112=s:256|" +
    "113=' volid,u,' nextuniq,u,' type,u,' parentid,u,' clone,u,' backup,u,' restore,u," +
    "' maxquota,u,' minquota,u,' owner,u,' create,d,' access,d,' update,d,' expire,d," +
    "' backup,d,' copy,d",
);
const BOS_CALLS = toks(
  "80=' type,s:256,' instance,s:256|81=s:256|83=s:256|85=s:256|87=s:256|88=s:256|" +
    "93=s:256|96=s:256|97=s:256|104=s:256|106=s:256|108=s:256|112=s:256|114=s:256|" +
    "82=s:256,' status,i|98=s:256,' status,i|86=s:256,' num,i|84=i|89=i|90=i|91=i|92=i|" +
    "95=i|105=s:256,' size,i,' flags,i,' date,i",
);
const UBIK_CALLS = toks(
  "10003=' site,u|20000=' tid,ubv|20001=' tid,ubv|20007=' tid,ubv|20008=' tid,ubv|" +
    "20010=' tid,ubv|20002=' tid,ubv,' file,i,' pos,i,' length,i,x|" +
    "20003=' tid,ubv,' file,i,' pos,i|20005=' file,i|" +
    "20006=' file,i,' length,i,' dbversion,ubv|20009=' tid,ubv,' file,i,' length,i|" +
    "20012=' tid,ubv,' oldversion,ubv,' newversion,ubv",
);

/** The specs parsed once: op -> its steps. */
function steps(table: Record<number, string>): Map<number, string[]> {
  return new Map(Object.entries(table).map(([k, v]) => [Number(k), v.split(",")]));
}
const SPECS = new Map<Record<number, string>, Map<number, string[]>>();
function spec(table: Record<number, string>, op: number): string[] | undefined {
  let m = SPECS.get(table);
  if (m === undefined) SPECS.set(table, m = steps(table));
  return m.get(op);
}

/** Where a service printer ran out (its `trunc:` label): prints ` [|fs]` and goes on. */
class ServiceTruncated {}
const SERVICE_TRUNCATED = new ServiceTruncated();

/** The cursor of the service printers (one packet is decoded at a time). */
let bp = 0;

function check(p: Pkt, n: number): void {
  if (!p.has(bp, n)) throw SERVICE_TRUNCATED;
}

function u32(p: Pkt): number {
  const v = p.u32(bp);
  bp += 4;
  return v;
}

function date(p: Pkt): string {
  return ` ${localTime(u32(p) | 0, "/")}`;
}

function fid(p: Pkt): void {
  check(p, 12);
  p.out += ` fid ${u32(p)}/${u32(p)}/${u32(p)}`;
}

function str(p: Pkt, max: number): void {
  const n = p.u32(bp);
  if (n > max) throw SERVICE_TRUNCATED;
  bp += 4;
  p.out += ' "';
  if (printn(p, bp, n)) throw SERVICE_TRUNCATED;
  p.out += '"';
  bp += Math.ceil(n / 4) * 4;
}

function vec(p: Pkt, max: number): void {
  check(p, max * 4);
  p.out += ' "';
  let nul = false;
  for (let k = 0; k < max; k++) {
    const c = p.d[bp + 4 * k + 3];
    if (c === 0) nul = true;
    if (!nul) p.out += charText(c);
  }
  bp += max * 4;
  p.out += '"';
}

function storeStatus(p: Pkt): void {
  check(p, 24);
  const mask = u32(p);
  if (mask) p.out += " StoreStatus";
  if (mask & 1) p.out += ` date${date(p)}`;
  else bp += 4;
  const owner = u32(p);
  if (mask & 2) p.out += ` owner ${owner}`;
  const group = u32(p);
  if (mask & 4) p.out += ` group ${group}`;
  const mode = u32(p);
  if (mask & 8) p.out += ` mode ${(mode & 0o7777).toString(8)}`;
  const seg = u32(p);
  if (mask & 16) p.out += ` segsize ${seg}`;
  if (mask & 1024) p.out += " fsync";
}

function uuid(p: Pkt): void {
  check(p, 44);
  p.out += ` ${u32(p).toString(16).padStart(8, "0")}${u32(p).toString(16).padStart(4, "0")}` +
    u32(p).toString(16).padStart(4, "0");
  for (let i = 0; i < 8; i++) p.out += (u32(p) & 0xff).toString(16).padStart(2, "0");
}

/** Runs the steps of a call's or reply's arguments. */
function run(p: Pkt, s: string[]): void {
  for (const step of s) {
    if (step.startsWith("'")) {
      p.out += step.slice(1);
    } else if (step === "fid") fid(p);
    else if (step === "u") p.out += ` ${u32(p)}`;
    else if (step === "x") u32(p);
    else if (step === "i") p.out += ` ${u32(p) | 0}`;
    else if (step === "u64") {
      const hi = u32(p);
      p.out += ` ${BigInt(hi) * 4294967296n + BigInt(u32(p))}`;
    } else if (step === "d") p.out += date(p);
    else if (step === "sa") storeStatus(p);
    else if (step.startsWith("s:")) str(p, Number(step.slice(2)));
    else if (step.startsWith("v:")) vec(p, Number(step.slice(2)));
    else if (step === "ubv") {
      check(p, 8);
      p.out += ` ${u32(p)}.${u32(p)}`;
    } else if (step === "uuid") uuid(p);
    else if (step === "dest") {
      check(p, 12);
      p.out += ` server ${u32(p)}:${u32(p)}:${u32(p)}`;
    }
  }
}

/** A counted list: `n` items by `item`, `sep` between them, ` <none!>` when empty. */
function list(p: Pkt, item: () => void, sep = ""): void {
  const n = u32(p);
  for (let i = 0; i < n; i++) {
    item();
    if (sep && i !== n - 1) p.out += sep;
  }
  if (n === 0) p.out += " <none!>";
}

const SERVICES: Record<number, string> = {
  7000: "fs",
  7001: "cb",
  7002: "pt",
  7003: "vldb",
  7004: "kauth",
  7005: "vol",
  7007: "bos",
};

/**
 * The call at `off` (`opcode` < 0: read from the packet) or the reply to `opcode` of the service
 * on `port`, after the Rx header's text.
 */
export function afsService(
  p: Pkt,
  off: number,
  length: number,
  port: number,
  opcode: number,
): void {
  const name = SERVICES[port];
  if (name === undefined) return;
  const reply = opcode >= 0;
  // tcpdump's reply printers of pt, vldb and ubik test for less than the header; others for more.
  if (length < HDR || (length === HDR && !(reply && (port === 7002 || port === 7003)))) return;
  const op = reply ? opcode : p.u32(off + HDR);
  const ubik = (op >= 10000 && op <= 10007) || (op >= 20000 && op <= 20013);
  let svc = name;
  try {
    if (ubik && (port === 7002 || port === 7003 || port === 7004)) {
      p.out += ` ${name}`;
      svc = "ubik";
      if (reply) {
        if (length < HDR) return;
        p.out += ` ubik reply ${tok(UBIK_OPS, op, "op#%u")}`;
        ubikReply(p, off, op);
      } else {
        p.out += ` ubik call ${tok(UBIK_OPS, op, "op#%u")}`;
        bp = off + HDR + 4;
        const s = spec(UBIK_CALLS, op);
        if (op === 10000) {
          p.out += ` syncsite ${u32(p) ? "yes" : "no"}`;
          run(p, ["' votestart", "d", "' dbversion", "ubv", "' tid", "ubv"]);
        } else if (s) run(p, s);
      }
      return;
    }
    p.out += ` ${name} ${reply ? "reply" : "call"} ${tok(OPS[port], op, "op#%u")}`;
    if (reply) serviceReply(p, off, port, op);
    else serviceCall(p, off, port, op);
  } catch (e) {
    if (e !== SERVICE_TRUNCATED) throw e;
    p.out += ` [|${svc}]`;
  }
}

const OPS: Record<number, Record<number, string>> = {
  7000: FS_OPS,
  7001: CB_OPS,
  7002: PT_OPS,
  7003: VLDB_OPS,
  7004: KAUTH_OPS,
  7005: VOL_OPS,
  7007: BOS_OPS,
};
const CALLS: Record<number, Record<number, string>> = {
  7000: FS_CALLS,
  7001: CB_CALLS,
  7002: PT_CALLS,
  7003: VLDB_CALLS,
  7004: KAUTH_CALLS,
  7005: VOL_CALLS,
  7007: BOS_CALLS,
};

function serviceCall(p: Pkt, off: number, port: number, op: number): void {
  bp = off + HDR + 4;
  if (port === 7000 && (op === 155 || op === 65536)) return list(p, () => fid(p), ",");
  if (port === 7000 && op === 134) {
    fid(p);
    return acl(p);
  }
  if (port === 7001 && op === 204) {
    list(p, () => fid(p), ",");
    const n = u32(p);
    if (n !== 0) p.out += ";";
    for (let i = 0; i < n; i++) {
      run(p, ["' ver", "i", "' expires", "d"]);
      u32(p); // the callback type, which tcpdump looks up and leaves out
    }
    return;
  }
  if (port === 7002 && op === 504) return list(p, () => vec(p, 64));
  if (port === 7002 && op === 505) {
    p.out += " ids:";
    return list(p, () => p.out += ` ${u32(p) | 0}`);
  }
  if (port === 7003 && [502, 503, 507, 508, 509, 518, 506, 520].includes(op)) {
    run(p, ["' volid", "i"]);
    const t = u32(p);
    if (t <= 2) p.out += ` type ${VOLTYPES[t]}`;
    if (op === 506 || op === 520) vec(p, 65);
    return;
  }
  if (port === 7004 && (op === 3 || op === 23)) {
    run(p, ["' kvno", "i", "' domain", "s:64"]);
    const n = u32(p);
    check(p, n);
    bp += n;
    p.out += " principal";
    str(p, 64);
    str(p, 64);
    return;
  }
  if (port === 7005 && op === 128) {
    run(p, ["' fromtrans", "u", "' fromdate", "d"]);
    return list(p, () => run(p, ["dest"]), ",");
  }
  const s = spec(CALLS[port], op);
  if (s) run(p, s);
}

function serviceReply(p: Pkt, off: number, port: number, op: number): void {
  const type = p.u8(off + 20);
  bp = off + HDR;
  if (port === 7000) {
    if (type === DATA) {
      if (op === 131) return acl(p);
      const s = spec(FS_REPLIES, op);
      if (s) run(p, s);
    } else if (type === ABORT) {
      p.out += ` error ${tok(FS_ERRORS, u32(p) | 0, "#%d")}`;
    } else {
      p.out += ` strange fs reply of type ${type}`;
    }
    return;
  }
  if (type !== DATA) return run(p, ["' errcode", "i"]);
  if (port === 7001) return run(p, spec(CB_REPLIES, op) ?? []);
  if (port === 7002) {
    if (op === 504) {
      p.out += " ids:";
      return list(p, () => p.out += ` ${u32(p) | 0}`);
    }
    if (op === 505) return list(p, () => vec(p, 64));
    if ([508, 514, 517, 518, 519].includes(op)) return list(p, () => p.out += ` ${u32(p) | 0}`);
    return run(p, spec(PT_REPLIES, op) ?? []);
  }
  if (port === 7003) return vldbReply(p, op);
  if (port === 7005) {
    if (op === 116 || op === 121) {
      return list(p, () => {
        run(p, ["' name", "v:32", "' volid", "u", "' type"]);
        bp += 84;
      }, ",");
    }
    return run(p, spec(VOL_REPLIES, op) ?? []);
  }
}

/** A VLDB entry of a reply: name, servers, partitions, volume ids (`n` servers' room). */
function vldbReply(p: Pkt, op: number): void {
  if (op === 505) return run(p, ["' newvol", "u"]);
  if (op === 510 || op === 521 || op === 529) run(p, ["' count", "i", "' nextindex", "i"]);
  const slots = op === 510 || op === 503 || op === 504 ? 8 : 13;
  if (![510, 503, 504, 521, 529, 518, 519, 526, 527].includes(op)) return;
  vec(p, 65);
  if (slots === 8) {
    check(p, 4);
    bp += 4;
  }
  p.out += " numservers";
  const n = u32(p);
  p.out += ` ${n} servers`;
  const uuids = op === 526 || op === 527;
  for (let i = 0; i < slots; i++) {
    if (uuids) {
      if (i < n) {
        p.out += " afsuuid";
        uuid(p);
      } else {
        check(p, 44);
        bp += 44;
      }
      continue;
    }
    check(p, 4);
    if (i < n) p.out += ` ${p.ip4(bp)}`;
    bp += 4;
  }
  if (uuids) {
    check(p, 52);
    bp += 52;
  }
  p.out += " partitions";
  for (let i = 0; i < slots; i++) {
    const j = u32(p);
    if (i < n) p.out += j <= 26 ? ` ${String.fromCharCode(97 + j)}` : ` ${j}`;
  }
  check(p, slots * 4);
  bp += slots * 4;
  run(p, ["' rwvol", "u", "' rovol", "u", "' backup", "u"]);
}

function ubikReply(p: Pkt, off: number, op: number): void {
  bp = off + HDR;
  if (p.u8(off + 20) === DATA) {
    if (op === 10000) p.out += " vote no";
    else if (op === 20004) run(p, ["' dbversion", "ubv"]);
  } else if (op === 10000) {
    run(p, ["' vote yes until", "d"]);
  } else {
    run(p, ["' errcode", "i"]);
  }
}

/** An AFS access list (tcpdump's acl_print): ` +{user rlidwka}`... of its text form. */
function acl(p: Pkt): void {
  let n = u32(p);
  check(p, n);
  n = Math.min(1024, n);
  let text = "";
  for (let i = 0; i < n && p.d[bp + i] !== 0; i++) text += String.fromCharCode(p.d[bp + i]);
  const head = /^[ \t\n\v\f\r]*([-+]?\d+)[ \t\n\v\f\r]*([-+]?\d+)[ \t\n\v\f\r]*/.exec(text);
  if (!head) return;
  let rest = text.slice(head[0].length);
  const entry = /^[ \t\n\v\f\r]*([^ \t\n\v\f\r]{1,1024})[ \t\n\v\f\r]*([-+]?\d+)[ \t\n\v\f\r]*/;
  for (const [count, sign] of [[Number(head[1]), "+"], [Number(head[2]), "-"]] as const) {
    for (let i = 0; i < count; i++) {
      const m = entry.exec(rest);
      if (!m) return;
      rest = rest.slice(m[0].length);
      const a = Number(m[2]);
      let s = "";
      for (const c of m[1]) s += charText(c.charCodeAt(0));
      p.out += ` ${sign}{${s} ${a & 1 ? "r" : ""}${a & 8 ? "l" : ""}${a & 4 ? "i" : ""}` +
        `${a & 16 ? "d" : ""}${a & 2 ? "w" : ""}${a & 32 ? "k" : ""}${a & 64 ? "a" : ""}}`;
    }
  }
}
