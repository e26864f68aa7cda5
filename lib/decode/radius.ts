/**
 * RADIUS (tcpdump's print-radius.c) on UDP 1645, 1646, 1700, 1812, 1813 and 3799: the code,
 * id and length; -v the authenticator and every attribute on a line of its own, printed by its
 * type (strings, numbers with their standard values, addresses, times, vendor attributes, EAP
 * messages...), -vv each also in hex.
 *
 * @module
 */
import { eap } from "./eap.ts";
import { ntpTime } from "./ntp.ts";
import { CUT, formatIp6, hex2, type IpInfo, type Pkt } from "./printer.ts";
import { bitTok, bitToks, printn, tok, toks } from "./text.ts";

const CODES = toks(
  "1=Access-Request|2=Access-Accept|3=Access-Reject|4=Accounting-Request|" +
    "5=Accounting-Response|11=Access-Challenge|12=Status-Server|13=Status-Client|" +
    "40=Disconnect-Request|41=Disconnect-ACK|42=Disconnect-NAK|43=CoA-Request|44=CoA-ACK|" +
    "45=CoA-NAK|255=Reserved",
);

/**
 * Attributes by type: name / how the value prints (s string, n number, a address, v vendor,
 * 6 IPv6 address, m IPv6 prefix, h MIP6 home link prefix, o operator name, l location
 * information, d location data, b location policy rules, t time, 8 feature vector, x special,
 * - nothing) / table of standard values / how many / the first.
 */
