#!/bin/bash
# Stop a wedged test VM early instead of at the end of the whole-run
# timeout, and say where its vCPUs were.
#
#   watchdog.sh PID STALL_S MONITOR_SOCK OUT_DIR FILE...
#
# Every test already runs under a guest-side timeout, so a VM whose output
# FILEs (console, TAP) have not changed for STALL_S seconds is stuck
# beyond what the guest can recover from (seen: a vCPU spinning inside
# QEMU's nested SVM emulation, where no guest watchdog fires). Then it
# dumps the vCPU state over the QEMU monitor into OUT_DIR/stall.txt,
# writes OUT_DIR/stalled and sends SIGTERM to PID (the `timeout` wrapping
# QEMU, which passes it on).
set -euo pipefail

pid=$1 stall=$2 mon=$3 out=$4
shift 4

# HMP over the monitor socket; python3 is there on Debian, and this is a
# debugging aid only, so without it the dump is just skipped.
dump() {
	command -v python3 >/dev/null || { echo "(no python3: no register dump)"; return; }
	python3 - "$mon" "info cpus" "info registers -a" \
		"cpu 0" "x/8i \$pc" "cpu 1" "x/8i \$pc" <<'EOF' 2>&1 || true
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(3)
def reply():
    buf = b""
    try:
        while not buf.endswith(b"(qemu) "):
            d = s.recv(65536)
            if not d:
                break
            buf += d
    except socket.timeout:
        pass
    return buf.decode(errors="replace")
reply()
for cmd in sys.argv[2:]:
    s.sendall(cmd.encode() + b"\n")
    print("### " + cmd)
    # Drop HMP's echo of the command (line-editing escape sequences).
    lines = reply().replace("\r", "").split("\n")
    print("\n".join(l for l in lines if "\x1b" not in l))
EOF
}

while kill -0 "$pid" 2>/dev/null; do
	sleep 5
	newest=$(stat -c %Y "$@" 2>/dev/null | sort -n | tail -n1)
	if (($(date +%s) - ${newest:-0} >= stall)); then
		dump >"$out/stall.txt"
		echo "$stall" >"$out/stalled"
		kill -TERM "$pid" 2>/dev/null || true
		exit 0
	fi
done
