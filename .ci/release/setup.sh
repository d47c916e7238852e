#!/usr/bin/env bash
# Installs what `make dist` and `make test-release` use beyond Go (docs/release.md):
# zip and unzip (the archives), osslsigncode (Authenticode signing and its
# verification), openssl (the test's throwaway certificate) and jq (the test
# reads the scoop manifest with it), from Debian's packages. Idempotent:
# returns at once when every tool is there.
set -euo pipefail
missing=()
for tool in zip:zip unzip:unzip osslsigncode:osslsigncode openssl:openssl jq:jq; do
	command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool#*:}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "setup.sh: missing ${missing[*]}; installing needs root: sudo apt-get install ${missing[*]}" >&2
	exit 1
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
