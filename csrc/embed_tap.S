/* Links the tap programs' object into the shim, as embed.S does the XDP
 * program's. XSKDUMP_TAP_BPF_OBJ is the path, set by the Makefile. */
	.section .rodata
	.balign 8
	.global xskdump_tap_bpf_obj
	.hidden xskdump_tap_bpf_obj
xskdump_tap_bpf_obj:
	.incbin XSKDUMP_TAP_BPF_OBJ
	.global xskdump_tap_bpf_obj_end
	.hidden xskdump_tap_bpf_obj_end
xskdump_tap_bpf_obj_end:
	.section .note.GNU-stack,"",@progbits