const ATTRS = (
  "/-//0/0|User-Name/s//0/0|User-Password/-//0/0|CHAP-Password/-//0/0|" +
  "NAS-IP-Address/a//0/0|NAS-Port/n//0/0|Service-Type/n/serv_type/19/1|" +
  "Framed-Protocol/n/frm_proto/7/1|Framed-IP-Address/a//0/0|Framed-IP-Netmask/a//0/0|" +
  "Framed-Routing/n/frm_routing/4/0|Filter-Id/s//0/0|Framed-MTU/n//0/0|" +
  "Framed-Compression/n/frm_comp/4/0|Login-IP-Host/a//0/0|Login-Service/n/login_serv/9/0|" +
  "Login-TCP-Port/n//0/0|Unassigned/-//0/0|Reply-Message/s//0/0|Callback-Number/s//0/0|" +
  "Callback-Id/s//0/0|Unassigned/-//0/0|Framed-Route/s//0/0|Framed-IPX-Network/n//0/0|" +
  "State/s//0/0|Class/s//0/0|Vendor-Specific/v//0/0|Session-Timeout/n//0/0|" +
  "Idle-Timeout/n//0/0|Termination-Action/n/term_action/2/0|Called-Station-Id/s//0/0|" +
  "Calling-Station-Id/s//0/0|NAS-Identifier/s//0/0|Proxy-State/s//0/0|" +
  "Login-LAT-Service/s//0/0|Login-LAT-Node/s//0/0|Login-LAT-Group/s//0/0|" +
  "Framed-AppleTalk-Link/n//0/0|Framed-AppleTalk-Network/n//0/0|" +
  "Framed-AppleTalk-Zone/s//0/0|Acct-Status-Type/n/acct_status/15/1|" +
  "Acct-Delay-Time/n//0/0|Acct-Input-Octets/n//0/0|Acct-Output-Octets/n//0/0|" +
  "Acct-Session-Id/s//0/0|Acct-Authentic/n/acct_auth/4/1|Acct-Session-Time/n//0/0|" +
  "Acct-Input-Packets/n//0/0|Acct-Output-Packets/n//0/0|" +
  "Acct-Terminate-Cause/n/acct_term/23/1|Acct-Multi-Session-Id/s//0/0|" +
  "Acct-Link-Count/n//0/0|Acct-Input-Gigawords/n//0/0|Acct-Output-Gigawords/n//0/0|" +
  "Unassigned/-//0/0|Event-Timestamp/t//0/0|Egress-VLANID/n//0/0|" +
  "Ingress-Filters/n/ingress_filters/2/1|Egress-VLAN-Name/s//0/0|" +
  "User-Priority-Table/-//0/0|CHAP-Challenge/s//0/0|NAS-Port-Type/n/nas_port_type/44/0|" +
  "Port-Limit/n//0/0|Login-LAT-Port/s//0/0|Tunnel-Type/n/tunnel_type/13/1|" +
  "Tunnel-Medium-Type/n/tunnel_medium/15/1|Tunnel-Client-Endpoint/s//0/0|" +
  "Tunnel-Server-Endpoint/s//0/0|Acct-Tunnel-Connection/s//0/0|Tunnel-Password/s//0/0|" +
  "ARAP-Password/x//0/0|ARAP-Features/x//0/0|ARAP-Zone-Access/n/arap_zone/4/1|" +
  "ARAP-Security/s//0/0|ARAP-Security-Data/s//0/0|Password-Retry/n//0/0|" +
  "Prompt/n/prompt/2/0|Connect-Info/s//0/0|Configuration-Token/s//0/0|EAP-Message/s//0/0|" +
  "Message-Authenticator/s//0/0|Tunnel-Private-Group-ID/s//0/0|" +
  "Tunnel-Assignment-ID/s//0/0|Tunnel-Preference/n//0/0|ARAP-Challenge-Response/x//0/0|" +
  "Acct-Interim-Interval/n//0/0|Acct-Tunnel-Packets-Lost/n//0/0|NAS-Port-Id/s//0/0|" +
  "Framed-Pool/s//0/0|CUI/s//0/0|Tunnel-Client-Auth-ID/s//0/0|" +
  "Tunnel-Server-Auth-ID/s//0/0|NAS-Filter-Rule/s//0/0|Unassigned/-//0/0|" +
  "Originating-Line-Info/-//0/0|NAS-IPv6-Address/6//0/0|Framed-Interface-ID/-//0/0|" +
  "Framed-IPv6-Prefix/m//0/0|Login-IPv6-Host/6//0/0|Framed-IPv6-Route/s//0/0|" +
  "Framed-IPv6-Pool/s//0/0|Error-Cause/x//0/0|EAP-Key-Name/-//0/0|Digest-Response/s//0/0|" +
  "Digest-Realm/s//0/0|Digest-Nonce/s//0/0|Digest-Response-Auth/s//0/0|" +
  "Digest-Nextnonce/s//0/0|Digest-Method/s//0/0|Digest-URI/s//0/0|Digest-Qop/s//0/0|" +
  "Digest-Algorithm/s//0/0|Digest-Entity-Body-Hash/s//0/0|Digest-CNonce/s//0/0|" +
  "Digest-Nonce-Count/s//0/0|Digest-Username/s//0/0|Digest-Opaque/s//0/0|" +
  "Digest-Auth-Param/s//0/0|Digest-AKA-Auts/s//0/0|Digest-Domain/s//0/0|" +
  "Digest-Stale/s//0/0|Digest-HA1/s//0/0|SIP-AOR/s//0/0|Delegated-IPv6-Prefix/m//0/0|" +
  "MIP6-Feature-Vector/8//0/0|MIP6-Home-Link-Prefix/h//0/0|Operator-Name/o//0/0|" +
  "Location-Information/l//0/0|Location-Data/d//0/0|Basic-Location-Policy-Rules/b//0/0"
).split("|");

