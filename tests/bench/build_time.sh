#!/usr/bin/env bash
# The build's two figures on this machine: a clean build (configure + everything `make
# build` builds, ccache off) and the rebuild after an edit of one plugin .cpp, both for the
# plugin alone and for everything that depends on it (`make build`: the plugin and the
# tests linking its objects).
# usage: tests/bench/build_time.sh [SOURCE_DIR] [FILE_TO_TOUCH] [ITS_PLUGIN_TARGET]
set -euo pipefail
src=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
touch_file=${2:-plugins/admission/priority/priority.cpp}
plugin_target=${3:-admission-priority}
jobs=$(nproc)
dir=$(mktemp -d /tmp/ukube-build-time.XXXXXX)
trap 'rm -rf "$dir"' EXIT
export CCACHE_DISABLE=1

seconds() { date +%s.%N; }
cpu() { awk '{ print $14 + $15 + $16 + $17 }' /proc/$$/stat; }  # utime+stime+children, in ticks
hz=$(getconf CLK_TCK)

start=$(seconds)
cmake -S "$src" -B "$dir" -G Ninja >/dev/null
ninja -C "$dir" -j "$jobs" >/dev/null
clean=$(echo "$(seconds) - $start" | bc)
clean_cpu=$(echo "$(cpu) / $hz" | bc)

touch "$src/$touch_file"
start=$(seconds)
ninja -C "$dir" -j "$jobs" "$plugin_target" >/dev/null
one_plugin=$(echo "$(seconds) - $start" | bc)
touch "$src/$touch_file"
start=$(seconds)
ninja -C "$dir" -j "$jobs" >/dev/null
one_all=$(echo "$(seconds) - $start" | bc)

printf 'build_time: %s, %d cores, %s\n' "$(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo '?')" "$jobs" "$(date -u +%FT%TZ)"
printf '  clean build (configure + ninja, ccache off)  %6.0f s wall  %6.0f s CPU\n' "$clean" "$clean_cpu"
printf '  one-file rebuild, %s: plugin only      %6.1f s wall\n' "$touch_file" "$one_plugin"
printf '  one-file rebuild, %s: make build       %6.1f s wall\n' "$touch_file" "$one_all"
