#!/usr/bin/env bash
# Installs every Debian package needed to build, run and test ukube. Idempotent: when
# everything is present it only checks, which takes well under a second.
set -euo pipefail

packages=(
  # build
  cmake ninja-build ccache g++ lld pkg-config clang-format
  # libraries
  libboost1.81-all-dev libboost-json1.81-dev libboost-url1.81-dev
  libprotobuf-dev protobuf-compiler libyaml-cpp-dev libcurl4-openssl-dev
  libspdlog-dev libssl-dev libjemalloc-dev zlib1g-dev
  # images: the process runtime runs `--image=busybox` as Debian's static busybox, and
  # the built-in busybox image is made from it; runtime-runc runs containers with runc
  busybox-static runc
  # networking: cni-bridge runs the CNI plugins in /usr/lib/cni; the proxy programs
  # nftables (iptables is its fallback) and clears stale UDP flows with conntrack; the
  # network tests make namespaces with iproute2
  containernetworking-plugins nftables iptables iproute2 conntrack
  # tests (tls_test checks the HTTPS side with independent clients; registry_pull_test
  # pushes with skopeo to Debian's registry)
  libgtest-dev libgmock-dev curl openssl docker-registry skopeo
  # benchmarks: apiserver_bench compares its GET rate with nginx's, dns_bench its queries/s
  # with dnsmasq's
  nginx dnsmasq-base
  # client-library tests (tests/integration/clients): the Python one runs /usr/bin/python3
  python3-kubernetes
)
# `make fuzz` builds with clang's libFuzzer and sanitizers: only it asks for clang.
if [ "${1:-}" = "--fuzz" ]; then packages+=(clang); fi
# The Node.js client test runs whatever `node` is on PATH; install Debian's only if none.
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)

installed=" $(dpkg-query -W -f='${Package}:${db:Status-Status} ' "${packages[@]}" 2>/dev/null || true)"
missing=()
for p in "${packages[@]}"; do
  [[ "$installed" == *" $p:installed "* ]] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exec bash "$(dirname "$0")/install-test-clients.sh"
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then
    sudo="sudo"
  else
    echo "install-deps: need root to install: ${missing[*]}" >&2
    echo "install-deps: run as root: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
bash "$(dirname "$0")/install-test-clients.sh"