const SUBTYPES: Record<string, string[]> = {
  serv_type: (
    "|Login|Framed|Callback Login|Callback Framed|Outbound|Administrative|" +
    "NAS Prompt|Authenticate Only|Callback NAS Prompt|Call Check|" +
    "Callback Administrative|Voice|Fax|Modem Relay|IAPP-Register|IAPP-AP-Check|" +
    "Authorize Only|Framed-Management|Additional-Authorization"
  ).split("|"),
  frm_proto: (
    "|PPP|SLIP|ARAP|Gandalf proprietary|Xylogics IPX/SLIP|X.75 Synchronous|" +
    "GPRS PDP Context"
  ).split("|"),
  frm_routing: (
    "None|Send|Listen|Send&Listen"
  ).split("|"),
  frm_comp: (
    "None|VJ TCP/IP|IPX|Stac-LZS"
  ).split("|"),
  login_serv: (
    "Telnet|Rlogin|TCP Clear|PortMaster(proprietary)|LAT|X.25-PAD|X.25-T3POS|" +
    "Unassigned|TCP Clear Quiet"
  ).split("|"),
  term_action: (
    "Default|RADIUS-Request"
  ).split("|"),
  ingress_filters: (
    "|Enabled|Disabled"
  ).split("|"),
  nas_port_type: (
    "Async|Sync|ISDN Sync|ISDN Async V.120|ISDN Async V.110|Virtual|PIAFS|" +
    "HDLC Clear Channel|X.25|X.75|G.3 Fax|SDSL|ADSL-CAP|ADSL-DMT|ISDN-DSL|" +
    "Ethernet|xDSL|Cable|Wireless - Other|Wireless - IEEE 802.11|Token-Ring|FDDI|" +
    "Wireless - CDMA200|Wireless - UMTS|Wireless - 1X-EV|IAPP|FTTP|" +
    "Wireless - IEEE 802.16|Wireless - IEEE 802.20|Wireless - IEEE 802.22|PPPoA|" +
    "PPPoEoA|PPPoEoE|PPPoEoVLAN|PPPoEoQinQ|xPON|Wireless - XGP|" +
    "WiMAX Pre-Release 8 IWK Function|WIMAX-WIFI-IWK|WIMAX-SFF|WIMAX-HA-LMA|" +
    "WIMAX-DHCP|WIMAX-LBS|WIMAX-WVS"
  ).split("|"),
  acct_status: (
    "|Start|Stop|Interim-Update|Unassigned|Unassigned|Unassigned|Accounting-On|" +
    "Accounting-Off|Tunnel-Start|Tunnel-Stop|Tunnel-Reject|Tunnel-Link-Start|" +
    "Tunnel-Link-Stop|Tunnel-Link-Reject|Failed"
  ).split("|"),
  acct_auth: (
    "|RADIUS|Local|Remote|Diameter"
  ).split("|"),
  acct_term: (
    "|User Request|Lost Carrier|Lost Service|Idle Timeout|Session Timeout|" +
    "Admin Reset|Admin Reboot|Port Error|NAS Error|NAS Request|NAS Reboot|" +
    "Port Unneeded|Port Preempted|Port Suspended|Service Unavailable|Callback|" +
    "User Error|Host Request|Supplicant Restart|Reauthentication Failure|" +
    "Port Reinitialized|Port Administratively Disabled|Lost Power"
  ).split("|"),
  tunnel_type: (
    "|PPTP|L2F|L2TP|ATMP|VTP|AH|IP-IP|MIN-IP-IP|ESP|GRE|DVS|IP-in-IP Tunneling|" +
    "VLAN"
  ).split("|"),
  tunnel_medium: (
    "|IPv4|IPv6|NSAP|HDLC|BBN 1822|802|E.163|E.164|F.69|X.121|IPX|Appletalk|" +
    "Decnet IV|Banyan Vines|E.164 with NSAP subaddress"
  ).split("|"),
  arap_zone: (
    "|Only access to dfl zone|Use zone filter inc.|Not used|Use zone filter exc."
  ).split("|"),
  prompt: (
    "No Echo|Echo"
  ).split("|"),
};

