/* What it takes to link Debian's static libpcap into the shim.
 *
 * Debian builds libpcap with its D-Bus capture module (pcap-dbus.c), so
 * libpcap.a refers to 17 libdbus functions. The shim only ever calls
 * pcap_open_dead, pcap_compile, pcap_geterr, pcap_freecode, pcap_close,
 * bpf_validate, bpf_filter, pcap_findalldevs and pcap_freealldevs, none of
 * which can reach that module's libdbus calls (they are only made when a
 * "dbus-*" device is opened for live capture; listing the devices names them
 * without D-Bus). Linking
 * libdbus (and its own dependencies) statically for code that never runs
 * would make the shim larger and need more than libc on the host, so these
 * hidden stand-ins satisfy the linker instead. Each one fails the way the real
 * function reports failure (NULL or FALSE), should it ever be reached. The
 * signatures use opaque pointers: no libdbus headers are needed. */
#include <stddef.h>

#define HIDDEN __attribute__((visibility("hidden")))
#define UNUSED __attribute__((unused))

typedef unsigned int dbus_bool_t;

HIDDEN void *dbus_bus_get(int type UNUSED, void *error UNUSED);
HIDDEN void dbus_bus_add_match(void *conn UNUSED, const char *rule UNUSED, void *error UNUSED);
HIDDEN dbus_bool_t dbus_bus_register(void *conn UNUSED, void *error UNUSED);
HIDDEN void dbus_connection_flush(void *conn UNUSED);
HIDDEN void *dbus_connection_open(const char *address UNUSED, void *error UNUSED);
HIDDEN void *dbus_connection_pop_message(void *conn UNUSED);
HIDDEN dbus_bool_t dbus_connection_read_write(void *conn UNUSED, int timeout UNUSED);
HIDDEN dbus_bool_t dbus_connection_send(void *conn UNUSED, void *msg UNUSED, void *serial UNUSED);
HIDDEN void dbus_connection_set_max_received_size(void *conn UNUSED, long size UNUSED);
HIDDEN void dbus_connection_unref(void *conn UNUSED);
HIDDEN void dbus_error_free(void *error UNUSED);
HIDDEN dbus_bool_t dbus_error_is_set(const void *error UNUSED);
HIDDEN void dbus_free(void *memory UNUSED);
HIDDEN void *dbus_message_demarshal(const char *str UNUSED, int len UNUSED, void *error UNUSED);
HIDDEN dbus_bool_t dbus_message_is_signal(void *msg UNUSED, const char *iface UNUSED,
					  const char *name UNUSED);
HIDDEN dbus_bool_t dbus_message_marshal(void *msg UNUSED, char **out UNUSED, int *len UNUSED);
HIDDEN void dbus_message_unref(void *msg UNUSED);

void *dbus_bus_get(int type UNUSED, void *error UNUSED)
{
	return NULL;
}

void dbus_bus_add_match(void *conn UNUSED, const char *rule UNUSED, void *error UNUSED)
{
}

dbus_bool_t dbus_bus_register(void *conn UNUSED, void *error UNUSED)
{
	return 0;
}

void dbus_connection_flush(void *conn UNUSED)
{
}

void *dbus_connection_open(const char *address UNUSED, void *error UNUSED)
{
	return NULL;
}

void *dbus_connection_pop_message(void *conn UNUSED)
{
	return NULL;
}

dbus_bool_t dbus_connection_read_write(void *conn UNUSED, int timeout UNUSED)
{
	return 0;
}

dbus_bool_t dbus_connection_send(void *conn UNUSED, void *msg UNUSED, void *serial UNUSED)
{
	return 0;
}

void dbus_connection_set_max_received_size(void *conn UNUSED, long size UNUSED)
{
}

void dbus_connection_unref(void *conn UNUSED)
{
}

void dbus_error_free(void *error UNUSED)
{
}

dbus_bool_t dbus_error_is_set(const void *error UNUSED)
{
	return 0;
}

void dbus_free(void *memory UNUSED)
{
}

void *dbus_message_demarshal(const char *str UNUSED, int len UNUSED, void *error UNUSED)
{
	return NULL;
}

dbus_bool_t dbus_message_is_signal(void *msg UNUSED, const char *iface UNUSED,
				   const char *name UNUSED)
{
	return 0;
}

dbus_bool_t dbus_message_marshal(void *msg UNUSED, char **out UNUSED, int *len UNUSED)
{
	return 0;
}

void dbus_message_unref(void *msg UNUSED)
{
}
