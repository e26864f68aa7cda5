/* tcpdump filter expressions compiled by libpcap into classic BPF (cBPF), and
 * libpcap's own interpreter as the reference verdict.
 *
 * A translation unit of its own: <pcap/bpf.h> and <linux/bpf.h> both define
 * struct bpf_insn, so nothing here may include libbpf, libxdp or kernel BPF
 * headers; error.h, the one internal header it needs, includes none.
 *
 * The cBPF program crosses the ABI as 8-byte records in host byte order,
 * {u16 code, u8 jt, u8 jf, u32 k}: exactly struct bpf_insn, which is checked
 * at compile time. lib/filter/translate.ts turns it into an XDP program. */
#include "shim.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "error.h"

_Static_assert(sizeof(struct bpf_insn) == XSKDUMP_CBPF_INSN_SIZE, "cBPF record size");
_Static_assert(offsetof(struct bpf_insn, code) == 0 && offsetof(struct bpf_insn, jt) == 2 &&
		       offsetof(struct bpf_insn, jf) == 3 && offsetof(struct bpf_insn, k) == 4,
	       "cBPF record layout");

/* Longest expression quoted in an error, so the text fits the error buffer. */
#define QUOTE_MAX 160

/* One line of text: control characters (a newline in the expression, or in
 * what libpcap quotes back from it) become spaces, so an error stays one line. */
