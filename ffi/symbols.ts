/**
 * The Deno.dlopen symbol table: one entry per function of csrc/shim.h, in the
 * same order and sections, with the same parameter types (tests/unit/abi_test.ts
 * compares them). Change both together.
 * @module
 */

/** Must equal XSKDUMP_ABI_VERSION in csrc/shim.h. */
export const ABI_VERSION = 20;

export const symbols = {
  // error.c: errors and the ABI version
  xsk_abi_version: { parameters: [], result: "i32" },
  xsk_last_error: { parameters: ["buffer", "u32"], result: "i32" },
  // host.c: host facts
  xsk_host_facts: { parameters: ["buffer", "u32"], result: "i32" },
  xsk_kernel_release: { parameters: ["buffer", "u32"], result: "i32" },
  xsk_process_start: { parameters: ["i32", "buffer"], result: "i32" },
  xsk_iface_names: { parameters: ["buffer", "u32"], result: "i32" },
  xsk_rx_queue_count: { parameters: ["buffer"], result: "i32" },
  xsk_iface_mtu: { parameters: ["buffer"], result: "i32" },
  xsk_iface_gro: { parameters: ["buffer"], result: "i32" },
  xsk_xdp_query: { parameters: ["buffer", "buffer", "u32"], result: "i32" },
  xsk_channels_get: { parameters: ["buffer", "buffer", "u32"], result: "i32" },
  xsk_channels_set: { parameters: ["buffer", "u32", "u32", "u32", "u32"], result: "i32" },
  xsk_iface_usage: { parameters: ["buffer", "buffer", "u32"], result: "i32" },
  // threads.c: the capture loop's CPU
  xsk_thread_policy: { parameters: ["buffer", "u32"], result: "i32" },
  // ifaces.c: the interfaces a capture can use
  xsk_interfaces: { parameters: ["buffer", "u32"], result: "i32" },
  xsk_xdp_features: { parameters: ["buffer", "buffer"], result: "i32" },
  xsk_iface_rx_metadata: { parameters: ["buffer"], result: "i32" },
  // privileges.c: -Z, giving up root
  xsk_user_ids: { parameters: ["buffer", "buffer", "u32"], result: "i32" },
  xsk_drop_privileges: { parameters: ["buffer"], result: "i32" },
  // files.c: files Deno will not open
  xsk_file_open: { parameters: ["buffer", "u32"], result: "i32" },
  xsk_file_read: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  xsk_file_write: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  xsk_file_truncate: { parameters: ["i32", "u64"], result: "i32" },
  xsk_file_regular: { parameters: ["i32"], result: "i32" },
  xsk_file_close: { parameters: ["i32"], result: "i32" },
  xsk_path_chown: { parameters: ["buffer", "u32", "u32"], result: "i32" },
  // prog.c: the XDP program (share.c, below it, has no functions of its own)
  xsk_prog_attach: { parameters: ["buffer", "u32", "u32"], result: "i32" },
  xsk_prog_shared: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  xsk_prog_info: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  xsk_prog_counters: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  xsk_prog_queue_counters: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  // filter.c, filter_prog.c: filters
  xsk_filter_compile: { parameters: ["buffer", "u32", "buffer", "u32"], result: "i32" },
  xsk_filter_match: { parameters: ["buffer", "u32", "buffer", "u32", "u32"], result: "i32" },
  xsk_prog_set_filter: { parameters: ["i32", "buffer", "u32", "buffer"], result: "i32" },
  xsk_filter_test_load: { parameters: ["buffer", "u32", "buffer"], result: "i32" },
  xsk_filter_test_load_skb: { parameters: ["buffer", "u32", "buffer"], result: "i32" },
  xsk_filter_test_run: { parameters: ["i32", "buffer", "u32", "u32", "buffer"], result: "i32" },
  xsk_filter_test_counters: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  xsk_filter_test_close: { parameters: ["i32"], result: "i32" },
  // sock.c: sockets and their UMEM (ledger.c and fault.c have no functions)
  xsk_sock_open: {
    parameters: ["i32", "u32", "u32", "u32", "buffer", "u64", "u32", "u32", "u32"],
    result: "i32",
  },
  xsk_sock_info: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  xsk_sock_check: { parameters: ["i32"], result: "i32" },
  xsk_sock_stats: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  xsk_sock_start: { parameters: ["i32"], result: "i32" },
  xsk_sock_warm: { parameters: ["i32", "u32"], result: "i32" },
  xsk_sock_stop: { parameters: ["i32"], result: "i32" },
  xsk_sock_close: { parameters: ["i32"], result: "i32" },
  xsk_prog_detach: { parameters: ["i32"], result: "i32" },
  // rings.c: the receive loop
  xsk_rx_batch: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  xsk_fill: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  xsk_sock_guard: { parameters: ["i32", "u32"], result: "i32" },
  xsk_guard_total: { parameters: ["i32"], result: "i32" },
  xsk_guard_report: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  // Runs on Deno's FFI thread pool so the event loop (signals, timers) turns.
  xsk_wait: { parameters: ["i32", "i32"], result: "i32", nonblocking: true },
  xsk_wait_any: { parameters: ["buffer", "u32", "i32"], result: "i32", nonblocking: true },
  // The loop's nap: synchronous, a precise sleep in the loop's own thread.
  xsk_doze: { parameters: ["u32"], result: "i32" },
  // ringbuf.c, tc.c, tap.c, tap_ring.c: tap mode
  xsk_tap_open: {
    parameters: ["buffer", "u32", "u32", "u32", "u32", "buffer", "u32", "u32", "u32", "u32", "u32"],
    result: "i32",
  },
  xsk_tap_hooks: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  xsk_tap_set_filter: {
    parameters: ["i32", "buffer", "u32", "buffer", "u32", "buffer"],
    result: "i32",
  },
  xsk_ring_map: { parameters: ["i32", "buffer", "u64"], result: "i32" },
  xsk_tap_start: { parameters: ["i32"], result: "i32" },
  xsk_ring_batch: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  xsk_ring_give: { parameters: ["i32"], result: "i32" },
  xsk_ring_warm: { parameters: ["i32", "u32"], result: "i32" },
  xsk_ring_wait: { parameters: ["i32", "i32"], result: "i32", nonblocking: true },
  xsk_tap_counters: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  xsk_tap_stop: { parameters: ["i32"], result: "i32" },
  xsk_tap_check: { parameters: ["i32"], result: "i32" },
  xsk_tap_close: { parameters: ["i32"], result: "i32" },
  xsk_proc_probe: { parameters: ["buffer", "u32"], result: "i32" },
  xsk_tc_detach: { parameters: ["buffer", "u32", "u32"], result: "i32" },
  // records.c, writer.c: capture files written by the shim
  xsk_writer_open: { parameters: ["u32", "u32", "u32", "u32"], result: "i32" },
  xsk_writer_file: {
    parameters: ["i32", "buffer", "i32", "buffer", "u32", "buffer", "u32", "u64", "u64"],
    result: "i32",
  },
  xsk_writer_put: { parameters: ["i32", "buffer", "u32", "buffer", "u32"], result: "i32" },
  xsk_writer_warm: { parameters: ["i32", "u32"], result: "i32" },
  xsk_writer_bytes: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  xsk_writer_flush: { parameters: ["i32"], result: "i32" },
  // Both wait for the writer thread: on the FFI thread pool, so the event loop turns.
  xsk_writer_wait: { parameters: ["i32", "i32"], result: "i32", nonblocking: true },
  xsk_writer_drain: { parameters: ["i32", "i32"], result: "i32", nonblocking: true },
  xsk_writer_stats: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  xsk_writer_failure: { parameters: ["i32", "buffer", "u32", "buffer", "u32"], result: "i32" },
  xsk_writer_close: { parameters: ["i32"], result: "i32" },
  // cgroups.c: the cgroup2 root, cgroup ids and paths
  xsk_cgroup_root: { parameters: ["buffer", "u32"], result: "i32" },
  xsk_cgroup_ids: { parameters: ["buffer", "u32", "buffer", "u32"], result: "i32" },
  xsk_cgroup1_pids: { parameters: ["buffer", "u32", "buffer", "u32"], result: "i32" },
  xsk_cgroup_path: { parameters: ["u64", "buffer", "u32"], result: "i32" },
  // proc.c: process attribution
  xsk_proc_attach: { parameters: ["i32"], result: "i32" },
  xsk_proc_table: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  xsk_proc_want: { parameters: ["i32", "u32", "buffer", "u32"], result: "i32" },
  xsk_proc_counters: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  xsk_proc_detach: { parameters: ["i32"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

/** The opened shim's functions. */
export type Shim = Deno.DynamicLibrary<typeof symbols>["symbols"];
