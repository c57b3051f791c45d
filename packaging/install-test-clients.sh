#!/usr/bin/env bash
# Installs the npm packages pinned in tests/integration/clients/package.json into a cache
# outside the source tree, where the client-library tests find them through NODE_PATH.
# Does nothing (and needs no network) when the cache already matches the pin.
#
#   cache: ${UKUBE_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ukube-test}/node/node_modules
#   (tests/integration/client_process.h computes the same path)
set -euo pipefail

src="$(cd "$(dirname "$0")/.." && pwd)/tests/integration/clients/package.json"
dir="${UKUBE_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ukube-test}/node"

if cmp -s "$src" "$dir/package.json" && [ -f "$dir/node_modules/@kubernetes/client-node/package.json" ]; then
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "install-test-clients: npm is missing; run packaging/install-deps.sh as root (installs nodejs and npm)" >&2
  exit 1
fi

echo "install-test-clients: npm install into $dir"
# Install beside the cache and swap it in, so an interrupted install never looks complete.
staging="$dir.staging.$$"
trap 'rm -rf "$staging"' EXIT
rm -rf "$staging"
mkdir -p "$staging"
cp "$src" "$staging/package.json"
(cd "$staging" && npm install --no-audit --no-fund --no-package-lock --omit=dev --loglevel=error)
rm -rf "$dir"
mv "$staging" "$dir"
