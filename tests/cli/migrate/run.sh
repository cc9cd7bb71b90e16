#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The tamper proxy of the migration tests, on the host:
#   - test_tamper.c under ASan/UBSan: each action on a stream built with
#     libpgenc's encoder, checked byte for byte and by libpgenc's decoder;
#   - the static tamper_proxy itself between UNIX and TCP sockets (python3
#     plays source and target): the stream passes unchanged both ways,
#     or reordered, truncated or flipped as asked; an action the stream
#     is too short for exits 1; a bad argument is a usage error.
# Prints TAP, then "N passed, N failed, N skipped"; exits 1 on a failure.
#
# Usage: tests/cli/migrate/run.sh
# Environment: CC (gcc), BUILD.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/cli/cli_lib.sh
. "$here/../cli_lib.sh"

cli_init migrate
san=("-fsanitize=address,undefined" -fno-sanitize-recover=all)
sb=$cli_out/san
if make -C "$cli_repo/tools/lib" O="$sb" SRC="$cli_repo/tools/lib" EXTRA_CFLAGS= static \
	>"$cli_out/lib.log" 2>&1 &&
	make -C "$here/.." O="$sb" CC="${CC:-gcc}" EXTRA_CFLAGS="${san[*]}" test_tamper \
		>>"$cli_out/lib.log" 2>&1; then
	"$sb/test_tamper" >"$cli_out/test_tamper.log" 2>&1
	relay_log "$cli_out/test_tamper.log" $? "ASan/UBSan"
else
	notok "test_tamper builds" "$(tail -30 "$cli_out/lib.log")"
fi

pb=$cli_out/static
if make -C "$cli_repo/tools/lib" O="$pb" SRC="$cli_repo/tools/lib" EXTRA_CFLAGS= static \
	>"$cli_out/proxy.log" 2>&1 &&
	make -C "$here/.." O="$pb" tamper_proxy test_tamper >>"$cli_out/proxy.log" 2>&1 &&
	"$pb/test_tamper" --write "$cli_out/stream" >"$cli_out/stream.txt"; then
	ok "tamper_proxy builds (static); a stream to send: $(cat "$cli_out/stream.txt")"
else
	notok "tamper_proxy builds" "$(tail -30 "$cli_out/proxy.log")"
	cli_summary
fi
proxy=$pb/tamper_proxy

# The two ends, in python3: "target ADDR FILE" keeps what it receives in
# FILE and answers REPLY; "source ADDR STREAM FILE" sends STREAM and keeps
# the reply in FILE.
ends=$(
	cat <<'EOF'
import socket, sys
def sock(a, server):
    if a.startswith("unix:"):
        s = socket.socket(socket.AF_UNIX)
        addr = a[5:]
    else:
        h, p = a[4:].rsplit(":", 1)
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        addr = (h, int(p))
    (s.bind if server else s.connect)(addr)
    return s
def drain(c):
    got = b""
    while True:
        try:
            b = c.recv(65536)
        except OSError:
            break
        if not b:
            break
        got += b
    return got
if sys.argv[1] == "target":
    s = sock(sys.argv[2], True)
    s.listen(1)
    open(sys.argv[3] + ".ready", "w").close()
    c, _ = s.accept()
    open(sys.argv[3], "wb").write(drain(c))
    try:
        c.sendall(b"REPLY")
    except OSError:
        pass
    c.close()
else:
    s = sock(sys.argv[2], False)
    try:
        s.sendall(open(sys.argv[3], "rb").read())
        s.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    open(sys.argv[4], "wb").write(drain(s))
EOF
)

