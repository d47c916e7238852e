#!/usr/bin/env bash
# Installs what `make dist` and `make test-release` use beyond Go (docs/release.md):
# zip and unzip (the archives), osslsigncode (Authenticode signing and its
# verification), openssl (the test's throwaway certificate) and jq (the test
# reads the scoop manifest with it), from Debian's packages. Idempotent:
# returns at once when every tool is there.
set -euo pipefail
exec "$(dirname "$0")/../apt-tools.sh" zip:zip unzip:unzip osslsigncode:osslsigncode openssl:openssl jq:jq
