#!/usr/bin/env bash
# test.sh is `make test-release` (docs/release.md). Through `make dist` itself it
# checks that two runs (different umask and TZ) give the same SHA256SUMS,
# which matches the files, and that each zip holds exactly the binary and the
# payload, sorted, with fixed modes and times.
# Run .ci/release/setup.sh first (the Makefile does).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/usr/local/go/bin:$PATH

version=v9.8.7
pkgver=${version#v}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "test-release: FAIL: $*" >&2
	exit 1
}
ok() { echo "test-release: ok: $*"; }

# dist runs `make dist` into $tmp/$1 with the given extra arguments, its
# output kept in $tmp/$1.log.
dist() {
	local out=$1
	shift
	make -s dist DIST="$tmp/$out" VERSION="$version" "$@" >"$tmp/$out.log" 2>&1
}

# expected_entries lists what every zip must hold besides the binary, sorted.
expected_entries() {
	{
		git ls-files -co --exclude-standard -- examples schema | while IFS= read -r f; do
			[ ! -f "$f" ] || echo "$f"
		done
		echo README.md
		for lic in LICENSE LICENSE.md LICENSE.txt COPYING; do
			[ ! -f "$lic" ] || echo "$lic"
		done
		echo "$1"
	} | LC_ALL=C sort
}

# check_zip: entries, order, modes, times and contents of one target's zip.
check_zip() {
	local d=$1 os=$2 arch=$3 ext= zip line
	[ "$os" = windows ] && ext=.exe
	zip=$d/wrapper-$pkgver-$os-$arch.zip
	[ -f "$zip" ] || fail "$zip is missing"
	diff <(expected_entries "wrapper$ext") <(zipinfo -1 "$zip") >"$tmp/diff" ||
		fail "$zip: entries differ from the expected sorted list:$(printf '\n%s' "$(cat "$tmp/diff")")"
	unzip -p "$zip" "wrapper$ext" | cmp -s - "$d/wrapper-$os-$arch$ext" ||
		fail "$zip: wrapper$ext differs from $d/wrapper-$os-$arch$ext"
	while IFS= read -r f; do
		[ "$f" = "wrapper$ext" ] && continue
		unzip -p "$zip" "$f" | cmp -s - "$f" || fail "$zip: $f differs from the checkout's"
	done < <(zipinfo -1 "$zip")
	# zipinfo -T: mode, version, os, size, type, method, yyyymmdd.hhmmss, name.
	# A DOS time has 2-second steps: either neighbour of an odd epoch is right.
	local t0=$((epoch - epoch % 2))
	local want="$(TZ=UTC date -d "@$t0" +%Y%m%d.%H%M%S)|$(TZ=UTC date -d "@$((t0 + 2))" +%Y%m%d.%H%M%S)"
	while read -r mode _ _ _ _ _ stamp name; do
		[[ $stamp =~ ^($want)$ ]] || fail "$zip: $name is dated $stamp, want SOURCE_DATE_EPOCH $epoch"
		local m=-rw-r--r--
		[ "$name" = "wrapper$ext" ] && m=-rwxr-xr-x
		[ "$mode" = "$m" ] || fail "$zip: $name has mode $mode, want $m"
	done < <(TZ=UTC zipinfo -T "$zip" | grep -E '^[-d]r')
}

# check_sums: SHA256SUMS names exactly the eight binaries and zips, in order,
# and every hash in it is right.
check_sums() {
	local d=$1 t want=()
	for t in windows/amd64 windows/arm64 linux/amd64 linux/arm64; do
		local os=${t%/*} arch=${t#*/} ext=
		[ "$os" = windows ] && ext=.exe
		want+=("wrapper-$os-$arch$ext" "wrapper-$pkgver-$os-$arch.zip")
		check_zip "$d" "$os" "$arch"
	done
	diff <(printf '%s\n' "${want[@]}" | LC_ALL=C sort) <(awk '{print $2}' "$d/SHA256SUMS") >/dev/null ||
		fail "$d/SHA256SUMS does not list exactly the binaries and zips, sorted"
	(cd "$d" && sha256sum --quiet --strict -c SHA256SUMS) || fail "$d/SHA256SUMS does not match the files"
}

# 1. Reproducible: the second run differs in umask and time zone, the two
# things a zip picks up from the machine besides the files' mtimes.
epoch=$(git log -1 --format=%ct)
start=$SECONDS
dist a || fail "make dist: $(cat "$tmp/a.log")"
(umask 077 && TZ=Pacific/Kiritimati dist b) || fail "make dist (second run): $(cat "$tmp/b.log")"
cmp -s "$tmp/a/SHA256SUMS" "$tmp/b/SHA256SUMS" ||
	fail "two runs of make dist gave different SHA256SUMS:"$'\n'"$(diff "$tmp/a/SHA256SUMS" "$tmp/b/SHA256SUMS")"
check_sums "$tmp/a"
ok "two runs of make dist give the same SHA256SUMS; it matches the files; each zip holds the binary and payload, sorted, dated $epoch"
if [ "$(uname -m)" = x86_64 ]; then
	unzip -q -d "$tmp/run" "$tmp/a/wrapper-$pkgver-linux-amd64.zip" wrapper
	"$tmp/run/wrapper" version | grep -q "^wrapper $version " || fail "the zipped linux/amd64 binary does not report $version"
	ok "the zipped linux/amd64 binary runs and reports $version"
fi

echo "test-release: passed in $((SECONDS - start)) s"