# relay NAME LISTEN TARGET PROXY-ARGS...: target, proxy, source; NAME.got
# is what the target received, NAME.reply what the source did, NAME.err
# the proxy's log. Sets prc, the proxy's exit status.
relay() {
	local lis=$2 tgt=$3 d=$cli_out/$1 tpid ppid i=0
	shift 3
	rm -f "$cli_out"/*.sock
	python3 -c "$ends" target "$tgt" "$d.got" &
	tpid=$!
	while [[ ! -e $d.got.ready ]] && ((i++ < 100)); do sleep 0.1; done
	"$proxy" "$@" "$lis" "$tgt" >"$d.out" 2>"$d.err" &
	ppid=$!
	i=0
	while ! grep -q listening "$d.out" 2>/dev/null && ((i++ < 100)); do sleep 0.1; done
	python3 -c "$ends" source "$lis" "$cli_out/stream" "$d.reply"
	wait "$ppid"
	prc=$?
	wait "$tpid"
}

u=$cli_out
len=$(stat -c %s "$u/stream")
relay none "unix:$u/l.sock" "unix:$u/t.sock" --none
if ((prc == 0)) && cmp -s "$u/stream" "$u/none.got" && [[ $(cat "$u/none.reply") == REPLY ]] &&
	grep -q "forward records: DESC 1 SESSION 1 PAGE 1 ZERO 1 FW 3 BITMAP 1 VCPU 1 END 1 PDH 0 ACK 0" "$u/none.err"; then
	ok "--none over UNIX sockets: the stream and the reply pass unchanged, the records counted by type"
else
	notok "--none over UNIX sockets" "rc $prc; $(cat "$u/none.err"); got $(stat -c %s "$u/none.got") of $len"
fi

port=$((20000 + RANDOM % 20000))
relay tcp "tcp:127.0.0.1:$port" "tcp:127.0.0.1:$((port + 1))" --fix --type FW --reorder 0
read -ra fw <<<"$(sed 's/.*offsets //' "$u/stream.txt")"
l0=$((fw[1] - fw[0]))
# The second FW record now starts where the first did; the first follows.
if ((prc == 0)) && [[ $(stat -c %s "$u/tcp.got") == "$len" ]] &&
	cmp -s <(head -c "${fw[0]}" "$u/stream") <(head -c "${fw[0]}" "$u/tcp.got") &&
	cmp -s <(tail -c +$((fw[1] + 17)) "$u/stream" | head -c $((l0 - 16))) \
		<(tail -c +$((fw[0] + 17)) "$u/tcp.got" | head -c $((l0 - 16))) &&
	cmp -s <(tail -c +$((fw[0] + 17)) "$u/stream" | head -c $((l0 - 16))) \
		<(tail -c +$((fw[1] + 17)) "$u/tcp.got" | head -c $((l0 - 16))) &&
	grep -q "sent after the next record" "$u/tcp.err" && [[ $(cat "$u/tcp.reply") == REPLY ]]; then
	ok "--fix --type FW --reorder 0 over TCP: the first FW record goes after the second, the reply passes"
else
	notok "--fix --type FW --reorder 0 over TCP" "rc $prc; $(cat "$u/tcp.err")"
fi

relay trunc "unix:$u/l.sock" "unix:$u/t.sock" --truncate 1000
if ((prc == 0)) && [[ $(stat -c %s "$u/trunc.got") == 1000 ]] &&
	cmp -s <(head -c 1000 "$u/stream") "$u/trunc.got"; then
	ok "--truncate 1000: the target gets the first 1000 bytes, then the connection closes"
else
	notok "--truncate 1000" "rc $prc; $(cat "$u/trunc.err"); got $(stat -c %s "$u/trunc.got")"
fi

relay flip "unix:$u/l.sock" "unix:$u/t.sock" --flip-offset 50
if ((prc == 0)) && [[ $(cmp -l "$u/stream" "$u/flip.got" | awk '{ print $1 - 1 }') == 50 ]]; then
	ok "--flip-offset 50: byte 50 and no other changed"
else
	notok "--flip-offset 50" "rc $prc; $(cat "$u/flip.err")"
fi

relay short "unix:$u/l.sock" "unix:$u/t.sock" --type FW --close 3
if ((prc == 1)) && cmp -s "$u/stream" "$u/short.got" && grep -q "not applied" "$u/short.err"; then
	ok "--close after the 4th FW record of 3: everything passes, exit 1 (not applied)"
else
	notok "--close after the 4th FW record of 3" "rc $prc; $(cat "$u/short.err")"
fi

"$proxy" --flip 1:nonsense "unix:$u/l.sock" "unix:$u/t.sock" >/dev/null 2>"$u/usage.err"
rc=$?
if ((rc == 2)) && grep -q usage "$u/usage.err"; then
	ok "an unknown field is a usage error (exit 2)"
else
	notok "an unknown field is a usage error (exit 2)" "rc $rc"
fi

cli_summary