const VENDORS = toks(
  "0=IETF (reserved)|5=ACC|9=Cisco|11=Hewlett Packard|42=Sun Microsystems|61=Merit|" +
    "74=AT&T|161=Motorola|166=Shiva|193=Ericsson AB|255=Cisco VPN 5000|307=Livingston|" +
    "311=Microsoft|429=3Com|529=Ascend|1584=Bay Networks|1991=Foundry|2180=Versanet|" +
    "2352=Redback|2636=Juniper Networks|2637=Aptis|2937=Deutsche Telekom AG|" +
    "3054=Ixia Communications|3076=Cisco VPN 3000|3085=CoSine Communications|" +
    "3224=Netscreen|3199=Shasta|3309=Nomadix|3414=T-Mobile|3561=The Broadband Forum|" +
    "3902=ZTE|4329=Siemens|4491=CableLabs|4874=Unisphere Networks|5263=Cisco BBSM|" +
    "5535=3rd Generation Partnership Project 2 (3GPP2)|5806=SK Telecom|5925=ipUnplugged|" +
    "5948=Issanni Communications|5951=Netscaler|6490=T-Mobile|6618=Quintum|6728=Interlink|" +
    "7951=CNCTC|8164=Starent Networks|8744=Colubris|10415=3GPP|10529=Gemtek-Systems|" +
    "10704=Barracuda Networks|10923=Ericsson AB - Packet Core Networks|11665=dacom|" +
    "11862=Columbia University|12356=Fortinet|12951=Verizon Wireless|13745=Plixer|" +
    "14122=Wi-Fi Alliance|16787=T-Systems Nova|" +
    "20942=China Telecom - Guangzhou Research Institute|26866=Gigamon Systems|" +
    "32622=CACE Technologies|35632=ntop|46098=Ericsson Canada",
);

const ERROR_CAUSES = toks(
  "201=Residual Session Context Removed|202=Invalid EAP Packet (Ignored)|" +
    "401=Unsupported Attribute|402=Missing Attribute|403=NAS Identification Mismatch|" +
    "404=Invalid Request|405=Unsupported Service|406=Unsupported Extension|" +
    "407=Invalid Attribute Value|501=Administratively Prohibited|" +
    "502=Request Not Routable (Proxy)|503=Session Context Not Found|" +
    "504=Session Context Not Removable|505=Other Proxy Processing Error|" +
    "506=Resources Unavailable|507=Request Initiated|" +
    "508=Multiple Session Selection Unsupported|509=Location Info Required",
);
/** MIP6 feature vector bits: the bit's number and name. */
const MIP6_FEATURES: [number, string][] = [
  [0, "MIP6_INTEGRATED"],
  [1, "LOCAL_HOME_AGENT_ASSIGNMENT"],
  [40, "PMIP6_SUPPORTED"],
  [41, "IP4_HOA_SUPPORTED"],
  [42, "LOCAL_MAG_ROUTING_SUPPORTED"],
  [43, "ASSIGN_LOCAL_IP"],
  [44, "MIP4_SUPPORTED"],
  [45, "OPTIMIZED_IDLE_MODE_MOBILITY"],
  [46, "GTPv2_SUPPORTED"],
  [47, "IP4_TRANSPORT_SUPPORTED"],
  [48, "IP4_HOA_ONLY_SUPPORTED"],
  [49, "INTER_MAG_ROUTING_SUPPORTED"],
];
const OPERATOR_NAMESPACES = toks("48=TADIG|49=REALM|50=E212|51=ICC");
const POLICY_FLAGS = bitToks(
  "0x0001=MBZ-15|0x0002=MBZ-14|0x0004=MBZ-13|0x0008=MBZ-12|0x0010=MBZ-11|0x0020=MBZ-10|" +
    "0x0040=MBZ-9|0x0080=MBZ-8|0x0100=MBZ-7|0x0200=MBZ-6|0x0400=MBZ-5|0x0800=MBZ-4|" +
    "0x1000=MBZ-3|0x2000=MBZ-2|0x4000=MBZ-1|0x8000=Retransmission Allowed",
);
const VLAN_TAGS = toks("49=Tagged|50=Untagged");

/** The attribute table, parsed once. */
const TABLE = ATTRS.map((e) => {
  const [name, kind, sub, size, first] = e.split("/");
  return { name, kind, sub: sub ? SUBTYPES[sub] : null, size: Number(size), first: Number(first) };
});

function printable(p: Pkt, at: number): string {
  const c = p.u8(at);
  return c >= 0x20 && c <= 0x7e ? String.fromCharCode(c) : ".";
}

function hexUpper(p: Pkt, at: number, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += hex2(p.u8(at + i)).toUpperCase();
  return s;
}

