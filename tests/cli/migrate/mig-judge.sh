# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Sourced by tests/cli/migrate/vm.sh: judges what mig-scenario.sh left in
# $res (its file names are described there), with vm.sh's helpers (ok,
# notok, skip, json, ok_rounds).
# shellcheck disable=SC2154 # res is vm.sh's

# mj FILE KEY: a key of a `pgenc migrate --json` report ("" if none).
mj() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], ""))' "$1" "$2" 2>/dev/null; }
# rounds_of FILE: the round numbers of FILE's "verify ok" lines.
rounds_of() { sed -n 's/^\[guest\] churn: round \([0-9]*\) verify ok$/\1/p' "$1"; }
# diag NAME: the report and errors of one migration, for a failure.
diag() { cat "$res/$1.json" "$res/$1.err" 2>/dev/null | head -5; }

# --- (a) the guest under migration ----------------------------------------
j=$res/live.json
if [[ $(cat "$res/live.rc") == 0 && $(mj "$j" result) == migrated && $(mj "$j" pages_fw) -gt 0 &&
	$(mj "$j" fw_commands) == "$(mj "$j" pages_fw)" ]]; then
	ok "churn guest migrated while it runs: $(mj "$j" iterations) iteration(s), $(mj "$j" pages_plain) plain + $(mj "$j" pages_zero) zero + $(mj "$j" pages_fw) firmware pages = $(mj "$j" fw_commands) firmware commands, $(mj "$j" final_pass_pages) pages in the final pass"
else
	notok "churn guest migrated while it runs (exit 0, firmware commands = firmware pages)" "$(diag live)"
fi
if [[ $(cat "$res/src.tgt.rc") == 0 ]] && grep -q 'migrated to unix:/tmp/in.sock' "$res/src.out" "$res/src.err"; then
	ok "the source VMM logs the migration and exits 0"
else
	notok "the source VMM logs the migration and exits 0" "rc $(cat "$res/src.tgt.rc"); $(tail -3 "$res/src.err")"
