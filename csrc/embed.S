/* Links the XDP objects into the shim: one file to ship, opened with
 * bpf_object__open_mem. XSKDUMP_BPF_OBJ and XSKDUMP_VLAN_BPF_OBJ (the
 * device-bound variant) are the paths, set by the Makefile. */
	.section .rodata
	.balign 8
	.global xskdump_bpf_obj
	.hidden xskdump_bpf_obj
xskdump_bpf_obj:
	.incbin XSKDUMP_BPF_OBJ
	.global xskdump_bpf_obj_end
	.hidden xskdump_bpf_obj_end
xskdump_bpf_obj_end:
	.balign 8
	.global xskdump_vlan_bpf_obj
	.hidden xskdump_vlan_bpf_obj
xskdump_vlan_bpf_obj:
	.incbin XSKDUMP_VLAN_BPF_OBJ
	.global xskdump_vlan_bpf_obj_end
	.hidden xskdump_vlan_bpf_obj_end
xskdump_vlan_bpf_obj_end:
	.section .note.GNU-stack,"",@progbits
