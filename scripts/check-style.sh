#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Style gates: one TAP line per gate (tests/tap.sh), the offending lines
# of a failed gate under it; exits 1 if any failed.
#
# Usage: scripts/check-style.sh [--lane fast|full] [--gate NAME]...
#   --lane fast   checkpatch, clang-format, shellcheck, uapi, rst (the default;
#                 ~10 s warm)
#   --lane full   those, then W=1 and sparse (they build the modules in
#                 build/style/, apart from the normal build: ~2-3 min cold,
#                 ~1 min warm)
#   --gate NAME   run just this gate (repeatable): checkpatch,
#                 clang-format, shellcheck, uapi, rst, w1, sparse
#
# Gates:
#   checkpatch    checkpatch.pl --strict --no-tree on our kernel files (-f:
#                 kernel/, kernel/svm/, uapi/linux/) and on each hook patch
#                 in kernel/patches/<series>/
#   clang-format  clang-format --dry-run --Werror over our C (kernel/,
#                 uapi/, tools/, tests/, selftests/), with .clang-format
#   "shellcheck"  every tracked *.sh and .ci/run at -S warning (with -x;
#                 the quotes keep shellcheck from reading a directive here)
#   uapi          scripts/check-uapi.sh
#   rst           every Documentation/*.rst parses with docutils, no
#                 warning (a malformed table renders as an error block)
#   w1            scripts/build-modules.sh W=1: no warning in our files, and
#                 no gcc or kernel-doc warning in a hook-patched file that
#                 the same file without the patches does not have
#   sparse        scripts/build-modules.sh C=2 (sparse on every file): the
#                 same rule
#
# checkpatch.pl (with its spelling.txt and const_structs.checkpatch) comes
# from the kernel source tarball ($KSRC_TARBALL, default Debian's
# linux-source-6.1) and is extracted once into build/style/checkpatch/;
# CHECKPATCH=/path/to/checkpatch.pl uses another one. Needs: perl,
# clang-format (>= 14), gcc/g++, and for the full lane sparse and what
# scripts/build-modules.sh needs.
# shellcheck disable=SC2317 # the gates run indirectly, as gate_$g
set -uo pipefail
export LC_ALL=C

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/series.sh
. "$REPO/scripts/series.sh"
BUILD=${BUILD:-$REPO/build}
SB=$BUILD/style # this script's work area, apart from the normal build
# checkpatch's own tarball: the target's (kver.sh sets KSRC_TARBALL from
# the series later, for the gates that build), else 6.1's.
CP_TARBALL=${KSRC_TARBALL:-/usr/src/linux-source-6.1.tar.xz}

usage() {
	sed -n '/^# Usage:/,/^#   --gate NAME/p' "$0" | sed 's/^# \{0,1\}//' >&2
	sed -n '/^#   --gate NAME/{n;p}' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

lane=fast
gates=()
while [[ $# -gt 0 ]]; do
	case $1 in
	--lane) lane=${2:-}; shift 2 || usage ;;
	--lane=*) lane=${1#--lane=}; shift ;;
	--gate) gates+=("${2:-}"); lane=; shift 2 || usage ;;
	-h | --help) usage ;;
	*) usage ;;
	esac
done
if [[ ${#gates[@]} -eq 0 ]]; then
	case ${lane:-fast} in
	fast) gates=(checkpatch clang-format shellcheck uapi rst) ;;
	# w1 before sparse: sparse reuses the tree w1 built, flags and all.
	full) gates=(checkpatch clang-format shellcheck uapi rst w1 sparse) ;;
	*) echo "check-style: unknown lane '$lane' (fast, full)" >&2; exit 2 ;;
	esac
fi
for g in "${gates[@]}"; do
	case $g in
	checkpatch | clang-format | shellcheck | uapi | rst | w1 | sparse) ;;
	*) echo "check-style: unknown gate '$g'" >&2; usage ;;
	esac
done

mkdir -p "$SB/logs"