fi
mapfile -t src_r < <(rounds_of "$res/src.out")
mapfile -t tgt_r < <(rounds_of "$res/live.tgt.out")
last=${src_r[-1]:-0}
if ((${#tgt_r[@]} >= 4)) && ((tgt_r[0] >= last + 1 && tgt_r[0] <= last + 2)) &&
	! grep -q 'churn guest:\|FAIL' "$res/live.tgt.out" &&
	[[ ${tgt_r[*]} == "$(seq -s ' ' "${tgt_r[0]}" $((tgt_r[0] + ${#tgt_r[@]} - 1)))" ]]; then
	ok "on the target the guest goes on: rounds ${tgt_r[0]}..${tgt_r[-1]} verify ok (the source's last: $last), no FAIL, no restart"
else
	notok "on the target the guest goes on verifying" "source's last round $last; target: $(grep guest "$res/live.tgt.out" | head -8)"
fi
if [[ $(json "$res/live.stats" state) == running && $(json "$res/live.stats" migration_control) == 1 ]]; then
	ok "the target VM runs, MIGRATION_CONTROL = 1 migrated with the vCPU"
else
	notok "the target VM runs, MIGRATION_CONTROL = 1" "$(cat "$res/live.stats")"
fi

j=$res/again.json
hs=$res/held.stats
enc=$(json "$hs" encrypted_pages) shr=$(json "$hs" shared_pages)
if [[ $(cat "$res/again.rc") == 0 && $(mj "$j" result) == migrated ]]; then
	ok "the held guest migrated again (from the first target)"
else
	notok "the held guest migrated again" "$(diag again)"
fi
if cmp -s "$res/held.bitmap" "$res/again.bitmap" && [[ -s $res/held.bitmap ]]; then
	ok "the target's bitmap equals the source's final bitmap ($shr shared, $enc private pages)"
else
	notok "the target's bitmap equals the source's final bitmap" "$(cmp "$res/held.bitmap" "$res/again.bitmap" 2>&1)"
fi
if [[ $(cat "$res/mem.cmp.rc") == 0 ]] && grep -q "firmware commands issued (DBG_DECRYPT): $enc\$" "$res/again.dump" &&
	grep -q "pages bypassed (shared: copied without the firmware): $shr\$" "$res/again.dump"; then
	ok "every page equal on both ends: $enc private pages through DBG_DECRYPT, $shr shared read directly"
else
	notok "every page equal on both ends" "$(cat "$res/mem.cmp"; cat "$res/again.dump")"
fi
fw=$(mj "$j" pages_fw) cmds=$(mj "$j" fw_commands) recv=$(cat "$res/again.fwcmds")
if [[ $cmds == "$fw" && $recv == "$fw" ]]; then
	ok "firmware commands = private pages sent: $cmds SEND_UPDATE_DATA for $fw private pages, $recv RECEIVE_UPDATE_DATA on the target (its sevsim's count)"
else
	notok "firmware commands = private pages sent" "report: $(cat "$j"); target sevsim commands: $recv"
fi
# Every page went once, and the pages dirtied meanwhile (the final pass:
# page tables' accessed bits, the stack) once more: so no shared page
# went through the firmware if the firmware pages are at most the
# private ones plus those sent again.
resent=$(($(mj "$j" pages_plain) + $(mj "$j" pages_zero) + fw - $(json "$hs" tracked_pages)))
if ((fw >= enc && fw - enc <= resent && resent == $(mj "$j" final_pass_pages))) &&
	[[ $(mj "$j" iterations) == 1 ]]; then
	ok "no shared page through the firmware: $fw firmware pages = the $enc private + at most the $resent sent again in the final pass; $(($(mj "$j" pages_plain) + $(mj "$j" pages_zero))) plain or zero"
else
	notok "no shared page through the firmware" "report: $(cat "$j"); held: $enc private, $shr shared, $(json "$hs" tracked_pages) pages"
fi
mapfile -t a_r < <(rounds_of "$res/again.tgt.out")
if grep -q '^\[guest\] churn: resumed$' "$res/again.tgt.out" && ((${#a_r[@]} >= $(cat "$res/again.before") + 3)) &&
	! grep -q FAIL "$res/again.tgt.out" && [[ $(cat "$res/again.tgt.rc") == 0 ]]; then
	ok "released on the second target, the guest verifies ${#a_r[@]} rounds there in all, no FAIL; quit exits 0"
else
	notok "released on the second target, the guest verifies on" "$(tail -5 "$res/again.tgt.out"; cat "$res/again.tgt.rc")"
fi

# --- (b) tampering and faults -----------------------------------------------
# The target's error each case must give (an ERE), and what the source
# must say where the target cannot (the PDH is the target's own).
fw='RECEIVE_UPDATE_DATA of record [0-9]+ \(FW\).*firmware: '
seq='record [0-9]+ \(FW\).*sequence number [0-9]+, expected'
declare -A want=(
	[flip_packet]="${fw}BAD_MEASUREMENT" [flip_mac]="${fw}BAD_MEASUREMENT"
	[flip_iv]="${fw}BAD_MEASUREMENT" [flip_fwhdr]="$fw"
	[flip_header]="$seq" [flip_offset]='record [0-9]+ \(FW\).*checksum'
	[reorder]="$seq" [dup]="$seq" [drop]="$seq"
	[dup_fixed]='record [0-9]+ \(END\).*counts' [drop_fixed]='record [0-9]+ \(END\).*counts'
	[bad_pdh]='truncated' [truncate]='truncated' [close]='truncated'
)
declare -A src_want=(
	[bad_pdh]='SEND_START.*INVALID_CERTIFICATE' [killed]='Broken pipe|closed|reset'
)
while read -r n; do
	err=$(grep -h 'incoming migration failed' "$res/$n.tgt.err" "$res/$n.tgt.out" 2>/dev/null | head -1)
	src=$(json "$res/$n.src" state)
	why=
	[[ $(cat "$res/$n.rc") == 1 && $(mj "$res/$n.json" result) == failed ]] ||
		why+="pgenc migrate: exit $(cat "$res/$n.rc"), $(diag "$n"); "
	[[ $src == running ]] || why+="source state '$src'; "
	if [[ $n == killed ]]; then
		[[ $(cat "$res/$n.tgt.rc") == 137 ]] || why+="target exit $(cat "$res/$n.tgt.rc"), not killed; "
	else
		[[ $(cat "$res/$n.tgt.rc") != 0 ]] || why+="the target exited 0; "
		[[ $err =~ ${want[$n]} && $err == *"the target VM is destroyed"* ]] ||
			why+="target error '$err' (want /${want[$n]}/); "
		grep -q '^proxy exit 0$' "$res/$n.proxy" || why+="proxy: $(cat "$res/$n.proxy"); "
	fi
	[[ -z ${src_want[$n]:-} || $(mj "$res/$n.json" error) =~ ${src_want[$n]:-} ]] ||
		why+="source error '$(mj "$res/$n.json" error)' (want /${src_want[$n]:-}/); "
	if [[ -z $why ]]; then
		what=$(grep -h '^tamper_proxy: [a-z]' "$res/$n.proxy" | grep -v 'listening\|records:' | head -1 | cut -c15-)
		[[ $n == killed ]] && what="the target killed with SIGKILL during the stream"
		ok "$n ($what): target: ${err#*incoming migration failed: }; source: $(mj "$res/$n.json" error); the source runs on"
	else
		notok "$n: a defined error on the target, the source runs on" "$why$(tail -3 "$res/$n.tgt.err")"
	fi
done <"$res/tamper.cases"
if (($(wc -l <"$res/tamper.cases") == 15)); then
	ok "all 15 tampering and fault cases ran"
else
	notok "all 15 tampering and fault cases ran" "$(cat "$res/tamper.cases")"
fi
j=$res/after.json
mapfile -t f_r < <(rounds_of "$res/after.tgt.out")
if [[ $(cat "$res/after.rc") == 0 && $(mj "$j" result) == migrated && $(cat "$res/victim.tgt.rc") == 0 ]] &&
	((${#f_r[@]} >= 3)) && ! grep -q 'FAIL\|churn guest:' "$res/after.tgt.out"; then
	ok "after the 15 failed attempts the source migrates, and the guest verifies ${#f_r[@]} rounds on the target"
else
	notok "after the failed attempts the source migrates" "$(diag after; tail -3 "$res/after.tgt.out")"
fi
if [[ -e $res/kmemleak ]]; then
	if ! grep -q 'unreferenced object' "$res/kmemleak"; then
		ok "kmemleak: no unreferenced object after the tampering cases"
	else
		notok "kmemleak: no unreferenced object after the tampering cases" "$(head -30 "$res/kmemleak")"
	fi
else
	skip "kmemleak after the tampering cases" "$(cat "$res/kmemleak.absent"); scripts/check-debug.sh runs these cases again on its kmemleak kernel"
fi

# --- (c) NOSEND ------------------------------------------------------------------
if [[ $(cat "$res/nosend_m.rc") == 1 ]] && grep -qi 'POLICY_FAILURE\|NOSEND\|policy' "$res/nosend_m.json" &&
	grep -q 'forward records: DESC [0-9]* SESSION 0 PAGE 0 ZERO 0 FW 0 ' "$res/nosend.proxy" &&
	[[ $(cat "$res/nosend_t.tgt.rc") != 0 && $(cat "$res/nosend.rc") == 0 ]] &&
	(($(rounds_of "$res/nosend.out" | wc -l) >= 3)); then
	ok "NOSEND (policy 0x8): refused ($(mj "$res/nosend_m.json" error)), no page left (the proxy saw none), the guest runs on"
else
	notok "NOSEND (policy 0x8): refused before any page leaves" "$(diag nosend_m; grep records "$res/nosend.proxy"; cat "$res/nosend.rc")"
fi