function tag(p: Pkt, at: number): string {
  const t = p.u8(at);
  return t ? `Tag[${t}] ` : "Tag[Unused] ";
}

function two(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** ctime(3)'s text of a time, local, without its newline. */
function ctime(secs: number): string {
  const t = new Date(secs * 1000);
  return `${DAYS[t.getDay()]} ${MONTHS[t.getMonth()]} ${String(t.getDate()).padStart(2, " ")} ` +
    `${two(t.getHours())}:${two(t.getMinutes())}:${two(t.getSeconds())} ${t.getFullYear()}`;
}

function attrString(p: Pkt, at: number, len: number, type: number): void {
  // tcpdump prints the truncation and goes on with the next attribute.
  if (!p.has(at, len)) return trunc(p);
  switch (type) {
    case 69:
      if (len < 3) return trunc(p);
      p.out += p.u8(at) && p.u8(at) <= 0x1f ? `Tag[${p.u8(at)}] ` : "Tag[Unused] ";
      p.out += `Salt ${p.u16(at + 1)} `;
      at += 3;
      len -= 3;
      break;
    case 66:
    case 67:
    case 81:
    case 82:
    case 90:
    case 91:
      if (p.u8(at) <= 0x1f) {
        p.out += tag(p, at);
        at++;
        len--;
      }
      break;
    case 58:
      p.out += `${tok(VLAN_TAGS, p.u8(at), "Unknown tag")} (0x${hex2(p.u8(at))}) `;
      at++;
      len--;
      break;
    case 79:
      eap(p, at, len);
      return;
  }
  for (let i = 0; i < len && p.u8(at + i); i++) p.out += printable(p, at + i);
}

function trunc(p: Pkt): void {
  p.out += " [|radius]";
}

function vendor(p: Pkt, at: number, len: number): void {
  if (len < 4) return trunc(p);
  const id = p.u32(at);
  at += 4;
  len -= 4;
  p.out += `Vendor: ${tok(VENDORS, id, "Unknown")} (${id})`;
  while (len >= 2) {
    const type = p.u8(at);
    let vlen = p.u8(at + 1);
    if (vlen < 2) {
      p.out += `\n\t    Vendor Attribute: ${type}, Length: ${vlen} (bogus, must be >= 2)`;
      return;
    }
    if (vlen > len) {
      p.out += `\n\t    Vendor Attribute: ${type}, Length: ${vlen} (bogus, goes past end of` +
        " vendor-specific attribute)";
      return;
    }
    at += 2;
    vlen -= 2;
    len -= 2;
    if (!p.has(at, vlen)) return trunc(p);
    p.out += `\n\t    Vendor Attribute: ${type}, Length: ${vlen}, Value: `;
    for (let i = 0; i < vlen; i++) p.out += printable(p, at + i);
    at += vlen;
    len -= vlen;
  }
}

function attrNum(p: Pkt, at: number, len: number, type: number): void {
  if (len !== 4) {
    p.out += `ERROR: length ${len} != 4`;
    return;
  }
  const a = TABLE[type];
  if (a.size) {
    let v: number;
    if (type === 64 || type === 65) {
      p.out += tag(p, at);
      v = (p.u8(at + 1) << 16) | p.u16(at + 2);
    } else v = p.u32(at);
    p.out += v <= a.size - 1 + a.first && v >= a.first ? a.sub![v] : `#${v}`;
    return;
  }
  const v = p.u32(at);
  switch (type) {
    case 23:
      p.out += v === 0xfffffffe ? "NAS Select" : `${v}`;
      break;
    case 27:
    case 28:
    case 41:
    case 46:
    case 85:
      if (v < 60) p.out += `${two(v)} secs`;
      else if (v < 3600) p.out += `${two(Math.floor(v / 60))}:${two(v % 60)} min`;
      else {
        p.out += `${two(Math.floor(v / 3600))}:${two(Math.floor((v % 3600) / 60))}:${
          two(v % 60)
        } hours`;
      }
      break;
    case 37:
      p.out += v ? `${v}` : "Unnumbered";
      break;
    case 38:
      p.out += v ? `${v}` : "NAS assigned";
      break;
    case 83:
      p.out += tag(p, at);
      p.out += `${v & 0xffffff}`;
      break;
    case 56:
      p.out += `${tok(VLAN_TAGS, p.u8(at), "Unknown tag")} (0x${hex2(p.u8(at))}) `;
      p.out += `${v & 0xffffff}`;
      break;
    default:
      p.out += `${v}`;
  }
}

function strange(p: Pkt, at: number, len: number, type: number): void {
  switch (type) {
    case 70:
      if (len !== 16) {
        p.out += `ERROR: length ${len} != 16`;
        return;
      }
      p.out += `User_challenge (${hexUpper(p, at, 8)}) User_resp(${hexUpper(p, at + 8, 8)})`;
      break;
    case 71:
      if (len !== 14) {
        p.out += `ERROR: length ${len} != 14`;
        return;
      }
      p.out += p.u8(at) ? "User can change password" : "User cannot change password";
      p.out += `, Min password length: ${p.u8(at + 1)}`;
      p.out += `, created at: ${hexUpper(p, at + 2, 4)}`;
      p.out += `, expires in: ${hexUpper(p, at + 6, 4)}`;
      p.out += `, Current Time: ${hexUpper(p, at + 10, 4)}`;
      break;
    case 84:
      if (len < 8) {
        p.out += `ERROR: length ${len} != 8`;
        return;
      }
      p.out += hexUpper(p, at, 8);
      break;
    case 101: {
      if (len !== 4) {
        p.out += `Error: length ${len} != 4`;
        return;
      }
      const v = p.u32(at);
      p.out += `Error cause ${v}: ${tok(ERROR_CAUSES, v, "Error-Cause %u not known")}`;
      break;
    }
  }
}

function prefix6(p: Pkt, at: number, len: number): void {
  if (len < 2 || len > 18) {
    p.out += `ERROR: length ${len} not in range (2..18)`;
    return;
  }
  if (!p.has(at, len)) return trunc(p);
  const plen = p.u8(at + 1);
  if (plen > 128) {
    p.out += `ERROR: netmask ${plen} not in range (0..128)`;
    return;
  }
  const a = new Uint8Array(16);
  a.set(p.d.subarray(at + 2, at + len));
  p.out += `${formatIp6(a)}/${plen}`;
  if (plen > 8 * (len - 2)) p.out += " (inconsistent prefix length)";
}

function location(p: Pkt, at: number, len: number, kind: string): void {
  if (!p.has(at, len)) return trunc(p);
  if (kind === "o") {
    if (len < 2) {
      p.out += `ERROR: length ${len} < 2`;
      return;
    }
    p.out += `[${tok(OPERATOR_NAMESPACES, p.u8(at), "unknown namespace %u")}] `;
    printn(p, at + 1, len - 1, false);
  } else if (kind === "l") {
    if (len < 21) {
      p.out += `ERROR: length ${len} < 21`;
      return;
    }
    const code = p.u8(at + 2);
    const entity = p.u8(at + 3);
    p.out +=
      `index ${p.u16(at)}, code ${tok({ 0: "Civic", 1: "Geospatial" }, code, "Unknown (%u)")}` +
      `, entity ${tok({ 0: "User", 1: "RADIUS" }, entity, "Unknown (%u)")}, `;
    p.out += `sighting time ${ntpTime(p, at + 4)}, time to live ${ntpTime(p, at + 12)}, method "`;
    printn(p, at + 20, len - 20, false);
    p.out += '"';
  } else if (kind === "d") {
    if (len < 3) {
      p.out += `ERROR: length ${len} < 3`;
      return;
    }
    p.out += `index ${p.u16(at)}, location`;
    p.hexAscii(at + 2, len - 2, "\n\t    ");
  } else {
    if (len < 10) {
      p.out += `ERROR: length ${len} < 10`;
      return;
    }
    p.out += `flags [${bitTok(POLICY_FLAGS, p.u16(at), "none")}], `;
    p.out += `retention expires ${ntpTime(p, at + 2)}`;
    if (len > 10) {
      p.out += ', note well "';
      printn(p, at + 10, len - 10, false);
      p.out += '"';
    }
  }
}

function value(p: Pkt, at: number, len: number, type: number): void {
  const kind = TABLE[type].kind;
  switch (kind) {
    case "s":
      return attrString(p, at, len, type);
    case "n":
      return attrNum(p, at, len, type);
    case "v":
      return vendor(p, at, len);
    case "a": {
      if (len !== 4) {
        p.out += `ERROR: length ${len} != 4`;
        return;
      }
      const v = p.u32(at);
      if ((type === 8 || type === 14) && v === 0xffffffff) p.out += "User Selected";
      else if ((type === 8 || type === 14) && v === 0xfffffffe) p.out += "NAS Select";
      else p.out += p.ip4(at);
      return;
    }
    case "6":
      p.out += len !== 16 ? `ERROR: length ${len} != 16` : p.ip6(at);
      return;
    case "m":
      return prefix6(p, at, len);
    case "h":
      if (len !== 17) {
        p.out += `ERROR: length ${len} != 17`;
        return;
      }
      if (!p.has(at, len)) return trunc(p);
      if (p.u8(at) > 128) p.out += `ERROR: netmask ${p.u8(at)} not in range (0..128)`;
      else p.out += `${p.ip6(at + 1)}/${p.u8(at)}`;
      return;
    case "t":
      p.out += len !== 4 ? `ERROR: length ${len} != 4` : ctime(p.u32(at));
      return;
    case "8": {
      if (len !== 8) {
        p.out += `ERROR: length ${len} != 8`;
        return;
      }
      p.out += "[";
      const hi = p.u32(at);
      const lo = p.u32(at + 4);
      let sep = "";
      for (const [bit, name] of MIP6_FEATURES) {
        if ((bit < 32 ? lo >>> bit : hi >>> (bit - 32)) & 1) {
          p.out += sep + name;
          sep = ", ";
        }
      }
      p.out += "]";
      return;
    }
    case "x":
      return strange(p, at, len, type);
    case "-":
      return;
    default:
      return location(p, at, len, kind);
  }
}

function attributes(p: Pkt, at: number, length: number): void {
  while (length > 0) {
    if (length < 2 || !p.has(at, 2)) return trunc(p);
    const type = p.d[at];
    const len = p.d[at + 1];
    const name = type !== 0 && type < TABLE.length ? TABLE[type].name : "Unknown";
    p.out += `\n\t  ${name} Attribute (${type}), length: ${len}`;
    if (len < 2) {
      p.out += " (bogus, must be >= 2)";
      return;
    }
    if (len > length) {
      p.out += " (bogus, goes past end of packet)";
      return;
    }
    p.out += ", Value: ";
    if (type < TABLE.length && len > 2) value(p, at + 2, len - 2, type);
    if (p.verbosity > 1) p.unknownData(at + 2, len - 2, "\n\t    ");
    length -= len;
    at += len;
  }
}

/** UDP 1645, 1646, 1700, 1812, 1813, 3799. */
export function radius(p: Pkt, bp: number, length: number, _info: IpInfo): void {
  p.proto = "radius";
  p.check(bp, 20);
  let len = p.u16(bp + 2);
  if (len < 20) throw CUT;
  if (len > length) len = length;
  const code = p.u8(bp);
  if (!p.verbose) {
    p.out += `RADIUS, ${tok(CODES, code, "Unknown Command")} (${code}), id: 0x${
      hex2(p.u8(bp + 1))
    } length: ${len}`;
    return;
  }
  p.out += `RADIUS, length: ${len}\n\t${tok(CODES, code, "Unknown Command")} (${code}), id: 0x${
    hex2(p.u8(bp + 1))
  }, Authenticator: `;
  for (let i = 4; i < 20; i++) p.out += hex2(p.d[bp + i]);
  if (len > 20) attributes(p, bp + 20, len - 20);
}
