#!/bin/sh
# setup.sh prepares the Wine test bed for the Windows build (see docs/windows-testing.md):
# installs Debian's Wine and mingw binutils when missing, builds the stand-in
# bcryptprimitives.dll, creates the prefix ${WINEPREFIX:-<repo>/.wine}, installs the DLL and
# writes the Go build overlay that gotest.sh uses. Idempotent and quick when everything is in
# place. Run as root on Debian (CI does); needs go on PATH.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
WINEPREFIX=${WINEPREFIX:-$repo/.wine}
export WINEPREFIX WINEDEBUG=-all WINEARCH=win64
# No .NET or HTML engine is needed; without this wineboot tries to install wine-mono/gecko.
export WINEDLLOVERRIDES="mscoree,mshtml="

# 1. Packages. `wine` provides the wine command; wine64 the 64-bit loader (Wine here is
# x86-64 only, so Windows tests run the amd64 build).
missing=
for p in wine wine64 binutils-mingw-w64-x86-64; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q ' installed$' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "setup: installing$missing"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
	echo "setup: packages present"
fi

# 2. Prefix. wineboot's background processes (wineserver, services.exe, ...) inherit the
# caller's stdio, so it gets /dev/null or a caller's pipe would never see EOF.
if [ ! -f "$WINEPREFIX/system.reg" ]; then
	echo "setup: creating prefix $WINEPREFIX"
	mkdir -p "$WINEPREFIX"
	wine wineboot -i </dev/null >/dev/null 2>&1
	# Wait until the registry is written (the server exits a few seconds after wineboot).
	wineserver -w </dev/null >/dev/null 2>&1
else
	echo "setup: prefix $WINEPREFIX present"
fi

# 2b. Wine's null graphics driver: there is no X display here, and without a driver Wine
# creates no windows at all, so the WM_CLOSE step of the stop ladder could not be tested.
if ! grep -q '"Graphics"="null"' "$WINEPREFIX/user.reg" 2>/dev/null; then
	wine reg add 'HKCU\Software\Wine\Drivers' /v Graphics /d null /f </dev/null >/dev/null 2>&1
	wineserver -w </dev/null >/dev/null 2>&1
	echo "setup: null graphics driver set"
fi

# 3. Stand-in DLL, rebuilt every time (milliseconds) and installed only when it differs.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
x=x86_64-w64-mingw32
$x-as -o "$tmp/prng.o" "$here/bcryptprimitives.s"
$x-dlltool -d "$here/advapi32.def" -l "$tmp/libadvapi32.a"
# -s (dlltool names its members randomly) and --no-insert-timestamp keep the output
# byte-identical between builds, so cmp can tell whether the installed copy is current.
$x-ld -s -shared --no-insert-timestamp -e DllMain -o "$tmp/bcryptprimitives.dll" \
	"$tmp/prng.o" "$here/bcryptprimitives.def" "$tmp/libadvapi32.a"
dst="$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"
if cmp -s "$tmp/bcryptprimitives.dll" "$dst"; then
	echo "setup: bcryptprimitives.dll up to date"
else
	cp "$tmp/bcryptprimitives.dll" "$dst"
	echo "setup: installed $dst"
fi

# 4. Go overlay for tests. Go >= 1.25 removes trees (os.RemoveAll, so t.TempDir's cleanup)
# with NtSetInformationFile(FileDispositionInformationEx); Wine 8.0 answers
# STATUS_NOT_IMPLEMENTED (0xC0000002), for which Go has no fallback, so every test using
# t.TempDir fails. The overlay adds that status to Go's fallback list, for test builds only.
command -v go >/dev/null || { echo "setup: go is not on PATH" >&2; exit 1; }
src=$(go env GOROOT)/src/internal/syscall/windows/at_windows.go
ovl=$WINEPREFIX/go-overlay
if grep -q FileDispositionInformationEx "$src" && ! grep -q 0xC0000002 "$src"; then
	mkdir -p "$ovl"
	sed 's/^\(\t*\)STATUS_NOT_SUPPORTED: /\1STATUS_NOT_SUPPORTED, NTStatus(0xC0000002): /' \
		"$src" >"$ovl/at_windows.go"
	if cmp -s "$src" "$ovl/at_windows.go"; then
		echo "setup: cannot patch $src for Wine; see docs/windows-testing.md" >&2
		exit 1
	fi
	printf '{"Replace":{"%s":"%s"}}\n' "$src" "$ovl/at_windows.go" >"$ovl/overlay.json"
	echo "setup: Go overlay $ovl/overlay.json"
else
	rm -rf "$ovl"
	echo "setup: this Go needs no overlay"
fi
echo "setup: ready ($(wine --version), $(go env GOVERSION))"
