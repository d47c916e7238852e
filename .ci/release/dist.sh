#!/usr/bin/env bash
# dist.sh is `make dist` (docs/release.md): it cross-builds every target into
# $DIST, signs the Windows binaries when SIGN_PFX is set, packs one zip per
# target, writes $DIST/SHA256SUMS over the zips and binaries, and renders the
# winget and scoop manifests from it (manifests.sh).
#
# Environment (the Makefile passes its variables):
#   GO, VERSION, LDFLAGS  the go command, the version string, the link flags
#   DIST                  output directory (default dist)
#   TARGETS               os/arch list (default: windows and linux, amd64 and arm64)
#   SOURCE_DATE_EPOCH     time stamped on every zip entry (default: the last commit's)
#   SIGN_PFX              PKCS#12 file with the code-signing key and certificate
#   SIGN_PASS_ENV         NAME of the variable holding that file's password
#   SIGN_TIMESTAMP_URL    RFC 3161 time-stamping server (optional)
#   OSSLSIGNCODE          the signing tool (default osslsigncode)
set -euo pipefail
cd "$(dirname "$0")/../.."

GO=${GO:-go}
VERSION=${VERSION:-devel}
LDFLAGS=${LDFLAGS:-}
DIST=${DIST:-dist}
TARGETS=${TARGETS:-windows/amd64 windows/arm64 linux/amd64 linux/arm64}
SIGN_PFX=${SIGN_PFX:-}
SIGN_PASS_ENV=${SIGN_PASS_ENV:-}
SIGN_TIMESTAMP_URL=${SIGN_TIMESTAMP_URL:-}
OSSLSIGNCODE=${OSSLSIGNCODE:-osslsigncode}
HOMEPAGE=${HOMEPAGE:-https://github.com/wrapper-dev/wrapper}
# A zip stores local time in DOS format (2-second steps, 1980 at the
# earliest); the last commit's time makes the entries the same on every
# machine and every run, whatever the files' own mtimes.
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
	SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || echo 315532800)
fi
export TZ=UTC LC_ALL=C

# The package version: a tag's leading v dropped (v1.2.3 → 1.2.3), as winget
# and scoop write versions.
pkgver=${VERSION#v}

work=$(mktemp -d)
# The work directory holds the password file while a binary is signed: it
# goes on every exit, an interrupted one included.
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

die() {
	echo "dist: $*" >&2
	exit 1
}

check_signing() {
	[ -n "$SIGN_PFX" ] || return 0
	[ -r "$SIGN_PFX" ] || die "SIGN_PFX=$SIGN_PFX: not a readable file"
	[[ $SIGN_PASS_ENV =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] ||
		die "SIGN_PASS_ENV must name the environment variable holding the PFX password (got \"$SIGN_PASS_ENV\")"
	[ -n "${!SIGN_PASS_ENV+set}" ] || die "SIGN_PASS_ENV=$SIGN_PASS_ENV: that variable is not set"
	command -v "$OSSLSIGNCODE" >/dev/null || die "$OSSLSIGNCODE not found: run .ci/release/setup.sh"
}

# sign signs one PE file in place. The password goes to osslsigncode through
# a file (-readpass), never on its command line, where every local user could
# read it in /proc/PID/cmdline; mktemp creates the file 0600 and it is gone
# before the next binary is signed.
sign() {
	local exe=$1 pass ts=()
	[ -z "$SIGN_TIMESTAMP_URL" ] || ts=(-ts "$SIGN_TIMESTAMP_URL")
	pass=$(mktemp "$work/pass.XXXXXX")
	printf '%s' "${!SIGN_PASS_ENV}" >"$pass"
	if ! "$OSSLSIGNCODE" sign -pkcs12 "$SIGN_PFX" -readpass "$pass" -h sha256 \
		-n wrapper -i "$HOMEPAGE" "${ts[@]}" -in "$exe" -out "$exe.signed" >"$work/sign.log" 2>&1; then
		rm -f "$pass" "$exe.signed"
		cat "$work/sign.log" >&2
		die "signing $exe failed"
	fi
	rm -f "$pass"
	mv "$exe.signed" "$exe"
	echo "dist: signed $exe"
}

# payload lists the files every zip carries beside the binary: examples/,
# schema/, the README and the licence when the project has one. In a git
# checkout only files git knows or would add count, so editor leftovers stay out.
payload() {
	local f
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files -co --exclude-standard -- examples schema
	else
		find examples schema -type f
	fi | while IFS= read -r f; do
		# git still lists a tracked file deleted from the work tree.
		[ ! -f "$f" ] || echo "$f"
	done
	echo README.md
	local lic found=
	for lic in LICENSE LICENSE.md LICENSE.txt COPYING; do
		if [ -f "$lic" ]; then
			echo "$lic"
			found=1
		fi
	done
	[ -n "$found" ] || echo "dist: the project has no licence file (LICENSE); the zips carry none" >&2
}

# pack writes $DIST/<zip> for one target: the binary and the payload, sorted
# by name, each entry with mode 0755 (the binary) or 0644 and the time
# SOURCE_DATE_EPOCH, no extra fields (-X drops uid/gid and Unix times) and no
# directory entries (-D), so that the same inputs give the same bytes.
pack() {
	local bin=$1 name=$2 zip=$3 dir=$work/stage/${3%.zip} f
	mkdir -p "$dir"
	install -m 0755 "$bin" "$dir/$name"
	for f in "${payload[@]}"; do
		install -D -m 0644 "$f" "$dir/$f"
	done
	find "$dir" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
	(cd "$dir" && find . -type f | sed 's|^\./||' | sort | zip -X -D -q -9 "$work/$zip" -@)
	mv "$work/$zip" "$DIST/$zip"
}

check_signing
mapfile -t payload < <(payload)
mkdir -p "$DIST"
rm -rf "$DIST"/wrapper-* "$DIST/SHA256SUMS" "$DIST/winget" "$DIST/scoop"
files=()
for t in $TARGETS; do
	os=${t%/*} arch=${t#*/} ext=
	[ "$os" = windows ] && ext=.exe
	bin=$DIST/wrapper-$os-$arch$ext
	CGO_ENABLED=0 GOOS=$os GOARCH=$arch "$GO" build -trimpath -ldflags "$LDFLAGS" -o "$bin" ./cmd/wrapper
	if [ "$os" = windows ] && [ -n "$SIGN_PFX" ]; then
		sign "$bin"
	fi
	zip=wrapper-$pkgver-$os-$arch.zip
	pack "$bin" "wrapper$ext" "$zip"
	files+=("${bin##*/}" "$zip")
done
(cd "$DIST" && printf '%s\n' "${files[@]}" | sort | xargs sha256sum >SHA256SUMS.tmp && mv SHA256SUMS.tmp SHA256SUMS)
DIST=$DIST VERSION=$VERSION HOMEPAGE=$HOMEPAGE SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH .ci/release/manifests.sh
ls -l "$DIST"
