#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The JSON Schemas of tools/lib/schema/ (installed by libpgenc-dev)
# against real pgenc output (Documentation/admin-guide.rst, "DKMS"):
#  - every --json case of the CLI transcripts (tests/cli/*.cram: outputs
#    recorded from real runs, on the host and in the test VM, and checked
#    against the CLI by their drivers), each against its command's schema;
#  - live runs here: bitmap export -f json, show --json and diff --json
#    of files made here, probe --json of this host;
#  - each schema rejects its first valid document with a member dropped
#    or a wrong type: the check can fail.
# Prints TAP, then "N passed, N failed, N skipped"; exits 1 on a failure.
# Needs python3-jsonschema, for Debian's /usr/bin/python3, named because
# another python3 (pyenv's) may come first in PATH without it.
#
# Usage: tests/schema/run.sh     Environment: PGENC=path (no build), BUILD.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/cli/cli_lib.sh
. "$here/../cli/cli_lib.sh"
cli_init schema
schemas=$cli_repo/tools/lib/schema

if ! /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
	skip "JSON Schemas" "python3-jsonschema is not installed (scripts/deps.sh --test)"
	cli_summary
fi
cli_build

# The cases, judged at the end by one python3 (jsonschema's import is
# slow): case DESC SCHEMA FILE WANT, WANT "valid" or a regex the error
# must match.
descs=() pairs=() wants=()
case_() {
	descs+=("$1")
	pairs+=("$schemas/$2.schema.json"$'\t'"$3")
	wants+=("$4")
}

# The schema of a command line; empty for one with no JSON output.
schema_of() {
	case $1 in
	*"probe --json"*) echo pgenc-probe ;;
	*"bitmap show "*--json*) echo pgenc-bitmap-show ;;
	*"bitmap diff "*--json*) echo pgenc-bitmap-diff ;;
	*" stats --json"*) echo pgenc-ctl-stats ;;
	*"pgenc dump "*--json*) echo pgenc-dump ;;
	*"migrate "*--json*) echo pgenc-migrate ;;
	esac
}

# Transcript cases: "$ CMD", stdout lines after two spaces, "[exit N]".
n=0
first=()
for cram in "$cli_repo"/tests/cli/*.cram; do
	while IFS= read -r -d '' case; do
		cmd=${case%%$'\n'*}
		s=$(schema_of "$cmd")
		[[ -n $s ]] || continue
		f=$cli_out/case$((++n)).json
		sed -n 's/^  //p' <<<"$case" | sed -e "s/@VERSION@/$cli_version/g" \
			-e "s|@WORK@|$WORK|g" >"$f"
		[[ -s $f ]] || continue # an error case: nothing on stdout
		case_ "$(basename "$cram"): ${cmd#\$ } matches $s" "$s" "$f" valid
		[[ " ${first[*]} " == *" $s="* ]] || first+=("$s=$f")
	done < <(awk '/^\$ /{c=$0 "\n"; next} c!="" && /^\[exit/{printf "%s%c", c, 0; c=""; next} c!=""{c=c $0 "\n"}' "$cram")
done
# Every schema of a command's output has a transcript case.
for s in pgenc-probe pgenc-bitmap-show pgenc-bitmap-diff pgenc-ctl-stats pgenc-dump; do
	[[ " ${first[*]} " == *" $s="* ]] || notok "a transcript case for $s" "none in tests/cli/*.cram"
done

# Live runs.
cd "$WORK" || exit 1
printf '0x0-0x9f encrypted\n0xa0-0xbf shared\n0xc0-0x1ff encrypted\n' >a.ranges
printf '0x10-0x8f shared\n0x90-0x20f encrypted\n' >b.ranges
"$PGENC" bitmap export --from a.ranges -f json -o a.json
case_ "bitmap export -f json matches pgenc-bitmap" pgenc-bitmap a.json valid
"$PGENC" bitmap export --from b.ranges -f json >b.json
case_ "bitmap export -f json (stdout) matches pgenc-bitmap" pgenc-bitmap b.json valid
"$PGENC" bitmap show a.json --json >show.json
case_ "bitmap show --json matches pgenc-bitmap-show" pgenc-bitmap-show show.json valid
"$PGENC" bitmap show a.ranges --json --png a.png --limit 1 >show2.json
case_ "bitmap show --json --png --limit matches pgenc-bitmap-show" pgenc-bitmap-show show2.json valid
"$PGENC" bitmap diff a.ranges b.ranges --json >diff.json
case_ "bitmap diff --json (different spans) matches pgenc-bitmap-diff" pgenc-bitmap-diff diff.json valid
"$PGENC" bitmap diff a.ranges a.json --json >same.json
case_ "bitmap diff --json (identical) matches pgenc-bitmap-diff" pgenc-bitmap-diff same.json valid
"$PGENC" probe --json >probe.json
case_ "probe --json of this host matches pgenc-probe" pgenc-probe probe.json valid
first+=("pgenc-bitmap=a.json")

# The schemas can fail: a member dropped, then a wrong type.
for e in "${first[@]}"; do
	s=${e%%=*} f=${e#*=}
	/usr/bin/python3 - "$f" <<'PY' >"$f.drop"
import json, sys
d = json.load(open(sys.argv[1]))
del d[sorted(d)[0]]
print(json.dumps(d))
PY
	/usr/bin/python3 - "$f" <<'PY' >"$f.type"
import json, sys
d = json.load(open(sys.argv[1]))
d[sorted(d)[-1]] = {"not": "this"}
print(json.dumps(d))
PY
	case_ "$s rejects a document missing a member" "$s" "$f.drop" 'is a required property'
	case_ "$s rejects a member of the wrong type" "$s" "$f.type" '.'
done

# One line a case, in order: "valid", or the best error.
mapfile -t got < <(printf '%s\n' "${pairs[@]}" | /usr/bin/python3 -c '
import json, sys, jsonschema
for line in sys.stdin:
    schema_file, doc_file = line.rstrip("\n").split("\t")
    try:
        schema = json.load(open(schema_file))
        jsonschema.Draft202012Validator.check_schema(schema)
        err = jsonschema.exceptions.best_match(
            jsonschema.Draft202012Validator(schema).iter_errors(json.load(open(doc_file))))
        print("valid" if err is None else
              "%s: %s at %s" % (doc_file, err.message, list(err.absolute_path)))
    except Exception as e:  # an unreadable file or schema: the case fails
        print("error: %s: %s" % (doc_file, str(e).replace("\n", " ")))
')
for i in "${!descs[@]}"; do
	g=${got[i]:-no answer from the validator}
	if [[ ${wants[i]} == valid ]]; then
		[[ $g == valid ]] && ok "${descs[i]}" || notok "${descs[i]}" "$g"
	elif [[ $g != valid && $g != error:* && $g =~ ${wants[i]} ]]; then
		ok "${descs[i]}"
	else
		notok "${descs[i]}" "want an error matching /${wants[i]}/, got: $g"
	fi
done
cli_summary
