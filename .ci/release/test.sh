#!/usr/bin/env bash
# test.sh is `make test-release` (docs/release.md). Through `make dist` itself it
# checks that
#   1. two runs (different umask and TZ) give the same SHA256SUMS, which
#      matches the files, and each zip holds exactly the binary and the payload,
#      sorted, with fixed modes and times;
#   2. the winget and scoop manifests carry the version, URLs and hashes of the zips;
#   3. with SIGN_PFX and SIGN_PASS_ENV (a throwaway self-signed code-signing
#      certificate) the Windows binaries are signed before they are zipped and
#      hashed, `osslsigncode verify` accepts them against that certificate and
#      rejects an unsigned binary and another certificate, and the password
#      never reaches a command line;
#   4. a wrong password or an unset password variable fails the build.
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

# check_manifests: every placeholder filled, and each URL and hash in the
# winget and scoop manifests names a zip of $1 and is that zip's SHA-256.
check_manifests() {
	local d=$1 f arch url hash n=0
	for f in winget/WrapperDev.Wrapper.yaml winget/WrapperDev.Wrapper.installer.yaml \
		winget/WrapperDev.Wrapper.locale.en-US.yaml scoop/wrapper.json; do
		[ -f "$d/$f" ] || fail "$d/$f is missing"
		! grep -q '{{' "$d/$f" || fail "$d/$f: a placeholder is left"
		[ "${f%%/*}" = scoop ] || grep -qx "PackageVersion: $pkgver" "$d/$f" || fail "$d/$f: PackageVersion is not $pkgver"
	done
	# The installer manifest lists Architecture, InstallerUrl, InstallerSha256 per installer.
	while read -r arch url hash; do
		case $arch in x64) arch=amd64 ;; esac
		[ "$url" = "https://github.com/wrapper-dev/wrapper/releases/download/$version/wrapper-$pkgver-windows-$arch.zip" ] ||
			fail "winget: $arch installer URL is $url"
		[ "${hash,,}" = "$(sha256sum <"$d/${url##*/}" | cut -d' ' -f1)" ] || fail "winget: $arch hash $hash is not ${url##*/}'s"
		n=$((n + 1))
	done < <(awk '/- Architecture:/ {a=$3} /InstallerUrl:/ {u=$2} /InstallerSha256:/ {print a, u, $2}' \
		"$d/winget/WrapperDev.Wrapper.installer.yaml")
	[ "$n" = 2 ] || fail "winget: $n installers, want x64 and arm64"
	local j=$d/scoop/wrapper.json
	jq -e --arg v "$pkgver" '.version == $v and .bin == "wrapper.exe"' "$j" >/dev/null || fail "$j: version or bin wrong"
	for arch in 64bit:amd64 arm64:arm64; do
		url=$(jq -r --arg a "${arch%:*}" '.architecture[$a].url' "$j")
		hash=$(jq -r --arg a "${arch%:*}" '.architecture[$a].hash' "$j")
		[ "${url##*/}" = "wrapper-$pkgver-windows-${arch#*:}.zip" ] || fail "scoop: ${arch%:*} URL is $url"
		[ "$hash" = "$(sha256sum <"$d/${url##*/}" | cut -d' ' -f1)" ] || fail "scoop: ${arch%:*} hash is not ${url##*/}'s"
		jq -e --arg a "${arch%:*}" --arg u "${url//$pkgver/\$version}" '.autoupdate.architecture[$a].url == $u' "$j" >/dev/null ||
			fail "scoop: ${arch%:*} autoupdate URL is not the URL with \$version"
	done
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

# 2. Manifests.
check_manifests "$tmp/a"
ok "winget and scoop manifests name the zips and carry their SHA-256"

# 3. Signing, with a certificate made for this run.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 2 \
	-subj "/CN=wrapper release test" -addext "keyUsage=critical,digitalSignature" \
	-addext "extendedKeyUsage=codeSigning" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/other.key" -out "$tmp/other.pem" -days 2 \
	-subj "/CN=someone else" -addext "extendedKeyUsage=codeSigning" 2>/dev/null
WRAPPER_TEST_PFX_PASS="pfx-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
export WRAPPER_TEST_PFX_PASS
openssl pkcs12 -export -inkey "$tmp/key.pem" -in "$tmp/cert.pem" -out "$tmp/test.pfx" -passout env:WRAPPER_TEST_PFX_PASS
# The shim records each call's arguments and the password file's mode, then
# runs the real tool: the test reads both after the build.
real=$(command -v osslsigncode)
cat >"$tmp/shim" <<EOF
#!/bin/sh
printf '%s\n' "\$*" >>"$tmp/argv"
prev=
for a in "\$@"; do [ "\$prev" = -readpass ] && stat -c '%a %n' "\$a" >>"$tmp/passfiles"; prev=\$a; done
exec "$real" "\$@"
EOF
chmod +x "$tmp/shim"
sign=(SIGN_PFX="$tmp/test.pfx" SIGN_PASS_ENV=WRAPPER_TEST_PFX_PASS)
OSSLSIGNCODE=$tmp/shim dist c "${sign[@]}" || fail "make dist with signing: $(cat "$tmp/c.log")"
for arch in amd64 arm64; do
	exe=$tmp/c/wrapper-windows-$arch.exe
	osslsigncode verify -in "$exe" -CAfile "$tmp/cert.pem" >"$tmp/verify.log" 2>&1 ||
		fail "osslsigncode verify rejects the signed $exe: $(cat "$tmp/verify.log")"
	grep -q 'Signature verification: ok' "$tmp/verify.log" || fail "verify of $exe did not report ok"
	! osslsigncode verify -in "$exe" -CAfile "$tmp/other.pem" >/dev/null 2>&1 ||
		fail "osslsigncode verify accepts $exe against a certificate that did not sign it"
	! osslsigncode verify -in "$tmp/a/wrapper-windows-$arch.exe" -CAfile "$tmp/cert.pem" >/dev/null 2>&1 ||
		fail "osslsigncode verify accepts the unsigned $tmp/a/wrapper-windows-$arch.exe"
done
check_sums "$tmp/c"
check_manifests "$tmp/c"
for t in linux-amd64 linux-arm64; do
	cmp -s "$tmp/a/wrapper-$t" "$tmp/c/wrapper-$t" || fail "signing changed wrapper-$t"
done
ok "signed Windows binaries verify against the test certificate only; zips, SHA256SUMS and manifests carry them"

[ "$(grep -c -- '-readpass' "$tmp/argv")" = 2 ] || fail "osslsigncode was not called once per Windows binary with -readpass"
! grep -qF -- "$WRAPPER_TEST_PFX_PASS" "$tmp/argv" "$tmp/c.log" || fail "the password appears on a command line or in make's output"
while read -r mode path; do
	[ "$mode" = 600 ] || fail "the password file had mode $mode"
	[ ! -e "$path" ] || fail "the password file $path is left behind"
done <"$tmp/passfiles"
[ "$(wc -l <"$tmp/passfiles")" = 2 ] || fail "the shim saw $(wc -l <"$tmp/passfiles") password files, want 2"
ok "the password went through a 0600 file, removed afterwards, never through a command line"

# 4. Failures fail the build.
! WRAPPER_TEST_PFX_PASS=wrong dist d "${sign[@]}" TARGETS=windows/amd64 || fail "make dist signs with a wrong password"
[ ! -e "$tmp/d/SHA256SUMS" ] || fail "a failed signing still wrote SHA256SUMS"
! dist e SIGN_PFX="$tmp/test.pfx" SIGN_PASS_ENV=WRAPPER_TEST_UNSET_PASS TARGETS=windows/amd64 ||
	fail "make dist runs with SIGN_PASS_ENV naming an unset variable"
grep -q 'WRAPPER_TEST_UNSET_PASS: that variable is not set' "$tmp/e.log" || fail "no message for an unset SIGN_PASS_ENV: $(cat "$tmp/e.log")"
ok "a wrong password or an unset SIGN_PASS_ENV fails make dist"
echo "test-release: passed in $((SECONDS - start)) s"