static char *one_line(char *s)
{
	char *c;

	for (c = s; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = ' ';
	return s;
}

/* The expression as an error quotes it: cut to QUOTE_MAX bytes, one line. */
static const char *quoted(const char *expr, char *buf, size_t len)
{
	size_t l = strlen(expr);

	if (l < QUOTE_MAX)
		snprintf(buf, len, "%s", expr);
	else
		snprintf(buf, len, "%.*s...", QUOTE_MAX - 3, expr);
	return one_line(buf);
}

int32_t xsk_filter_compile(const char *expr, uint32_t snaplen, uint8_t *out, uint32_t max)
{
	struct bpf_program bp = { 0 };
	char qbuf[QUOTE_MAX + 1];
	pcap_t *p;
	int32_t n;

	if (!expr)
		return fail(-EINVAL, "no filter expression");
	if (snaplen == 0 || snaplen > INT_MAX)
		return fail(-EINVAL, "bad snapshot length %u", snaplen);
	/* A dead handle: the expression is compiled for Ethernet without
	 * opening anything, so this needs no privileges. */
	p = pcap_open_dead(DLT_EN10MB, (int)snaplen);
	if (!p)
		return fail(-ENOMEM, "libpcap: cannot make a handle to compile filter '%s'",
			    quoted(expr, qbuf, sizeof(qbuf)));
	if (pcap_compile(p, &bp, expr, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		n = fail(-EINVAL, "filter '%s': %s", quoted(expr, qbuf, sizeof(qbuf)),
			 one_line(pcap_geterr(p)));
		pcap_close(p);
		return n;
	}
	pcap_close(p);
	if (bp.bf_len > XSKDUMP_CBPF_MAX_INSNS) {
		pcap_freecode(&bp);
		return fail(-E2BIG, "filter '%s' compiles to %u instructions",
			    quoted(expr, qbuf, sizeof(qbuf)), bp.bf_len);
	}
	n = (int32_t)bp.bf_len;
	if (out && (uint32_t)n <= max)
		memcpy(out, bp.bf_insns, (size_t)n * XSKDUMP_CBPF_INSN_SIZE);
	pcap_freecode(&bp);
	return n;
}

/* The opcodes bpf_filter() implements. libpcap 1.10's bpf_validate() lets a
 * few others through (BPF_LDX|BPF_ABS, BPF_RET|BPF_X, ...) on which its
 * interpreter calls abort(): those are refused here instead. */
static int interpreted(uint16_t code)
{
	switch (code) {
	case BPF_RET | BPF_K:
	case BPF_RET | BPF_A:
	case BPF_LD | BPF_W | BPF_ABS:
	case BPF_LD | BPF_H | BPF_ABS:
	case BPF_LD | BPF_B | BPF_ABS:
	case BPF_LD | BPF_W | BPF_LEN:
	case BPF_LDX | BPF_W | BPF_LEN:
	case BPF_LD | BPF_W | BPF_IND:
	case BPF_LD | BPF_H | BPF_IND:
	case BPF_LD | BPF_B | BPF_IND:
	case BPF_LDX | BPF_MSH | BPF_B:
	case BPF_LD | BPF_IMM:
	case BPF_LDX | BPF_IMM:
	case BPF_LD | BPF_MEM:
	case BPF_LDX | BPF_MEM:
	case BPF_ST:
	case BPF_STX:
	case BPF_JMP | BPF_JA:
	case BPF_JMP | BPF_JGT | BPF_K:
	case BPF_JMP | BPF_JGE | BPF_K:
	case BPF_JMP | BPF_JEQ | BPF_K:
	case BPF_JMP | BPF_JSET | BPF_K:
	case BPF_JMP | BPF_JGT | BPF_X:
	case BPF_JMP | BPF_JGE | BPF_X:
	case BPF_JMP | BPF_JEQ | BPF_X:
	case BPF_JMP | BPF_JSET | BPF_X:
	case BPF_ALU | BPF_ADD | BPF_X:
	case BPF_ALU | BPF_SUB | BPF_X:
	case BPF_ALU | BPF_MUL | BPF_X:
	case BPF_ALU | BPF_DIV | BPF_X:
	case BPF_ALU | BPF_MOD | BPF_X:
	case BPF_ALU | BPF_AND | BPF_X:
	case BPF_ALU | BPF_OR | BPF_X:
	case BPF_ALU | BPF_XOR | BPF_X:
	case BPF_ALU | BPF_LSH | BPF_X:
	case BPF_ALU | BPF_RSH | BPF_X:
	case BPF_ALU | BPF_ADD | BPF_K:
	case BPF_ALU | BPF_SUB | BPF_K:
	case BPF_ALU | BPF_MUL | BPF_K:
	case BPF_ALU | BPF_DIV | BPF_K:
	case BPF_ALU | BPF_MOD | BPF_K:
	case BPF_ALU | BPF_AND | BPF_K:
	case BPF_ALU | BPF_OR | BPF_K:
	case BPF_ALU | BPF_XOR | BPF_K:
	case BPF_ALU | BPF_LSH | BPF_K:
	case BPF_ALU | BPF_RSH | BPF_K:
	case BPF_ALU | BPF_NEG:
	case BPF_MISC | BPF_TAX:
	case BPF_MISC | BPF_TXA:
		return 1;
	}
	return 0;
}

int32_t xsk_filter_match(const uint8_t *prog, uint32_t n, const uint8_t *pkt, uint32_t caplen,
			 uint32_t wirelen)
{
	struct bpf_insn *insns;
	uint32_t i;
	u_int r;

	if (!prog || !n || n > XSKDUMP_CBPF_MAX_INSNS)
		return fail(-EINVAL, "cBPF program of %u instructions", n);
	if (!pkt && caplen)
		return fail(-EINVAL, "no packet");
	/* The caller's buffer may be unaligned: copy into real structs. */
	insns = malloc((size_t)n * sizeof(*insns));
	if (!insns)
		return fail(-ENOMEM, "cBPF program of %u instructions", n);
	memcpy(insns, prog, (size_t)n * sizeof(*insns));
	if (!bpf_validate(insns, (int)n)) {
		free(insns);
		return fail(-EINVAL, "libpcap rejects this cBPF program (bpf_validate)");
	}
	for (i = 0; i < n; i++) {
		if (!interpreted(insns[i].code)) {
			uint16_t code = insns[i].code;

			free(insns);
			return fail(-EINVAL, "instruction %u: libpcap cannot interpret opcode 0x%x", i,
				    code);
		}
	}
	/* What pcap_offline_filter() does with a record header {caplen, len}. */
	r = bpf_filter(insns, pkt ? pkt : (const u_char *)"", wirelen, caplen);
	free(insns);
	return r > INT32_MAX ? INT32_MAX : (int32_t)r;
}
