#!/usr/bin/env bash
# The plugin ABI, checked on the built libraries:
#  1. libukube-core.so exports the plugin-api surface (ukube::..., its RTTI and vtables)
#     and the daemon's entry point, nothing else: kernel internals and std/Boost template
#     code stay inside.
#  2. Every ukube symbol a plugin or an sdk library needs is exported by libukube-core.so
#     or the sdk libraries, so a missing UKUBE_API mark fails here, not when a daemon
#     loads the plugin.
# usage: check_exports.sh <build-lib-dir>
set -euo pipefail
lib=${1:?usage: check_exports.sh <build-lib-dir>}
core=$lib/libukube-core.so
fail=0

defined() { nm -D --defined-only "$@" | awk 'NF == 3 { print $3 }'; }

outside=$(defined "$core" | c++filt |
  grep -Ev '^(ukube::|(typeinfo|typeinfo name|vtable|VTT) for ukube::|construction vtable for .*ukube::|ukube_main$)' || true)
if [ -n "$outside" ]; then
  echo "check_exports: $core exports symbols outside plugin-api (hide them or mark them UKUBE_API on purpose):"
  echo "$outside" | head -20 | sed 's/^/  /'
  fail=1
fi
echo "check_exports: libukube-core.so exports $(defined "$core" | wc -l) symbols"

exported=$(mktemp)
trap 'rm -f "$exported"' EXIT
defined "$core" "$lib"/libukube-machinery.so "$lib"/libukube-runtime.so | sort -u >"$exported"
for so in "$lib"/libukube-runtime.so "$lib"/ukube/plugins/*.so; do
  missing=$(nm -D --undefined-only "$so" | awk '{ print $2 }' | grep -E '5ukube|^ukube_' | sort -u |
    comm -23 - "$exported" | c++filt || true)
  if [ -n "$missing" ]; then
    echo "check_exports: $(basename "$so") needs symbols no ukube library exports (mark them UKUBE_API):"
    echo "$missing" | sed 's/^/  /'
    fail=1
  fi
done
exit $fail
