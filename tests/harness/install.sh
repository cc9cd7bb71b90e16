# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# scripts/check-install.sh --modversion, the version check of the install
# lane, on fake modules: ELF objects whose .modinfo section holds what
# MODULE_VERSION() would put there (modinfo reads any such file).

id=$(scratch install)
M=$REPO/scripts/check-install.sh
base=$(tr -d ' \n' <"$REPO/VERSION")
echo 'int pgenc_harness_fake;' | gcc -c -x c - -o "$id/empty.o"

# fakemod DIR NAME [VERSION]: DIR/NAME.ko, with that version or none.
fakemod() {
	mkdir -p "$1"
	printf 'license=GPL\0%s' "${3:+version=$3}" >"$id/modinfo"
	printf '\0' >>"$id/modinfo"
	objcopy --add-section .modinfo="$id/modinfo" "$id/empty.o" "$1/$2.ko"
}
# pair NAME KVM_VERSION AMD_VERSION: built/ and updates/ of a case.
pair() {
	fakemod "$id/$1/built" kvm "$2"
	fakemod "$id/$1/built" kvm-amd "$3"
	fakemod "$id/$1/updates" kvm "$2"
	fakemod "$id/$1/updates" kvm-amd "$3"
}
mv_ok() {
	expect "modversion: $1" 0 "$M" --modversion "$id/$2/built" "$id/$2/updates"
	[[ $OUT == "check-install: version $3" ]] || why "want 'check-install: version $3'"
	done_
}
mv_fail() {
	expect "modversion: $1: fails" 1 "$M" --modversion "$id/$2/built" "$id/$2/updates"
	[[ $(wc -l <<<"$OUT") == 1 ]] || why "want one line"
	has "^check-install: error: .*$3"
	done_
}

pair plain "$base" "$base"
mv_ok "VERSION as is" plain "$base"
pair git "$base+g7bf2d64" "$base+g7bf2d64"
mv_ok "VERSION+g<commit>" git "$base+g7bf2d64"
pair dirty "$base+g7bf2d64-dirty" "$base+g7bf2d64-dirty"
mv_ok "VERSION+g<commit>-dirty" dirty "$base+g7bf2d64-dirty"

pair none "" ""
mv_fail "no version on either side" none 'no version'
pair amd_none "$base" ""
mv_fail "kvm-amd.ko without a version" amd_none '.*/kvm-amd\.ko has no version'
pair other 9.9.9 9.9.9
mv_fail "a version other than VERSION" other "has version '9\\.9\\.9'"
pair longer "$base.1" "$base.1"
mv_fail "VERSION with more after it" longer 'has version'
pair split "$base+gaaaa111" "$base+gbbbb222"
mv_fail "kvm.ko and kvm-amd.ko differ" split 'kvm-amd\.ko has version .* but .*/kvm\.ko has'
fakemod "$id/inst/built" kvm "$base+gaaaa111"
fakemod "$id/inst/built" kvm-amd "$base+gaaaa111"
fakemod "$id/inst/updates" kvm "$base+gbbbb222"
fakemod "$id/inst/updates" kvm-amd "$base+gbbbb222"
mv_fail "installed differs from built" inst 'updates/kvm\.ko has version'
pair gone "$base" "$base"
rm "$id/gone/updates/kvm-amd.ko"
mv_fail "an installed module missing" gone 'updates/kvm-amd\.ko missing'
