#!/usr/bin/env bash
# make demo: a veth pair between two namespaces, real traffic replayed from
# the tcpdump corpus at full speed, captured by xskdump into a pcap file; then
# the first packets decoded and the capture rate. Cleans up on every exit.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
[ "$(id -u)" -eq 0 ] || { echo "demo: needs root (namespaces, XDP)" >&2; exit 1; }
corpus=${XSKDUMP_CORPUS:-$root/../shared/corpus/tcpdump}
ns_cap=xskdemo-cap-$$
ns_snd=xskdemo-snd-$$
out=${XSKDUMP_DEMO_OUT:-/tmp/xskdump-demo-$$.pcap}
tmp=$(mktemp -d)
cleanup() {
	[ -n "${cap_pid:-}" ] && kill "$cap_pid" 2>/dev/null || true
	ip netns del "$ns_cap" 2>/dev/null || true
	ip netns del "$ns_snd" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

ip netns add "$ns_cap"
ip netns add "$ns_snd"
ip link add xd0 netns "$ns_cap" type veth peer name xd1 netns "$ns_snd"
for pair in "$ns_cap xd0" "$ns_snd xd1"; do
	set -- $pair
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip netns exec "$1" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1"
	ip -n "$1" link set "$2" up
done

# The corpus as one classic pcap (a few files are pcapng or big-endian).
ls "$corpus"/* | sort > "$tmp/files"
mergecap -a -F pcap -w "$tmp/corpus.pcap" $(cat "$tmp/files")
loops=20
frames=$(capinfos -T -r -c "$tmp/corpus.pcap" | awk -F'\t' '{print $2}')
want=$((frames * loops))

ip netns exec "$ns_cap" "$root/bin/xskdump" -i xd0 -w "$out" -c "$want" --duration 60 \
	2> "$tmp/stderr" &
cap_pid=$!
for _ in $(seq 200); do
	grep -q '^listening on' "$tmp/stderr" && break
	kill -0 "$cap_pid" 2>/dev/null || break
	sleep 0.05
done
head -1 "$tmp/stderr"
echo "sending $want frames ($frames corpus frames x $loops) at full speed with tcpreplay"
ip netns exec "$ns_snd" tcpreplay -q --topspeed --loop "$loops" -i xd1 "$tmp/corpus.pcap" 2>&1 |
	grep -E 'Actual|Rated' || true
wait "$cap_pid" || true
cap_pid=
tail -n +2 "$tmp/stderr"
echo
echo "first packets, decoded by xskdump:"
"$root/.tools/node_modules/.bin/deno" run --quiet --allow-read --allow-env=TZ \
	"$root/tests/demo_print.ts" "$out" 12
echo
echo "pcap written: $out"
