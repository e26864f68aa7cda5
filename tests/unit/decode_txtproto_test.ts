// Text protocols (HTTP, RTSP, FTP, SMTP, WHOIS, SIP) and the SSH banner as tcpdump 4.99 prints
// them, on crafted segments: requests, responses, bodies without a request line, binary data,
// lines without an end, CR without LF, and cut captures, at default to -vvv.
import {
  ascii,
  type Frame,
  frame,
  sameAsTcpdump,
  tcp,
  TCP4_PAYLOAD,
  udp,
  UDP4_PAYLOAD,
  withCuts,
} from "./decode_craft.ts";

export function frames(): Frame[] {
  const out: Frame[] = [];
  const t = (name: string, port: number, text: string, client = true) =>
    out.push(
      ...withCuts(
        frame(name, tcp(client ? 40000 : port, client ? port : 40000, ascii(text))),
        TCP4_PAYLOAD,
        [2, 5, 12],
      ),
    );
  t("http get", 80, "GET /index.html HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n");
  t("http lowercase", 8080, "post /x HTTP/1.0\r\n\r\n");
  t("http response", 80, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", false);
  t("http body", 80, "<html><body>hello</body></html>\r\n", false);
  t("http no eol", 80, "GET /partial");
  t("http cr alone", 80, "GET /a\rb\r\n");
  t("http binary", 80, "GET /\x01\x02\r\n");
  t("http tab", 80, "GET\t/tab HTTP/1.1\r\nX:\ty\r\n");
  t("http lf only", 80, "GET / HTTP/1.1\nHost: x\n\n");
  t("http response 4 digits", 80, "HTTP/1.1 2000 OK\r\n", false);
  t("rtsp", 554, "DESCRIBE rtsp://x/ RTSP/1.0\r\nCSeq: 1\r\n\r\n");
  t("rtsp reply", 8554, "RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n", false);
  t("ftp", 21, "USER anonymous\r\n");
  t("ftp reply", 21, "220 Welcome\r\n230 OK\r\n", false);
  t("smtp", 25, "EHLO example.com\r\n");
  t("whois", 43, "example.com\r\n");
  t("ssh banner", 22, "SSH-2.0-OpenSSH_9.6\r\n");
  t("ssh banner lf", 22, "SSH-1.99-x\n", false);
  t("ssh no eol", 22, "SSH-2.0-partial");
  t("ssh binary", 22, "SSH-2.0-\x01\r\n");
  t("ssh not banner", 22, "\x00\x00\x01\x0c\x0a\x14");
  t("ssh cr other", 22, "SSH-2.0-a\rb");
  const sip = (name: string, text: string) =>
    out.push(...withCuts(frame(name, udp(5060, 5060, ascii(text))), UDP4_PAYLOAD, [3, 10]));
  sip("sip invite", "INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP x\r\n\r\n");
  sip("sip reply", "SIP/2.0 180 Ringing\r\n\r\n");
  sip("sip other", "hello\r\n");
  return out;
}

sameAsTcpdump(
  "text protocols: crafted HTTP, RTSP, FTP, SMTP, WHOIS, SIP, SSH identical to tcpdump",
  frames,
);
