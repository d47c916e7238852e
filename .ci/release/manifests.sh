#!/usr/bin/env bash
# manifests.sh renders the winget and scoop manifest templates of
# docs/packaging/ into $DIST/winget/ and $DIST/scoop/, taking each Windows
# zip's SHA-256 from $DIST/SHA256SUMS (docs/release.md). dist.sh runs it last.
#
# Environment:
#   DIST               where the zips and SHA256SUMS are (default dist)
#   VERSION            the release's tag or version (a leading v is dropped)
#   HOMEPAGE           the project's page (default https://github.com/wrapper-dev/wrapper)
#   RELEASE_URL        where the zips are published (default $HOMEPAGE/releases/download/$VERSION)
#   LICENSE_NAME       SPDX identifier of the licence (default NOASSERTION: the project has none)
#   SOURCE_DATE_EPOCH  release date (default: now)
set -euo pipefail
cd "$(dirname "$0")/../.."

DIST=${DIST:-dist}
VERSION=${VERSION:?VERSION is required}
HOMEPAGE=${HOMEPAGE:-https://github.com/wrapper-dev/wrapper}
RELEASE_URL=${RELEASE_URL:-$HOMEPAGE/releases/download/$VERSION}
pkgver=${VERSION#v}
templates=docs/packaging

die() {
	echo "manifests: $*" >&2
	exit 1
}

sums=$DIST/SHA256SUMS
[ -f "$sums" ] || die "$sums is missing: run make dist"

# sha returns the hash SHA256SUMS lists for one file name.
sha() {
	awk -v f="$1" '$2 == f || $2 == "*" f { print $1; found = 1 } END { exit !found }' "$sums"
}

# The manifests name both Windows zips; a dist with other TARGETS has nothing to render.
declare -A vars
for arch in amd64 arm64; do
	zip=wrapper-$pkgver-windows-$arch.zip
	if ! hash=$(sha "$zip"); then
		echo "manifests: $zip is not in $sums; winget and scoop manifests not written" >&2
		exit 0
	fi
	ARCH=${arch^^}
	vars[URL_WINDOWS_$ARCH]=$RELEASE_URL/$zip
	vars[SHA256_WINDOWS_$ARCH]=$hash
	# scoop's autoupdate rebuilds the URL for a newer version from this
	# pattern, with $version standing for the version.
	vars[AUTOUPDATE_URL_WINDOWS_$ARCH]=${vars[URL_WINDOWS_$ARCH]//"$pkgver"/'$version'}
done
if [ -z "${LICENSE_NAME:-}" ]; then
	echo "manifests: LICENSE_NAME is not set (the project has no licence file); writing NOASSERTION" >&2
fi
vars[VERSION]=$pkgver
vars[TAG]=$VERSION
vars[HOMEPAGE]=$HOMEPAGE
vars[LICENSE]=${LICENSE_NAME:-NOASSERTION}
vars[RELEASE_DATE]=$(date -u -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}" +%F)

# A value is written into JSON strings and plain YAML scalars as it is; these
# characters would end or change either.
for k in "${!vars[@]}"; do
	case ${vars[$k]} in
	*[\"\\\'\#]* | *": "* | *$'\n'*) die "$k=${vars[$k]}: quotes, backslashes, # and \": \" are not allowed" ;;
	esac
done

# render fills one template; $1 the template, $2 the output, $3 the hash case.
render() {
	local text k v
	text=$(<"$1")
	for k in "${!vars[@]}"; do
		v=${vars[$k]}
		# winget's own tools write hashes in upper case, scoop's in lower case.
		case $k in SHA256_*) [ "$3" = upper ] && v=${v^^} ;; esac
		text=${text//"{{$k}}"/"$v"}
	done
	case $text in *"{{"*) die "$1: a placeholder is left: $(grep -o '{{[A-Z0-9_]*}}' <<<"$text" | head -1)" ;; esac
	mkdir -p "$(dirname "$2")"
	printf '%s\n' "$text" >"$2"
}

rm -rf "$DIST/winget" "$DIST/scoop"
for t in "$templates"/winget/*.yaml; do
	render "$t" "$DIST/winget/${t##*/}" upper
done
render "$templates/scoop/wrapper.json" "$DIST/scoop/wrapper.json" lower
echo "manifests: wrote $DIST/winget/ and $DIST/scoop/ for $pkgver"
