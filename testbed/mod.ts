/**
 * The test bed, one import for the integration tests and the bench: network namespaces and veth
 * pairs, children in them, captures started, read back and stopped, traffic, capture files,
 * kernel probes and tool outputs. See each module for its part.
 * @module
 */
export * from "./capture.ts";
export * from "./child.ts";
export * from "./fleet.ts";
export * from "./netns.ts";
export * from "./outputs.ts";
export * from "./pcap.ts";
export * from "./pcap_file.ts";
export * from "./probe.ts";
export * from "./send.ts";
export * from "./tcp_stream.ts";
