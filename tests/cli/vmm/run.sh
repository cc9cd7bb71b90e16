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
#     against goldens (tests/cli/golden/vmm/; PGENC_GOLDEN_UPDATE=1);
#   - clients against sockets that are absent or not pgenc servers.
# Prints TAP, then "N passed, N failed, N skipped"; exits 1 on a failure.
#
# Usage: tests/cli/vmm/run.sh
# Environment: PGENC=path (no build), BUILD, PGENC_GOLDEN_UPDATE=1,
#   PGENC_FUZZ_SECONDS (default 10; 0 skips the fuzzer), CC (gcc),
#   FUZZ_CC (clang).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../cli_lib.sh
. "$here/../cli_lib.sh"

cli_init vmm
cli_build
PGENC=$(realpath "$PGENC")
pg=$cli_repo/tools/pgenc

# --- the protocol library -------------------------------------------------
san=("-fsanitize=address,undefined" -fno-sanitize-recover=all)
if ${CC:-gcc} -std=c11 -Wall -Wextra -Werror -g -O1 "${san[@]}" -I "$pg" \
	-o "$cli_out/test_ctl_proto" "$here/test_ctl_proto.c" "$pg/ctl_proto.c" \
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
elif ! "$fcc" -std=c11 -Wall -Wextra -Werror -g -O1 -fsanitize=fuzzer "${san[@]}" \
	-I "$pg" -o "$fz/fuzz_ctl_proto" "$cli_repo/tests/cli/fuzz_ctl_proto.c" \
	"$pg/ctl_proto.c" >"$fz/build.log" 2>&1; then
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
golden run-help 0 pgenc run --help
golden run-none 2 pgenc run
golden run-both 2 pgenc run --demo --image x.bin
golden run-unknown 2 pgenc run --demo --frobnicate
golden run-noarg 2 pgenc run --demo --mem
golden run-extra 2 pgenc run --demo extra
golden run-mem-small 2 pgenc run --demo --mem 1K
golden run-mem-odd 2 pgenc run --image x.bin --mem 4097
golden run-mem-big 2 pgenc run --demo --mem 17G
golden run-mem-junk 2 pgenc run --demo --mem 64Q
golden run-demo-mem 2 pgenc run --demo --mem 16M
golden run-vcpus 2 pgenc run --demo --vcpus 33
golden run-vcpus0 2 pgenc run --demo --vcpus 0
golden run-entry 2 pgenc run --demo --entry 0x100000
golden run-entry-junk 2 pgenc run --image x.bin --entry z
golden run-image-at 2 pgenc run --image x.bin@12z
golden run-image-empty 2 pgenc run --image @0x100000
golden run-verify-nosev 2 pgenc run --demo --verify
golden run-policy-nosev 2 pgenc run --demo --policy 1
golden run-verify-notik 2 pgenc run --demo --sev --verify
golden run-tik-noverify 2 pgenc run --demo --sev --tik 000102030405060708090a0b0c0d0e0f
golden run-tik-both 2 pgenc run --demo --sev --verify --tik 000102030405060708090a0b0c0d0e0f --tik-file x
golden run-tik-short 2 pgenc run --demo --sev --verify --tik 0011
golden run-policy-junk 2 pgenc run --demo --sev --policy 0xg
golden run-policy-big 2 pgenc run --demo --sev --policy 100000000
golden run-demo-sevdata 2 pgenc run --demo --sev --sev-data x.bin
golden run-ctl-empty 2 pgenc run --demo --ctl ''

golden ctl-help 0 pgenc ctl --help
golden ctl-none 2 pgenc ctl
golden ctl-nocmd 2 pgenc ctl "$WORK/sock"
golden ctl-unknown 2 pgenc ctl "$WORK/sock" reboot
golden ctl-stats-opt 2 pgenc ctl "$WORK/sock" stats --verbose
golden ctl-stats-arg 2 pgenc ctl "$WORK/sock" stats now
golden ctl-export-fmt 2 pgenc ctl "$WORK/sock" export --format yaml
golden ctl-export-num 2 pgenc ctl "$WORK/sock" export --num-pages 0
golden ctl-import-none 2 pgenc ctl "$WORK/sock" import
golden ctl-wait-long 2 pgenc ctl "$WORK/sock" wait --timeout 3601
golden ctl-send-none 2 pgenc ctl "$WORK/sock" send
golden ctl-quit-arg 2 pgenc ctl "$WORK/sock" quit now
golden ctl-dump-nolen 2 pgenc ctl "$WORK/sock" dump --gpa 0
golden ctl-absent 1 pgenc ctl "$WORK/sock" stats
golden ctl-import-absent-file 1 pgenc ctl "$WORK/sock" import "$WORK/nonexistent"

golden dump-help 0 pgenc dump --help
golden dump-none 2 pgenc dump
golden dump-nosock 2 pgenc dump --gpa 0 --len 16
golden dump-nolen 2 pgenc dump --socket "$WORK/sock" --gpa 0
golden dump-len0 2 pgenc dump --socket "$WORK/sock" --gpa 0 --len 0
golden dump-gpa-junk 2 pgenc dump --socket "$WORK/sock" --gpa 0xzz --len 16
golden dump-chunk 2 pgenc dump --socket "$WORK/sock" --gpa 0 --len 16 --chunk 100
golden dump-chunk-big 2 pgenc dump --socket "$WORK/sock" --gpa 0 --len 16 --chunk 32M
golden dump-wrap 2 pgenc dump --socket "$WORK/sock" --gpa 0xffffffffffffff00 --len 0x200
golden dump-absent 1 pgenc dump --socket "$WORK/sock" --gpa 0 --len 16

# --- clients against sockets that are not pgenc run ---------------------------
# fake MODE: serve $WORK/fake.sock, one connection, answering one request.
fake() {
	rm -f "$WORK/fake.sock"
	python3 - "$WORK/fake.sock" "$1" <<-'EOF' &
		import socket, sys
		s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
		s.bind(sys.argv[1])
		s.listen(1)
		s.settimeout(20)
		c, _ = s.accept()
		c.makefile("rb").readline()
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
	golden fake-garbage 1 pgenc ctl "$WORK/fake.sock" stats
	wait $fake_pid
	fake close
	golden fake-close 1 pgenc ctl "$WORK/fake.sock" version
	wait $fake_pid
	fake error
	golden fake-error 1 pgenc ctl "$WORK/fake.sock" stats
	wait $fake_pid
	fake nook
	golden fake-nook 1 pgenc ctl "$WORK/fake.sock" quit
	wait $fake_pid
	fake baddata
	golden fake-baddata 1 pgenc dump --socket "$WORK/fake.sock" --gpa 0 --len 16 -o "$WORK/out.bin"
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

cli_summary
