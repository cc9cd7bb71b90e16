#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The forced-include route header (kernel/svm/sev_route.h) renames, in
# the staged sev.c, every use of each name it #defines: boot_cpu_has,
# cpuid, the PSP entry points, the VMCB's SEV enable bits. A stable
# update of the target kernel that adds such a use would be rerouted
# unseen, so the build compares the uses against the list committed with
# the series' hook patches (kernel/patches/<series>/sev_route.calls, one
# "function name" line per use, sorted; no line numbers, so unrelated
# drift in sev.c does not matter). How the list is made and reviewed:
# Documentation/admin-guide.rst, "Adding a kernel series".
#
# Usage: scripts/check-route.sh [--write] SEV_C LIST [ROUTE_H]
#   SEV_C    the staged (hook-patched) arch/x86/kvm/svm/sev.c
#   LIST     the committed list
#   ROUTE_H  the route header (default kernel/svm/sev_route.h)
#   --write  write LIST from SEV_C instead of comparing (then review it)
#
# A difference is one line on stderr, "check-route: error: ...", naming
# each new and vanished use, and exit 1; usage errors exit 2.
set -euo pipefail
export LC_ALL=C

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
write=0
if [[ ${1:-} == --write ]]; then
	write=1
	shift
fi
[[ $# == 2 || $# == 3 ]] || {
	sed -n '/^# Usage:/,/^#   --write/p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}
sev=$1 list=$2 route=${3:-$REPO/kernel/svm/sev_route.h}

err() {
	echo "check-route: error: $*" >&2
	exit "${2:-1}"
}
[[ -r $sev ]] || err "$sev not readable (the staged sev.c)"
[[ -r $route ]] || err "$route not readable" 2

# The renamed names: every macro the header defines but its guard.
# A trailing "(" marks a function-like one: only its calls count.
names=$(sed -n 's/^#define[[:space:]]\{1,\}\([A-Za-z_][A-Za-z0-9_]*\)\((\{0,1\}\).*/\1\2/p' "$route" |
	grep -v '_H$' | sort -u | tr '\n' ' ')
[[ -n $names ]] || err "$route defines no names"

# Each use in sev.c as "function name": comments, strings and
# preprocessor lines other than a #define's body (whose uses are the
# macro's, "macro:NAME", renamed where it expands) are dropped, then
# braces are followed to name the enclosing function ("-" outside any).
uses() {
	awk -v names="$names" '
	BEGIN {
		n = split(names, a, " ")
		for (i = 1; i <= n; i++) {
			if (substr(a[i], length(a[i])) == "(")
				fn[substr(a[i], 1, length(a[i]) - 1)] = 1
			else
				obj[a[i]] = 1
		}
	}
	# Preprocessor lines and their continuations: only a #define body
	# counts, its uses named "macro:NAME".
	cont {
		cont = /\\$/
		l = $0
		sub(/\\$/, "", l)
		body = body " " l
		if (!cont && mname != "")
			macro()
		next
	}
	!incomment && /^[[:space:]]*#/ {
		cont = /\\$/
		mname = ""
		if (match($0, /^[[:space:]]*#[[:space:]]*define[[:space:]]+[A-Za-z_][A-Za-z0-9_]*/)) {
			mname = substr($0, 1, RLENGTH)
			sub(/.*[[:space:]]/, "", mname)
			body = substr($0, RLENGTH + 1)
			sub(/\\$/, "", body)
			if (!cont)
				macro()
		}
		next
	}
	{
		line = $0
		out = ""
		for (i = 1; i <= length(line); i++) {
			c = substr(line, i, 1)
			d = substr(line, i, 2)
			if (incomment) {
				if (d == "*/") { incomment = 0; i++ }
				continue
			}
			if (quote != "") {
				if (c == "\\") i++
				else if (c == quote) quote = ""
				continue
			}
			if (d == "/*") { incomment = 1; i++; out = out " "; continue }
			if (d == "//") break
			if (c == "\"" || c == "\047") { quote = c; out = out " "; continue }
			out = out c
		}
		scan(out " ")
	}
	function macro(t, i, j, c, tok, q) {
		q = "\047"
		gsub(/\/\*([^*]|\*+[^*\/])*\*+\//, " ", body)
		gsub(/"([^"\\]|\\.)*"/, " ", body)
		gsub(q "([^" q "\\\\]|\\\\.)*" q, " ", body)
		sub(/\/\/.*/, "", body)
		t = body " "
		for (i = 1; i <= length(t); i++) {
			if (substr(t, i, 1) !~ /[A-Za-z_]/)
				continue
			for (j = i + 1; substr(t, j, 1) ~ /[A-Za-z0-9_]/; j++)
				;
			tok = substr(t, i, j - i)
			c = substr(t, j)
			sub(/^[[:space:]]*/, "", c)
			if ((tok in fn && substr(c, 1, 1) == "(") || tok in obj)
				print "macro:" mname " " tok
			i = j - 1
		}
		mname = ""
	}
	# An identifier waits for the next non-blank character, possibly on a
	# later line, to tell a call from a plain use.
	function ident(tok, call) {
		if (depth == 0 && paren == 0 && call && pending == "")
			pending = tok
		if ((tok in fn && call) || tok in obj)
			print (depth ? scope : "-") " " tok
	}
	function scan(s, i, c, j) {
		for (i = 1; i <= length(s); i++) {
			c = substr(s, i, 1)
			if (c ~ /[A-Za-z_]/) {
				for (j = i + 1; substr(s, j, 1) ~ /[A-Za-z0-9_]/; j++)
					;
				if (last != "")
					ident(last, 0)
				last = substr(s, i, j - i)
				i = j - 1
				continue
			}
			if (c ~ /[0-9]/) {
				for (j = i + 1; substr(s, j, 1) ~ /[A-Za-z0-9_.]/; j++)
					;
				i = j - 1
				c = "0"
			}
			if (c ~ /[[:space:]]/)
				continue
			if (last != "") {
				ident(last, c == "(")
				last = ""
			}
			if (c == "(") paren++
			else if (c == ")") paren--
			else if (c == "=" && depth == 0) eq = 1
			else if (c == "{") {
				if (depth++ == 0)
					scope = (pending != "" && !eq) ? pending : "-"
			} else if (c == "}") {
				if (--depth == 0) { pending = ""; eq = 0 }
			} else if (c == ";" && depth == 0) {
				pending = ""; eq = 0
			}
		}
	}
	' "$sev" | sort
}

found=$(uses)
if ((write)); then
	{
		echo "# Uses in the staged sev.c of the names kernel/svm/sev_route.h renames:"
		echo "# \"function name\", one line per use, sorted (scripts/check-route.sh)."
		[[ -z $found ]] || echo "$found"
	} >"$list"
	echo "check-route: wrote $list ($(sed '/^#/d' "$list" | wc -l) uses)"
	exit 0
fi
[[ -r $list ]] || err "no list of renamed calls $list for this series (scripts/check-route.sh --write, then review it)"
want=$(sed '/^#/d; /^[[:space:]]*$/d' "$list" | sort)
new=$(comm -13 <(echo "$want") <(echo "$found") | sed '/^$/d; s/^\(.*\) \(.*\)$/\2 in \1()/' | paste -sd, - | sed 's/,/, /g')
gone=$(comm -23 <(echo "$want") <(echo "$found") | sed '/^$/d; s/^\(.*\) \(.*\)$/\2 in \1()/' | paste -sd, - | sed 's/,/, /g')
if [[ -n $new || -n $gone ]]; then
	msg="sev.c's uses of names that sev_route.h renames differ from $list:"
	[[ -z $new ]] || msg+=" new: $new;"
	[[ -z $gone ]] || msg+=" vanished: $gone;"
	err "$msg review each against kernel/svm/sev_route.h, then update the list (scripts/check-route.sh --write)"
fi
