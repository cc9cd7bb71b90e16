#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Host-side tests of `pgenc run`, `pgenc ctl` and `pgenc dump` (no KVM
# needed; tests/cli/vmm/vm.sh runs them for real in the test VM):
#   - the control protocol's parser, writer and base64 under ASan and
#     UBSan (test_ctl_proto.c);
#   - its libFuzzer target (tests/cli/fuzz_ctl_proto.c) for a bounded time
#     when clang can link -fsanitize=fuzzer (else a SKIP);
#   - bad arguments of run, ctl and dump: each exit code and message,
#     against the transcript tests/cli/vmm.cram (--regenerate);
#   - clients against sockets that are absent or not pgenc servers;
#   - migrate's progress line on a pseudo-terminal, its summary line;
#   - the dump's progress bar: on a pseudo-terminal (python3 pty) with -o
#     after half a second, never with stderr a file, nor without -o.
# Prints TAP, then "N passed, N failed, N skipped"; exits 1 on a failure.
#
# Usage: tests/cli/vmm/run.sh [--regenerate]
# Environment: PGENC=path (no build), BUILD,
#   PGENC_FUZZ_SECONDS (default 10; 0 skips the fuzzer), CC (gcc),
#   FUZZ_CC (clang).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../cli_lib.sh
. "$here/../cli_lib.sh"
# shellcheck source=tests/cli/transcript.sh
. "$here/../transcript.sh"
t_driver vmm "$@"
PGENC=$(realpath "$PGENC")

# --- the protocol library -------------------------------------------------
san=("-fsanitize=address,undefined" -fno-sanitize-recover=all)
if make -C "$here/.." O="$cli_out" CC="${CC:-gcc}" EXTRA_CFLAGS="${san[*]}" test_ctl_proto \
	>"$cli_out/test_ctl_proto.log" 2>&1; then
	if "$cli_out/test_ctl_proto" >"$cli_out/test_ctl_proto.tap" 2>&1; then
		ok "ctl_proto unit tests under ASan/UBSan ($(grep -c '^ok' "$cli_out/test_ctl_proto.tap") checks)"
	else
		notok "ctl_proto unit tests under ASan/UBSan" \
			"$(grep -v '^ok' "$cli_out/test_ctl_proto.tap" | head -30)"
	fi
else
	notok "ctl_proto unit tests build" "$(head -30 "$cli_out/test_ctl_proto.log")"
fi

secs=${PGENC_FUZZ_SECONDS:-10}
fcc=${FUZZ_CC:-clang}
fz=$cli_out/fuzz
mkdir -p "$fz/corpus" "$fz/artifacts"
if [[ $secs == 0 ]]; then
	skip "fuzz_ctl_proto" "PGENC_FUZZ_SECONDS=0"
elif ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' |
	"$fcc" -fsanitize=fuzzer -x c -o "$fz/probe" - >/dev/null 2>&1; then
	skip "fuzz_ctl_proto" "$fcc cannot link -fsanitize=fuzzer (clang, libclang-rt-14-dev)"
elif ! make -C "$here/.." O="$fz" CC="$fcc" EXTRA_CFLAGS="-fsanitize=fuzzer ${san[*]}" \
	fuzz_ctl_proto >"$fz/build.log" 2>&1; then
	notok "fuzz_ctl_proto builds" "$(head -30 "$fz/build.log")"
else
	# Seeds: every request the VM scenario sends, and a response.
	grep -o "'{[^']*}'" "$here/scenario.sh" | tr -d "'" | sort -u |
		{ i=0; while IFS= read -r l; do printf '%s' "$l" >"$fz/corpus/seed$i"; i=$((i + 1)); done; }
	printf '{"ok":false,"id":"a\\u00e9","error":"x\\n","errno":22}' >"$fz/corpus/resp"
	printf 'aGVsbG8=' >"$fz/corpus/b64"
	if (cd "$fz" && ./fuzz_ctl_proto -max_total_time="$secs" -max_len=4096 \
		-artifact_prefix="$fz/artifacts/" corpus) >"$fz/run.log" 2>&1; then
		ok "fuzz_ctl_proto: $secs s, $(grep -o 'Done [0-9]* runs' "$fz/run.log" | tail -n1 | cut -d' ' -f2) runs, no property or sanitizer failure"
	else
		notok "fuzz_ctl_proto" "$(tail -30 "$fz/run.log")"
	fi
