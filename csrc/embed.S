/* Links the XDP object into the shim: one file to ship, opened with
 * bpf_object__open_mem. XSKDUMP_BPF_OBJ is the path, set by the Makefile. */
	.section .rodata
	.balign 8
	.global xskdump_bpf_obj
	.hidden xskdump_bpf_obj
xskdump_bpf_obj:
	.incbin XSKDUMP_BPF_OBJ
	.global xskdump_bpf_obj_end
	.hidden xskdump_bpf_obj_end
xskdump_bpf_obj_end:
	.section .note.GNU-stack,"",@progbits
