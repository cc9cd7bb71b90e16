# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# The lane tables of README.md and Documentation/testing.rst list exactly
# scripts/check.sh's lanes, in its order, and each lane has steps.

want=$(sed -n 's/^all_lanes=(\(.*\))$/\1/p' "$REPO/scripts/check.sh")
readme=$(sed -n 's/^| \([a-z-]*\) | .*/\1/p' "$REPO/README.md" | grep -vx lane | paste -sd' ')
# testing.rst: the rows of the table whose header is "lane  what it checks".
rst=$(awk '/^lane +what it checks$/ { t = 1; next }
	t && /^=+ / { if (++rule == 2) exit; next }
	t && /^[a-z]/ { print $1 }' "$REPO/Documentation/testing.rst" | paste -sd' ')

if [[ -n $want && $readme == "$want" ]]; then
	ok "lanes: README.md lists check.sh's lanes"
else
	notok "lanes: README.md lists check.sh's lanes" "check.sh: $want"$'\n'"README:   $readme"
fi
if [[ -n $want && $rst == "$want" ]]; then
	ok "lanes: testing.rst lists check.sh's lanes"
else
	notok "lanes: testing.rst lists check.sh's lanes" "check.sh: $want"$'\n'"rst:      $rst"
fi
# shellcheck disable=SC2016 # check.sh's text, not an expansion
if grep -q 'build/check/<lane>\.<n>\.log' "$REPO/Documentation/testing.rst" &&
	grep -q 'log=$logs/$lane\.$n\.log' "$REPO/scripts/check.sh"; then
	ok "lanes: testing.rst names the logs check.sh writes"
else
	notok "lanes: testing.rst names the logs check.sh writes"
fi