fi

# --- bad arguments ------------------------------------------------------------
t_run run-help 0 pgenc run --help
t_run run-none 2 pgenc run
t_run run-both 2 pgenc run --demo --image x.bin
t_run run-unknown 2 pgenc run --demo --frobnicate
t_run run-noarg 2 pgenc run --demo --mem
t_run run-extra 2 pgenc run --demo extra
t_run run-mem-small 2 pgenc run --demo --mem 1K
t_run run-mem-odd 2 pgenc run --image x.bin --mem 4097
t_run run-mem-big 2 pgenc run --demo --mem 17G
t_run run-mem-junk 2 pgenc run --demo --mem 64Q
t_run run-demo-mem 2 pgenc run --demo --mem 16M
t_run run-vcpus 2 pgenc run --demo --vcpus 33
t_run run-vcpus0 2 pgenc run --demo --vcpus 0
t_run run-entry 2 pgenc run --demo --entry 0x100000
t_run run-entry-junk 2 pgenc run --image x.bin --entry z
t_run run-image-at 2 pgenc run --image x.bin@12z
t_run run-image-empty 2 pgenc run --image @0x100000
t_run run-verify-nosev 2 pgenc run --demo --verify
t_run run-policy-nosev 2 pgenc run --demo --policy 1
t_run run-verify-notik 2 pgenc run --demo --sev --verify
t_run run-tik-noverify 2 pgenc run --demo --sev --tik 000102030405060708090a0b0c0d0e0f
t_run run-tik-both 2 pgenc run --demo --sev --verify --tik 000102030405060708090a0b0c0d0e0f --tik-file x
t_run run-tik-short 2 pgenc run --demo --sev --verify --tik 0011
t_run run-policy-junk 2 pgenc run --demo --sev --policy 0xg
t_run run-policy-big 2 pgenc run --demo --sev --policy 100000000
t_run run-demo-sevdata 2 pgenc run --demo --sev --sev-data x.bin
t_run run-churn-demo 2 pgenc run --churn --demo
t_run run-churn-mem 2 pgenc run --churn --mem 8M
t_run run-churn-rate-big 2 pgenc run --churn --churn-rate 1025
t_run run-churn-rate-junk 2 pgenc run --churn --churn-rate x
t_run run-churn-rate-nochurn 2 pgenc run --demo --churn-rate 8
t_run run-churn-sevdata 2 pgenc run --churn --sev --sev-data x.bin
t_run run-ctl-empty 2 pgenc run --demo --ctl ''

