# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# The lane tables of README.md and Documentation/testing.rst are
# scripts/check.sh's, regenerated (check.sh --lanes-doc): a copy of each,
# regenerated, must equal the file; a stale copy must be rewritten. And
# the comments' pointers to Documentation/ sections name real sections.

ld=$(scratch lanes)
C=$REPO/scripts/check.sh
for f in README.md Documentation/testing.rst; do
	b=${f##*/}
	cp "$REPO/$f" "$ld/$b"
	expect "lanes: $f holds check.sh's lane table (check.sh --lanes-doc $f)" 0 \
		bash -c "'$C' --lanes-doc '$ld/$b' && diff -u '$REPO/$f' '$ld/$b'"
	grep -qE '^(\| |)fuzz ' "$ld/$b" || why "no fuzz row in the table"
	done_
	# A stale table: one row gone, one made up.
	sed -e '/^| fuzz |/d; /^fuzz  /d' -e 's/^| vm |.*/| vm | stale |/' "$REPO/$f" >"$ld/stale.$b"
	cmp -s "$REPO/$f" "$ld/stale.$b" && notok "lanes: the stale copy of $b differs"
	expect "lanes: a stale table in $b is rewritten" 0 \
		bash -c "'$C' --lanes-doc '$ld/stale.$b' && diff -u '$REPO/$f' '$ld/stale.$b'"
	done_
done
# The rows are the lanes check.sh runs, in its order.
rows=$("$C" --lanes md | sed -n 's/^| \([a-z-]*\) | .*/\1/p' | grep -vx lane | paste -sd' ')
expect "lanes: the table's rows are the lanes check.sh runs" 2 "$C" no-such-lane
has "^check: unknown lane no-such-lane \(have: $rows\)\$"
[[ $(wc -w <<<"$rows") -ge 10 ]] || why "rows: $rows"
done_
# shellcheck disable=SC2016 # check.sh's text, not an expansion
if grep -q 'build/check/<lane>\.<n>\.log' "$REPO/Documentation/testing.rst" &&
	grep -q 'log=$logs/$lane\.$n\.log' "$REPO/scripts/check.sh"; then
	ok "lanes: testing.rst names the logs check.sh writes"
else
	notok "lanes: testing.rst names the logs check.sh writes"
fi

# A comment's pointer 'Documentation/<file>.rst, "<title>"' names a section
# title of that file.
expect "docs: each pointer to a Documentation/ section names a section there" 0 \
	git -C "$REPO" grep -hoE 'Documentation/[A-Za-z_-]+\.rst, "[^"]+"' 
while IFS= read -r p; do
	f=${p%%,*} s=${p#*\"} s=${s%\"}
	awk -v s="$s" 'prev == s && /^[=~^*#"-]+$/ { found = 1 } { prev = $0 } END { exit !found }' \
		"$REPO/$f" 2>/dev/null || why "no section \"$s\" in $f"
done <<<"$OUT"
[[ -n $OUT ]] || why "no pointer found"
done_

# A copy of check.sh with no lane's steps: an unknown lane after a known
# one stops it before it runs anything.
mkdir -p "$ld/copy/scripts" "$ld/copy/tests"
cp "$C" "$REPO/scripts/figures.sh" "$ld/copy/scripts/"
cp "$REPO/tests/tap.sh" "$ld/copy/tests/"
expect "lanes: an unknown lane runs no lane" 2 "$ld/copy/scripts/check.sh" unit no-such-lane
has '^check: unknown lane no-such-lane '
[[ $(wc -l <<<"$OUT") == 1 ]] || why "want one line"
[[ ! -e $ld/copy/build/check/unit.1.log ]] || why "the unit lane ran"
done_

# A table with no end line: nothing after it may be lost.
sed '/end of the lane table/d' "$REPO/README.md" >"$ld/noend.md"
cp "$ld/noend.md" "$ld/noend.md.orig"
expect "lanes: --lanes-doc fails on a table with no end line, the file untouched" 1 \
	"$C" --lanes-doc "$ld/noend.md"
has "^check: $ld/noend\.md: "
[[ $(wc -l <<<"$OUT") == 1 ]] || why "want one line"
cmp -s "$ld/noend.md" "$ld/noend.md.orig" || why "the file changed"
cmp -s "$REPO/README.md" "$ld/noend.md" && why "README.md has no end line to drop"
done_