# Our files, as repo-relative paths.
kernel_files() {
	(cd "$REPO" && ls kernel/*.c kernel/*.h kernel/svm/*.c kernel/svm/*.h \
		uapi/linux/*.h 2>/dev/null)
}
c_files() {
	(cd "$REPO" && find kernel uapi tools tests selftests \
		\( -name build -o -name .git \) -prune -o \
		-type f \( -name '*.c' -o -name '*.h' \) -print 2>/dev/null | sort)
}
# The hook patches of the series asked for (SERIES or KVER), not KVER's
# alone: SERIES=6.12 with no KVER must check 6.12's patches.
series() {
	series_want
}
hook_patches() {
	(cd "$REPO" && ls kernel/patches/"$(series)"/*.patch 2>/dev/null)
}

# The target kernel, for the gates that build (KVER, KDIR, ...).
need_kver() {
	[[ -n ${_kver_done:-} ]] && return 0
	. "$REPO/scripts/kver.sh" || return 1
	_kver_done=1
}

# ---------------------------------------------------------------- checkpatch

# Types ignored everywhere, each for a reason that holds for all our files:
#  - MISSING_SIGN_OFF, FROM_SIGN_OFF_MISMATCH: the hook patches are not
#    mailed anywhere; they are files in this repository, whose own commits
#    carry the authorship. Their From:/Subject: header is only there so
#    that checkpatch reads the commit log part as such.
#  - FILE_PATH_CHANGES: "does MAINTAINERS need updating?" has no meaning
#    out of tree (a hook patch that added a file would trigger it).
cp_ignore_patch=MISSING_SIGN_OFF,FROM_SIGN_OFF_MISMATCH,FILE_PATH_CHANGES
cp_ignore_file=FILE_PATH_CHANGES

# Findings accepted: "path glob|TYPE|text in the message|why".
cp_allow=(
	"uapi/linux/*.h|BIT_MACRO||a uapi header cannot use BIT()/BIT_ULL(); checkpatch skips this check for include/uapi/, a path our headers do not have"
	"uapi/linux/*.h|CAMELCASE|<_Static_assert>|C11's keyword, which a uapi header needs (the kernel's static_assert() is not uapi), is no CamelCase identifier"
)

checkpatch_setup() {
	if [[ -n ${CHECKPATCH:-} ]]; then
		[[ -x $CHECKPATCH || -f $CHECKPATCH ]] || { echo "CHECKPATCH=$CHECKPATCH not found"; return 1; }
		cp_pl=$CHECKPATCH
		return 0
	fi
	command -v perl >/dev/null || { echo "perl is not installed (apt-get install perl)"; return 1; }
	local dir=$SB/checkpatch stamp
	[[ -r $CP_TARBALL ]] || { echo "no $CP_TARBALL (apt-get install linux-source-6.1), or set CHECKPATCH"; return 1; }
	stamp="$CP_TARBALL $(stat -c '%s %Y' "$CP_TARBALL")"
	if [[ ! -f $dir/.stamp || $(cat "$dir/.stamp") != "$stamp" ]]; then
		rm -rf "$dir" "$dir.tmp"
		mkdir -p "$dir.tmp"
		if ! tar xf "$CP_TARBALL" -C "$dir.tmp" --strip-components=1 --wildcards \
			'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
			'*/scripts/const_structs.checkpatch'; then
			echo "cannot extract checkpatch.pl from $CP_TARBALL"
			return 1
		fi
		echo "$stamp" >"$dir.tmp/.stamp"
		mv "$dir.tmp" "$dir"
	fi
	cp_pl=$dir/scripts/checkpatch.pl
	# checkpatch runs in a directory of its own with no .git: in a git
	# tree it would check tracked *.patch files as plain files, and it
	# leaves a .checkpatch-camelcase.* cache in its working directory.
	# With --no-tree it still seeds that cache from <root>/include: an
	# empty one here (nothing is CamelCase merely because the kernel
	# headers use it).
	mkdir -p "$SB/checkpatch-run/include"
}

# Drop the allowed findings from checkpatch output (blank-line separated
# blocks: "TYPE:SUBTYPE: message", "#N: FILE: path:line:", source lines).
cp_filter() { # repo-relative path
	local rel=$1 a
	local -a pats=()
	for a in "${cp_allow[@]}"; do
		IFS='|' read -r path type text _ <<<"$a"
		# shellcheck disable=SC2053 # $path is a glob
		[[ $rel == $path ]] && pats+=("$type|$text")
	done
	awk -v pats="$(printf '%s\n' "${pats[@]}")" '
		BEGIN { RS = ""; n = split(pats, p, "\n") }
		{
			split($0, l, "\n")
			for (i = 1; i <= n; i++) {
				if (p[i] == "") continue
				split(p[i], f, "|")
				if (index(l[1], ":" f[1] ":") && index(l[1], f[2])) next
			}
			print $0 "\n"
		}'
}

gate_checkpatch() {
	checkpatch_setup || return 1
	local run=$SB/checkpatch-run err=$SB/checkpatch-run/stderr
	local -a common=(-q --no-summary --strict --no-tree --root="$run"
		--show-types --color=never)
	local f out nfiles=0 npatches=0 bad=0
	for f in $(kernel_files); do
		nfiles=$((nfiles + 1))
		out=$(cd "$run" && perl "$cp_pl" "${common[@]}" \
			--ignore "$cp_ignore_file" -f "$REPO/$f" 2>"$err" | cp_filter "$f")
		if [[ -s $err ]]; then
			bad=$((bad + 1))
			echo "$f: checkpatch.pl complains:"
			sed 's/^/    /' "$err"
		fi
		if [[ -n $out ]]; then
			bad=$((bad + 1))
			echo "$f:"
			printf '%s\n' "$out" | sed "s|$REPO/||g; s/^/    /"
		fi
	done
	for f in $(hook_patches); do
		npatches=$((npatches + 1))
		out=$(cd "$run" && perl "$cp_pl" "${common[@]}" \
			--ignore "$cp_ignore_patch" - <"$REPO/$f" 2>"$err" | cp_filter "$f")
		if [[ -s $err ]]; then
			bad=$((bad + 1))
			echo "$f: checkpatch.pl complains:"
			sed 's/^/    /' "$err"
		fi
		if [[ -n $out ]]; then
			bad=$((bad + 1))
			echo "$f (line numbers are the patch's, after '#'):"
			printf '%s\n' "$out" | sed 's/^/    /'
		fi
	done
	[[ $nfiles -gt 0 ]] || { echo "no kernel files found"; return 1; }
	summary="$nfiles files, $npatches hook patches"
	[[ $bad -eq 0 ]] && summary+=" clean" || summary+=": $bad with findings"
	[[ $bad -eq 0 ]]
}

# -------------------------------------------------------------- clang-format

gate_clang_format() {
	local cf=${CLANG_FORMAT:-clang-format} ver f bad=0 n=0 d
	command -v "$cf" >/dev/null || { echo "clang-format is not installed (apt-get install clang-format)"; return 1; }
	ver=$("$cf" --version | sed -n 's/.*version \([0-9]*\).*/\1/p')
	[[ ${ver:-0} -ge 14 ]] || { echo "clang-format $ver is too old: .clang-format needs >= 14"; return 1; }
	for f in $(c_files); do
		n=$((n + 1))
		# --style=file:<path>, so a file is judged by our .clang-format
		# wherever it is searched from.
		if ! "$cf" --style="file:$REPO/.clang-format" --dry-run --Werror \
			"$REPO/$f" >/dev/null 2>&1; then
			bad=$((bad + 1))
			d=$("$cf" --style="file:$REPO/.clang-format" "$REPO/$f" |
				diff -u --label "a/$f" --label "b/$f" "$REPO/$f" -)
			echo "$f: $(printf '%s\n' "$d" | grep -c '^-[^-]') lines differ; clang-format -i $f gives:"
			printf '%s\n' "$d" | head -60 | sed 's/^/    /'
			[[ $(printf '%s\n' "$d" | wc -l) -le 60 ]] || echo "    ..."
		fi
	done
	summary="$n files"
	[[ $bad -eq 0 ]] && summary+=" clean" || summary+=": $bad not clang-format clean"
	[[ $bad -eq 0 ]]
}

# ---------------------------------------------------------------- shellcheck

# Every shell script we keep, at warning level (info-level notes are
# advice, not defects).
gate_shellcheck() {
	local files out n
	command -v shellcheck >/dev/null || { echo "shellcheck is not installed (apt-get install shellcheck)"; return 1; }
	mapfile -t files < <(cd "$REPO" && git ls-files '*.sh' .ci/run)
	n=${#files[@]}
	if out=$(cd "$REPO" && shellcheck -x -S warning "${files[@]}" 2>&1); then
		summary="$n scripts clean"
		return 0
	fi
	printf '%s\n' "$out" | head -80
	summary="$n scripts: $(grep -c '^In ' <<<"$out") warnings"
	return 1
}

# ----------------------------------------------------------------------- rst

# Debian's python3 (python3-docutils, deps.sh --test): another python3
# may come first in PATH without docutils.
gate_rst() {
	local files out
	/usr/bin/python3 -c 'import docutils' 2>/dev/null ||
		{ echo "docutils is not installed (apt-get install python3-docutils)"; return 1; }
	mapfile -t files < <(cd "$REPO" && git ls-files 'Documentation/*.rst')
	if out=$(cd "$REPO" && /usr/bin/python3 - "${files[@]}" 2>&1 <<'PY'
import sys
import docutils.core
import docutils.utils
bad = 0
for f in sys.argv[1:]:
    try:
        docutils.core.publish_doctree(
            open(f, encoding="utf-8").read(), source_path=f,
            settings_overrides={"report_level": 2, "halt_level": 2,
                                "warning_stream": sys.stdout})
    except docutils.utils.SystemMessage as e:
        print(e)
        bad += 1
sys.exit(1 if bad else 0)
PY
	); then
		summary="${#files[@]} documents clean"
		return 0
	fi
	printf '%s\n' "$out" | head -60
	summary="${#files[@]} documents: not clean"
	return 1
}

# ---------------------------------------------------------------------- uapi

gate_uapi() {
	local out rc
	out=$("$REPO/scripts/check-uapi.sh" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	summary=$(printf '%s\n' "$out" | grep -E '^check-uapi: (target:|ok|[0-9]+ check)' |
		sed 's/^check-uapi: //' | paste -sd'|' | sed 's/|/; /g')
	return $rc
}

# ---------------------------------------------- W=1 and sparse: shared parts

# Paths of our files in the staged tree ($tree) and back in the repo;
# the ERE quotes the tree's path (6.12's KVER has a "+").
tree_re() {
	printf '%s' "$tree" | sed 's/[][\\.*^$+?(){}|]/\\&/g'
}
ours_re() {
	printf '%s' "$(tree_re)/pgenc/|$(tree_re)/uapi/"
}
to_repo() {
	sed -e "s|$tree/pgenc/|kernel/|g" -e "s|$tree/uapi/|uapi/|g" \
		-e "s|$pristine/\([^ :]*\)|\1 (without the hook patches)|g" \
		-e "s|$tree/||g"
}

# Stock files the hook patches change, relative to the tree ("arch/...").
patched_files() {
	sed -n 's@^+++ b/\([^[:space:]]*\).*@\1@p' "$REPO"/kernel/patches/"$(series)"/*.patch | sort -u
}

# Stock objects that we touch: a hook-patched file goes into them, or our
# files do (a header of ours they include, a forced -include of ours),
# according to kbuild's .cmd files, which list each object's command,
# source and every header it includes.
touched_objs() {
	local pf cmd obj
	pf=$( (patched_files | sed "s|^|$tree/|"; echo "$tree/pgenc/"; echo "$tree/uapi/") )
	while IFS= read -r cmd; do
		obj=$(sed -n '1s/^\(saved\)\{0,1\}cmd_\([^ ]*\) := .*/\2/p' "$cmd")
		[[ -n $obj ]] || continue
		# Line 1 is the command, whose -I options name our dirs for
		# every object: there only a forced -include counts.
		# (No "| grep -q" here: under pipefail its early exit fails.)
		if grep -qF -f <(printf '%s\n' "$pf") <(tail -n +2 "$cmd") ||
			grep -qE -- "-include +($(ours_re))" <(head -1 "$cmd"); then
			echo "$obj"
		fi
	done < <(find "$tree" -path "$tree/pgenc" -prune -o -name '.*.o.cmd' -print | sort)
}

style_build() { # log, extra kbuild arguments...
	local log=$1
	shift
	need_kver || return 1
	tree=$SB/kvm-$KVER
	pristine=$SB/ksrc-kvm-$KVER
	if ! BUILD=$SB "$REPO/scripts/build-modules.sh" "$@" >"$log" 2>&1; then
		echo "scripts/build-modules.sh $* failed (BUILD=$SB); the end of $log:"
		tail -25 "$log" | sed 's/^/    /'
		return 1
	fi
	# The pristine tree is stage-kvm.sh's unpatched copy; the dirs that
	# only the staged tree has (empty here) keep the same -I options
	# valid there: include/trace lets trace.h resolve, and W=1's
	# -Wmissing-include-dirs stays quiet.
	mkdir -p "$pristine/include/trace" "$pristine/pgenc" "$pristine/uapi"
}

# Keys for "is this warning new": file basename, severity, message, and
# any continuation lines (sparse's "expected/got"); no line numbers.
diag_keys() {
	awk '
	function flush() { if (key != "") print key; key = "" }
	match($0, /^[^ :]+:[0-9]+(:[0-9]+)?: (warning|error): /) {
		flush()
		loc = substr($0, 1, RLENGTH)
		msg = substr($0, RLENGTH + 1)
		sev = (loc ~ /error: $/) ? "error" : "warning"
		sub(/:.*/, "", loc)
		n = split(loc, parts, "/")
		key = parts[n] ": " sev ": " msg
		next
	}
	/^[ \t]+[^ \t|]/ && key != "" && $0 !~ /\|/ { key = key " /" $0; next }
	{ flush() }
	END { flush() }'
}

# Full diagnostic lines of $1 (with locations) whose keys are in $2.
diag_lines_for_keys() { # diag file, key file
	awk 'FNR == NR { want[$0]++; next }
	function flush() {
		if (key != "" && want[key] > 0) { want[key]--; printf "%s", blk }
		key = ""; blk = ""
	}
	match($0, /^[^ :]+:[0-9]+(:[0-9]+)?: (warning|error): /) {
		flush()
		loc = substr($0, 1, RLENGTH); msg = substr($0, RLENGTH + 1)
		sev = (loc ~ /error: $/) ? "error" : "warning"
		sub(/:.*/, "", loc); n = split(loc, parts, "/")
		key = parts[n] ": " sev ": " msg; blk = $0 "\n"; next
	}
	/^[ \t]+[^ \t|]/ && key != "" && $0 !~ /\|/ { key = key " /" $0; blk = blk $0 "\n"; next }
	{ flush() }
	END { flush() }' "$2" "$1"
}

# Show a location's source line: "path:line:..." in the staged tree.
show_src() {
	local loc file line
	while IFS= read -r loc; do
		echo "$loc" | to_repo
		file=${loc%%:*}
		line=$(echo "$loc" | cut -d: -f2)
		if [[ -f $file && $line =~ ^[0-9]+$ ]]; then
			printf '      | %s\n' "$(sed -n "${line}p" "$file")"
		fi
	done
}

# ------------------------------------------------------------------------ W=1

# The compile command of an object, from its .cmd file, made to write
# nothing (no object, no dependency file). With "stock", the command for
# the object as the stock kernel builds it: our -include and -I options
# dropped, every other path into the staged tree pointed at the
# unpatched one (stage-kvm.sh's pristine copy).
obj_cmd() { # object, [stock]
	local obj=$1 cmdf c
	cmdf=$(dirname "$obj")/.$(basename "$obj").cmd
	c=$(sed -n '1s/^\(saved\)\{0,1\}cmd_[^ ]* := //p' "$cmdf" | sed 's/;.*//; s/-Wp,-MMD,[^ ]*//; s/ -c -o [^ ]* / -c -o \/dev\/null /')
	if [[ ${2:-} == stock ]]; then
		c=$(printf '%s\n' "$c" | sed -E "s# -include +$tree/(pgenc|uapi)/[^ ]*##g; s# -I *$tree/(pgenc|uapi)[^ ]*##g")
		c=${c//"$tree/"/"$pristine/"}
	fi
	printf '%s\n' "$c"
}

# gcc and kernel-doc diagnostics of one object, cached by everything they
# depend on that can change here (the command, the compiler, the files of
# the tree the object includes).
w1_diags() { # object, [stock]
	local obj=$1 which=${2:-ours} c src key out
	c=$(obj_cmd "$obj" "$which" | sed 's/[[:space:]]*$//')
	src=${c##* }
	key=$({
		echo "$c"
		gcc --version | head -1
		grep -o "$tree/[^ ]*" "$(dirname "$obj")/.$(basename "$obj").cmd" |
			sed "s|^$tree/|$([[ $which == stock ]] && echo "$pristine" || echo "$tree")/|" |
			sort -u | while read -r f; do [[ -f $f ]] && sha256sum "$f"; done
	} | sha256sum | cut -c1-32)
	out=$SB/w1-cache/$key
	if [[ ! -f $out ]]; then
		mkdir -p "$SB/w1-cache"
		{
			(cd "$KDIR" && eval "$c") 2>&1
			"$KDIR/scripts/kernel-doc" -none "$src" 2>&1
		} >"$out.tmp"
		mv "$out.tmp" "$out"
	fi
	cat "$out"
}

gate_w1() {
	local log=$SB/logs/w1-build.log objs obj nours=0 npatched=0 bad=0
	rm -f "$SB"/logs/w1-*.txt
	style_build "$log" W=1 --output-sync=target || return 1

	objs=$(touched_objs)

	# 1. The build's own diagnostics (kbuild -Otarget keeps each object's
	# together, after its "  CC [M]  x.o" line), hook-patched objects
	# aside: a diagnostic counts if it, or its context ("In function
	# 'pgenc_x'", "In file included from .../pgenc/pgenc.h"), is ours.
	# Our objects are always rebuilt (build-modules.sh recopies pgenc/).
	local ours
	# The ERE through ENVIRON: awk -v would eat its backslashes.
	ours=$(OURS_RE=$(ours_re) awk -v skip=" $(echo $objs) " '
		BEGIN { ours = ENVIRON["OURS_RE"] }
		function flush() {
			if (grp != "" && diag && !skipobj && (grp ~ ours || grp ~ /pgenc/) &&
			    !seen[grp]++)
				printf "%s", grp
			grp = ""; diag = 0
		}
		/^  [A-Z0-9_]+( \[M\])? +[^ ]+$/ {
			flush(); skipobj = index(skip, " " $NF " ") > 0; next
		}
		/^In file included from / || /: (In function|At top level)/ {
			if (diag) flush()
			grp = grp $0 "\n"; next
		}
		/^[^ ]+:[0-9]+(:[0-9]+)?: (warning|error): / {
			if (diag) flush()
			grp = grp $0 "\n"; diag = 1; next
		}
		grp != "" { grp = grp $0 "\n" }
		END { flush() }' "$log")
	if [[ -n $ours ]]; then
		bad=$((bad + $(printf '%s\n' "$ours" | grep -cE ': (warning|error): ')))
		echo "W=1 warnings of ours:"
		printf '%s\n' "$ours" | to_repo | head -80 | sed 's/^/  /'
	fi
	nours=$(grep -cE "^  CC \[M\]  $(tree_re)/pgenc/" "$log")

	# 2. Hook-patched objects: compiled with and without the patches.
	for obj in $objs; do
		npatched=$((npatched + 1))
		w1_diags "$obj" >"$SB/logs/w1-patched.$(basename "$obj").txt" &
		w1_diags "$obj" stock >"$SB/logs/w1-pristine.$(basename "$obj").txt" &
		wait
		local p q new
		p=$SB/logs/w1-patched.$(basename "$obj").txt
		q=$SB/logs/w1-pristine.$(basename "$obj").txt
		new=$(comm -23 <(diag_keys <"$p" | sort) <(diag_keys <"$q" | sort))
		if [[ -n $new ]]; then
			bad=$((bad + $(printf '%s\n' "$new" | wc -l)))
			echo "new W=1 warnings in $(echo "$obj" | to_repo) with our changes (vs the stock file):"
			diag_lines_for_keys "$p" <(printf '%s\n' "$new") |
				grep -E ': (warning|error): ' | show_src
		fi
	done
	summary="$nours objects of ours, $npatched stock objects we touch vs stock"
	[[ $bad -eq 0 ]] && summary+=": no warnings" || summary+=": $bad warnings"
	[[ $npatched -gt 0 || -z $(patched_files) ]] ||
		{ summary+="; found no object for the patched files"; return 1; }
	[[ $bad -eq 0 ]]
}

# --------------------------------------------------------------------- sparse

# kbuild runs $(CHECK) $(CHECKFLAGS) $(c_flags) source.c for each object.
# This wrapper runs sparse so, tags its output with the source, and for an
# object that a hook patch touches also runs it on the unpatched tree.
write_sparse_wrapper() {
	cat >"$SB/sparse-wrap" <<'EOF'
#!/usr/bin/env bash
# Generated by scripts/check-style.sh; see write_sparse_wrapper there.
src=${!#}
out=$(sparse "$@" 2>&1)
rc=$?
[[ -z $out ]] || printf '%s\n' "$out" | sed "s|^|@sparse@ $src @ |"
obj=${src%.c}.o
cmdf=$(dirname "$obj")/.$(basename "$obj").cmd
touched=0
if [[ $src != "$PGENC_TREE/pgenc/"* ]]; then
	for f in $PGENC_PATCHED pgenc/ uapi/; do
		[[ $src == "$PGENC_TREE/$f" ]] && touched=1
		# Not line 1, the command: its -I options name our dirs.
		[[ -f $cmdf ]] && tail -n +2 "$cmdf" | grep -qF "$PGENC_TREE/$f" && touched=1
	done
	# A forced -include of ours counts too (its path is an argument).
	for a in "$@"; do
		[[ $a == "$PGENC_TREE/pgenc/"* || $a == "$PGENC_TREE/uapi/"* ]] && touched=1
	done
fi
if [[ $touched -eq 1 ]]; then
	echo "@sparse-tu@ $src @ touched"
	# As the stock kernel would check it: without our -include and -I
	# options, every other path into the unpatched tree.
	args=()
	skip=0
	for a in "$@"; do
		if [[ $skip -eq 1 ]]; then
			skip=0
			[[ $a == "$PGENC_TREE/pgenc"* || $a == "$PGENC_TREE/uapi"* ]] && continue
			args+=("$prev")
		fi
		case $a in
		-include | -I) skip=1; prev=$a; continue ;;
		-I"$PGENC_TREE"/pgenc* | -I"$PGENC_TREE"/uapi*) continue ;;
		esac
		args+=("$a")
	done
	args=("${args[@]//"$PGENC_TREE/"/"$PGENC_PRISTINE/"}")
	sparse "${args[@]}" 2>&1 | sed "s|^|@sparse-base@ $src @ |"
else
	echo "@sparse-tu@ $src @ plain"
fi
exit $rc
EOF
	chmod +x "$SB/sparse-wrap"
}

gate_sparse() {
	local log=$SB/logs/sparse-build.log
	command -v sparse >/dev/null || { echo "sparse is not installed (apt-get install sparse)"; return 1; }
	need_kver || return 1
	tree=$SB/kvm-$KVER
	pristine=$SB/ksrc-kvm-$KVER
	write_sparse_wrapper
	# W=1 as in the w1 gate, so that the tree is not rebuilt: sparse
	# ignores the gcc warning options it does not know.
	PGENC_TREE=$tree PGENC_PRISTINE=$pristine PGENC_PATCHED="$(patched_files | tr '\n' ' ')" \
		style_build "$log" W=1 C=2 CHECK="$SB/sparse-wrap" || return 1

	local srcs src body base new ours bad=0 nsrc=0 npatched=0 re
	re=$(ours_re)
	srcs=$(sed -n 's/^@sparse-tu@ \([^ ]*\) @ .*/\1/p' "$log" | sort -u)
	nsrc=$(printf '%s\n' "$srcs" | grep -c .)
	for src in $srcs; do
		body=$(sed -n "s|^@sparse@ $src @ ||p" "$log")
		if grep -qxF "@sparse-tu@ $src @ touched" "$log"; then
			# A stock object we touch: only what we add counts.
			npatched=$((npatched + 1))
			base=$(sed -n "s|^@sparse-base@ $src @ ||p" "$log")
			new=$(comm -23 <(printf '%s\n' "$body" | diag_keys | sort) \
				<(printf '%s\n' "$base" | sed "s|$pristine/|$tree/|g" | diag_keys | sort))
			if [[ -n $new ]]; then
				bad=$((bad + $(printf '%s\n' "$new" | wc -l)))
				echo "new sparse warnings in $(echo "$src" | to_repo) with our changes (vs the stock file):"
				diag_lines_for_keys <(printf '%s\n' "$body") <(printf '%s\n' "$new") |
					grep -E ': (warning|error): ' | show_src
			fi
			continue
		fi
		# Any other object: warnings in our files; for ours, also those
		# in kernel headers that name a pgenc function.
		if [[ $src == "$tree/pgenc/"* ]]; then
			ours=$(printf '%s\n' "$body" | grep -E ': (warning|error): ' |
				grep -E "$re|pgenc" || true)
		else
			ours=$(printf '%s\n' "$body" | grep -E ': (warning|error): ' |
				grep -E "^($re)" || true)
		fi
		if [[ -n $ours ]]; then
			bad=$((bad + $(printf '%s\n' "$ours" | wc -l)))
			echo "sparse warnings from $(echo "$src" | to_repo):"
			printf '%s\n' "$ours" | show_src
		fi
	done
	summary="$nsrc files checked, $npatched stock files we touch vs stock"
	[[ $bad -eq 0 ]] && summary+=": no warnings of ours" || summary+=": $bad warnings"
	[[ $nsrc -gt 0 ]] || { summary+="; sparse ran on nothing"; return 1; }
	[[ $bad -eq 0 ]]
}

# ---------------------------------------------------------------------- main

lock=$SB/.lock
exec 9>"$lock"
if ! flock -n 9; then
	echo "check-style: waiting for another check-style.sh using $SB"
	flock 9
fi

echo "# check-style: ${lane:+lane $lane: }${gates[*]}"
# shellcheck source=tests/tap.sh
. "$REPO/tests/tap.sh"
t0=$SECONDS
for g in "${gates[@]}"; do
	summary=
	log=$SB/logs/$g.log
	t=$SECONDS
	"gate_${g//-/_}" >"$log" 2>&1
	rc=$?
	dt=$((SECONDS - t))
	if [[ $rc -eq 0 ]]; then
		ok "$g: ${summary:-passed} (${dt} s)"
	elif [[ $rc -eq 77 ]]; then
		skip "$g" "${summary:-skipped}"
	else
		notok "$g: ${summary:-failed} (${dt} s)"
		sed 's/^/#   /' "$log"
	fi
done
echo "# check-style: $((SECONDS - t0)) s; logs in ${SB#"$REPO"/}/logs/"
tap_done