t_run ctl-help 0 pgenc ctl --help
t_run ctl-none 2 pgenc ctl
t_run ctl-nocmd 2 pgenc ctl "$WORK/sock"
t_run ctl-unknown 2 pgenc ctl "$WORK/sock" reboot
# The socket after the command: said so.
t_run ctl-order 2 pgenc ctl stats "$WORK/sock"
t_run ctl-order-nosock 2 pgenc ctl stats
t_run ctl-stats-opt 2 pgenc ctl "$WORK/sock" stats --verbose
t_run ctl-stats-arg 2 pgenc ctl "$WORK/sock" stats now
t_run ctl-stats-o 2 pgenc ctl "$WORK/sock" stats -o x
t_run ctl-export-fmt 2 pgenc ctl "$WORK/sock" export --format yaml
t_run ctl-export-num 2 pgenc ctl "$WORK/sock" export --num-pages 0
t_run ctl-import-none 2 pgenc ctl "$WORK/sock" import
t_run ctl-export-socket 2 pgenc ctl "$WORK/sock" export --socket "$WORK/other.sock"
t_run ctl-export-socket-prefix 2 pgenc ctl "$WORK/sock" export --sock="$WORK/other.sock"
t_run ctl-export-from 2 pgenc ctl "$WORK/sock" export --from x.ranges
t_run ctl-import-check 2 pgenc ctl "$WORK/sock" import x.ranges --check
t_run ctl-import-socket 2 pgenc ctl "$WORK/sock" import x.ranges --socket "$WORK/other.sock"
t_run ctl-wait-long 2 pgenc ctl "$WORK/sock" wait --timeout 3601
t_run ctl-send-none 2 pgenc ctl "$WORK/sock" send
t_run ctl-send-help 0 pgenc ctl "$WORK/sock" send --help
t_run ctl-send-two 2 pgenc ctl "$WORK/sock" send '{}' '{}'
t_run ctl-quit-arg 2 pgenc ctl "$WORK/sock" quit now
t_run ctl-dump-nolen 2 pgenc ctl "$WORK/sock" dump --gpa 0
t_run ctl-dump-socket 2 pgenc ctl "$WORK/sock" dump --socket "$WORK/other.sock" --gpa 0 --len 16
t_run ctl-absent 1 pgenc ctl "$WORK/sock" stats
t_run ctl-import-absent-file 1 pgenc ctl "$WORK/sock" import "$WORK/nonexistent"

t_run dump-help 0 pgenc dump --help
t_run dump-none 2 pgenc dump
t_run dump-nosock 2 pgenc dump --gpa 0 --len 16
t_run dump-nolen 2 pgenc dump --socket "$WORK/sock" --gpa 0
# --json without -o: the hexdump has stdout, so the report cannot.
t_run dump-json-noout 2 pgenc dump --socket "$WORK/sock" --gpa 0 --len 16 --json
t_run ctl-dump-json-noout 2 pgenc ctl "$WORK/sock" dump --gpa 0 --len 16 --json
t_run dump-len0 2 pgenc dump --socket "$WORK/sock" --gpa 0 --len 0
t_run dump-len-suffix 2 pgenc dump --socket "$WORK/sock" --gpa 0 --len 1T
t_run dump-len-fraction 2 pgenc dump --socket "$WORK/sock" --gpa 0 --len 1.5K
t_run dump-len-junk 2 pgenc dump --socket "$WORK/sock" --gpa 0 --len 4KB
t_run run-mem-fraction 2 pgenc run --demo --mem 1.5G
t_run dump-gpa-junk 2 pgenc dump --socket "$WORK/sock" --gpa 0xzz --len 16
t_run dump-chunk 2 pgenc dump --socket "$WORK/sock" --gpa 0 --len 16 --chunk 100
t_run dump-chunk-big 2 pgenc dump --socket "$WORK/sock" --gpa 0 --len 16 --chunk 32M
t_run dump-wrap 2 pgenc dump --socket "$WORK/sock" --gpa 0xffffffffffffff00 --len 0x200
t_run dump-gpa-2p63 2 pgenc dump --socket "$WORK/sock" --gpa 0x8000000000000000 --len 16
t_run dump-gpa-2p64 2 pgenc dump --socket "$WORK/sock" --gpa 18446744073709551616 --len 16
t_run dump-len-2p64 2 pgenc dump --socket "$WORK/sock" --gpa 0 --len 0x10000000000000000
t_run dump-gpa-len-2p63 2 pgenc dump --socket "$WORK/sock" --gpa 0x7fffffffffffff00 --len 0x200
t_run ctl-export-start-2p63 2 pgenc ctl "$WORK/sock" export --start-gfn 0x8000000000000000
t_run ctl-export-pages-2p64 2 pgenc ctl "$WORK/sock" export --num-pages 18446744073709551616
t_run dump-absent 1 pgenc dump --socket "$WORK/sock" --gpa 0 --len 16

