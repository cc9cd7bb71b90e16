# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=sh
#
# Helpers for driving the churn guest (`pgenc run --churn`) in the test
# VM's busybox sh, sourced by tests/cli/migrate/scenario.sh and
# bench/migrate.sh (both ship it as /churn-lib.sh).

# poke PID GPA MEM BYTES: write BYTES (printf's escapes) at guest address
# GPA in the memory of `pgenc run` PID through /proc/PID/mem (its
# anonymous mapping of MEM bytes is the guest's memory).
poke() {
	base=
	while read -r range perms _ _ _ path; do
		if [ -n "$path" ] || [ "${perms#rw}" = "$perms" ]; then
			continue
		fi
		lo=$((0x${range%-*}))
		hi=$((0x${range#*-}))
		[ $((hi - lo)) -eq "$3" ] && base=$lo && break
	done <"/proc/$1/maps"
	[ -n "$base" ] || { echo "poke: no guest mapping of $3 bytes in pid $1"; return 1; }
	# shellcheck disable=SC2059 # the bytes are the format
	printf "$4" | dd of="/proc/$1/mem" bs=1 seek=$((base + $2)) conv=notrunc 2>/dev/null
}
# The 8 bytes that hold the guest (boot.h, PGENC_CHURN_HOLD), and zeros.
# shellcheck disable=SC2034 # used by the scripts that source this
HOLD='\110\117\114\104\0\0\0\0'
# shellcheck disable=SC2034
RELEASE='\0\0\0\0\0\0\0\0'

# waitfor FILE ERE: until a line of FILE matches (30 s at most).
waitfor() {
	i=0
	while ! grep -qE "$2" "$1" 2>/dev/null && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}