t_run run-incoming-uri 2 pgenc run --incoming ftp:host
t_run run-incoming-tcp 2 pgenc run --incoming tcp:127.0.0.1
t_run run-incoming-port 2 pgenc run --incoming tcp:127.0.0.1:44x
t_run run-incoming-demo 2 pgenc run --incoming unix:"$WORK/in.sock" --demo
t_run run-incoming-policy 2 pgenc run --incoming unix:"$WORK/in.sock" --sev --policy 1
t_run run-incoming-twice 2 pgenc run --incoming file:x --from-file y
t_run run-from-file-empty 2 pgenc run --from-file ''
t_run run-incoming-absent 2 pgenc run --from-file "$WORK/nonexistent"
# Arguments first: a file that cannot be read is a usage error (exit 2)
# before /dev/kvm (exit 3) is opened.
: >"$WORK/img.bin"
t_run run-image-absent 2 pgenc run --image "$WORK/nonexistent"
t_run run-image-absent-at 2 pgenc run --image "$WORK/nonexistent@0x200000"
t_run run-image-dir 2 pgenc run --image "$WORK"
t_run run-sevdata-absent 2 pgenc run --image "$WORK/img.bin" --sev --sev-data "$WORK/nonexistent"
t_run run-tikfile-absent 2 pgenc run --image "$WORK/img.bin" --sev --verify --tik-file "$WORK/nonexistent"
t_run run-ctl-nodir 2 pgenc run --demo --ctl "$WORK/no/such/vm.sock"
t_run run-incoming-nodir 2 pgenc run --incoming file:"$WORK/no/such/vm.img"
t_run migrate-help 0 pgenc migrate --help
t_run migrate-none 2 pgenc migrate
t_run migrate-nouri 2 pgenc migrate "$WORK/sock"
t_run migrate-baduri 2 pgenc migrate "$WORK/sock" http://x
t_run migrate-both 2 pgenc migrate "$WORK/sock" unix:x --to-file y
t_run migrate-extra 2 pgenc migrate "$WORK/sock" unix:x more
t_run migrate-iter0 2 pgenc migrate "$WORK/sock" unix:x --max-iterations 0
t_run migrate-iter-big 2 pgenc migrate "$WORK/sock" unix:x --max-iterations 1001
t_run migrate-unknown 2 pgenc migrate "$WORK/sock" unix:x --live
t_run migrate-absent 1 pgenc migrate "$WORK/sock" unix:x
t_run ctl-migrate-nouri 2 pgenc ctl "$WORK/sock" migrate
t_run ctl-migrate-absent 1 pgenc ctl "$WORK/sock" migrate --to-file x --json

# --- clients against sockets that are not pgenc run ---------------------------
# fake MODE: serve $WORK/fake.sock, one connection, answering one request
# after the clients' first, "version" (as pgenc run: protocol 1).
fake() {
	rm -f "$WORK/fake.sock"
	python3 - "$WORK/fake.sock" "$1" <<-'EOF' &
		import json, socket, sys
		s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
		s.bind(sys.argv[1])
		s.listen(1)
		s.settimeout(20)
		c, _ = s.accept()
		f = c.makefile("rb")
		req = f.readline()
		if json.loads(req) == {"cmd": "version"}:
		    c.sendall(b'{"ok":true,"proto":1,"pgenc":"fake"}\n')
		    req = f.readline()
		if sys.argv[2] == "echo":
		    req = json.loads(req)
		    c.sendall(b'{"ok":false,"error":"asked for gpa %d len %d","errno":22}\n'
		              % (req["gpa"], req["len"]))
		    sys.exit(0)
		reply = {
		    "garbage": b"this is not json\n",
		    "close": b"",
		    "error": b'{"ok":false,"error":"the VM is on fire","errno":5}\n',
		    "nook": b'{"error":"no ok member"}\n',
		    "baddata": b'{"ok":true,"gpa":0,"len":16,"data":"!!!!"}\n',
		}[sys.argv[2]]
		c.sendall(reply)
		c.close()
	EOF
	fake_pid=$!
	for _ in $(seq 50); do
		[[ -S $WORK/fake.sock ]] && break
		sleep 0.1
	done
}
if command -v python3 >/dev/null; then
	fake garbage
	t_run fake-garbage 1 pgenc ctl "$WORK/fake.sock" stats
	wait $fake_pid
	fake close
	t_run fake-close 1 pgenc ctl "$WORK/fake.sock" version
	wait $fake_pid
	fake error
	t_run fake-error 1 pgenc ctl "$WORK/fake.sock" stats
	wait $fake_pid
	fake nook
	t_run fake-nook 1 pgenc ctl "$WORK/fake.sock" quit
	wait $fake_pid
	fake garbage
	t_run fake-send-garbage 1 pgenc ctl "$WORK/fake.sock" send '{"cmd":"stats"}'
	wait $fake_pid
	fake error
	t_run fake-send-error 1 pgenc ctl "$WORK/fake.sock" send '{"cmd":"stats"}'
	wait $fake_pid
	fake error
	t_run fake-migrate-error 1 pgenc migrate "$WORK/fake.sock" unix:x --json
	wait $fake_pid
	fake close
	t_run fake-migrate-close 1 pgenc migrate "$WORK/fake.sock" unix:x
	wait $fake_pid
	# Numbers are decimal or 0x hex: a leading 0 is not octal.
	fake echo
	t_run fake-gpa-decimal 1 pgenc dump --socket "$WORK/fake.sock" --gpa 010 --len 0x10
	wait $fake_pid
	fake echo
	t_run fake-ctl-dump-alias 1 pgenc ctl "$WORK/fake.sock" dump --gpa 0x10 --len 1K
	wait $fake_pid
	fake baddata
	t_run fake-baddata 1 pgenc dump --socket "$WORK/fake.sock" --gpa 0 --len 16 -o "$WORK/out.bin"
	wait $fake_pid
	if [[ -e $WORK/out.bin ]]; then
		notok "a failed dump leaves no partial output file"
	else
		ok "a failed dump leaves no partial output file"
	fi
	rm -f "$WORK/fake.sock"
else
	skip "clients against fake servers" "no python3"
fi

# --- the dump's progress bar ---------------------------------------------------
# bar NAME DELAY [tty|file] PGENC-DUMP-ARGS...: serve dumps on
# $WORK/slow.sock, DELAY seconds a request, and run `pgenc dump` with
# stderr on a pseudo-terminal (tty) or a file; what stderr got goes to
# $cli_out/NAME.err. The bar must appear only with -o, on a terminal,
# once the dump has taken half a second.
bar() {
	local name=$1 delay=$2 mode=$3
	shift 3
	rm -f "$WORK/slow.sock"
	python3 - "$WORK/slow.sock" "$delay" <<-'EOF' &
		import base64, json, socket, sys, time
		s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
		s.bind(sys.argv[1])
		s.listen(1)
		s.settimeout(20)
		c, _ = s.accept()
		f = c.makefile("rwb")
		for line in f:
		    req = json.loads(line)
		    if req["cmd"] == "version":
		        f.write(b'{"ok":true,"proto":1,"pgenc":"fake"}\n')
		        f.flush()
		        continue
		    time.sleep(float(sys.argv[2]))
		    n = req["len"]
		    f.write((json.dumps({"ok": True, "gpa": req["gpa"], "len": n,
		             "data": base64.b64encode(bytes(n)).decode(),
		             "method": "dbg_decrypt", "fw_cmds": 0,
		             "bypassed_pages": (n + 4095) // 4096,
		             "counters": "debugfs"}) + "\n").encode())
		    f.flush()
	EOF
	local srv=$! i
	for i in $(seq 50); do
		[[ -S $WORK/slow.sock ]] && break
		sleep 0.1
	done
	python3 - "$mode" "$cli_out/$name.err" "$PGENC" dump --socket "$WORK/slow.sock" "$@" \
		>"$cli_out/$name.out" <<-'EOF'
		import os, pty, subprocess, sys
		mode, errf, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
		if mode == "file":
		    with open(errf, "wb") as e:
		        sys.exit(subprocess.call(cmd, stderr=e))
		m, s = pty.openpty()
		p = subprocess.Popen(cmd, stderr=s)
		os.close(s)
		got = b""
		while True:
		    try:
		        b = os.read(m, 4096)
		    except OSError:  # EIO: the child closed the terminal
		        break
		    if not b:
		        break
		    got += b
		open(errf, "wb").write(got)
		sys.exit(p.wait())
	EOF
	bar_rc=$?
	kill "$srv" 2>/dev/null
	wait "$srv" 2>/dev/null
}
# has_bar NAME: stderr holds a drawn bar that reached 100%, then erased.
has_bar() {
	grep -qF $'\r[########################################] 100% 64/64 KiB\r\033[K' "$cli_out/$1.err"
}
if command -v python3 >/dev/null; then
	# 4 requests of 0.3 s: the bar is drawn from the 2nd (0.6 s) on.
	bar bar-tty 0.3 tty --gpa 0 --len 64K --chunk 16K -o "$WORK/bar.bin"
	if ((bar_rc == 0)) && has_bar bar-tty &&
		grep -qF '[####################....................]  50% 32/64 KiB' "$cli_out/bar-tty.err" &&
		[[ $(stat -c %s "$WORK/bar.bin") == 65536 ]]; then
		ok "dump -o, stderr a terminal, 1.2 s: the progress bar is drawn to 100% and erased"
	else
		notok "dump -o on a terminal draws the progress bar (exit $bar_rc)" "$(od -c "$cli_out/bar-tty.err" | head -20)"
	fi
	bar bar-file 0.3 file --gpa 0 --len 64K --chunk 16K -o "$WORK/bar.bin"
	if ((bar_rc == 0)) && [[ ! -s $cli_out/bar-file.err ]] &&
		grep -q '^firmware commands issued (DBG_DECRYPT): 0$' "$cli_out/bar-file.out"; then
		ok "dump -o, stderr a file: no progress bar"
	else
		notok "dump -o, stderr a file: no progress bar (exit $bar_rc)" "$(od -c "$cli_out/bar-file.err" | head -20)"
	fi
	bar bar-fast 0 tty --gpa 0 --len 64K --chunk 16K -o "$WORK/bar.bin"
	if ((bar_rc == 0)) && ! grep -qF '[#' "$cli_out/bar-fast.err"; then
		ok "dump -o on a terminal, quicker than 0.5 s: no progress bar"
	else
		notok "dump -o on a terminal, quicker than 0.5 s: no progress bar (exit $bar_rc)" \
			"$(od -c "$cli_out/bar-fast.err" | head -20)"
	fi
	bar bar-hex 0.3 tty --gpa 0 --len 64K --chunk 16K
	if ((bar_rc == 0)) && ! grep -qF '[#' "$cli_out/bar-hex.err" &&
		grep -q '^00010000$' "$cli_out/bar-hex.out"; then
		ok "dump without -o on a terminal: the hexdump, no progress bar"
	else
		notok "dump without -o on a terminal: no progress bar (exit $bar_rc)" \
			"$(od -c "$cli_out/bar-hex.err" | head -20)"
	fi
else
	skip "the dump's progress bar" "no python3"
fi

# --- migrate's progress line ---------------------------------------------------
# mig_progress NAME tty|file: a fake VMM on $WORK/mig.sock answers a
# "migrate" request that asks for progress with two progress lines, then
# the result; `pgenc migrate` runs with stderr on a pseudo-terminal or a
# file. The request goes to $cli_out/NAME.req, stderr to NAME.err.
mig_progress() {
	local name=$1 mode=$2
	rm -f "$WORK/mig.sock"
	python3 - "$WORK/mig.sock" "$cli_out/$name.req" <<-'EOF' &
		import json, socket, sys
		s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
		s.bind(sys.argv[1])
		s.listen(1)
		s.settimeout(20)
		c, _ = s.accept()
		f = c.makefile("rwb")
		line = f.readline()
		if json.loads(line) == {"cmd": "version"}:
		    f.write(b'{"ok":true,"proto":1,"pgenc":"fake"}\n')
		    f.flush()
		    line = f.readline()
		open(sys.argv[2], "wb").write(line)
		req = json.loads(line)
		if req.get("progress"):
		    for i, (sent, dirty, rate) in enumerate([(8192, 300, 3000), (8492, 12, 120)]):
		        f.write((json.dumps({"ok": True, "progress": True, "iteration": i + 1,
		                 "pages_sent": sent, "dirty_pages": dirty, "dirty_rate": rate}) + "\n").encode())
		f.write(b'{"ok":true,"result":"migrated","iterations":2,"pages_plain":8000,'
		        b'"pages_zero":480,"pages_fw":24,"fw_commands":24,"stream_bytes":33000000,'
		        b'"total_ms":900,"downtime_ms":40,"final_pass_pages":12}\n')
		f.flush()
	EOF
	local srv=$! i
	for i in $(seq 50); do
		[[ -S $WORK/mig.sock ]] && break
		sleep 0.1
	done
	python3 - "$mode" "$cli_out/$name.err" "$PGENC" migrate "$WORK/mig.sock" unix:x \
		>"$cli_out/$name.out" <<-'EOF'
		import os, pty, subprocess, sys
		mode, errf, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
		if mode == "file":
		    with open(errf, "wb") as e:
		        sys.exit(subprocess.call(cmd, stderr=e))
		m, s = pty.openpty()
		p = subprocess.Popen(cmd, stderr=s)
		os.close(s)
		got = b""
		while True:
		    try:
		        b = os.read(m, 4096)
		    except OSError:  # EIO: the child closed the terminal
		        break
		    if not b:
		        break
		    got += b
		open(errf, "wb").write(got)
		sys.exit(p.wait())
	EOF
	mig_rc=$?
	kill "$srv" 2>/dev/null
	wait "$srv" 2>/dev/null
}
summary='migrated to unix:x: 2 iteration(s), 8000 plain + 480 zero + 24 firmware pages (24 firmware commands), 33000000 stream bytes, 900 ms total, 40 ms downtime (12 pages in the final pass)'
if command -v python3 >/dev/null; then
	mig_progress mig-tty tty
	if ((mig_rc == 0)) && grep -q '"progress":true' "$cli_out/mig-tty.req" &&
		grep -qF $'\rmigrate: iteration 1: 8192 pages sent, 300 dirty (3000 pages/s)   \rmigrate: iteration 2: 8492 pages sent, 12 dirty (120 pages/s)   \r\n' \
			"$cli_out/mig-tty.err" &&
		[[ $(cat "$cli_out/mig-tty.out") == "$summary" ]]; then
		ok "migrate, stderr a terminal: progress lines, then the summary"
	else
		notok "migrate, stderr a terminal: progress lines, then the summary (exit $mig_rc)" \
			"$(cat "$cli_out/mig-tty.req"; od -c "$cli_out/mig-tty.err" | head -20; cat "$cli_out/mig-tty.out")"
	fi
	mig_progress mig-file file
	if ((mig_rc == 0)) && ! grep -q '"progress"' "$cli_out/mig-file.req" &&
		[[ ! -s $cli_out/mig-file.err ]] && [[ $(cat "$cli_out/mig-file.out") == "$summary" ]]; then
		ok "migrate, stderr a file: no progress asked or drawn, the summary"
	else
		notok "migrate, stderr a file: no progress (exit $mig_rc)" \
			"$(cat "$cli_out/mig-file.req" "$cli_out/mig-file.err" "$cli_out/mig-file.out")"
	fi
else
	skip "migrate's progress line" "no python3"
fi

t_close
cli_summary
