#!/usr/bin/env bash
# install-deps.sh — installs the Debian packages kcsim needs that are missing; safe to run
# twice. Usage: scripts/install-deps.sh [--bench]   (--bench adds the peer simulators)
set -euo pipefail
pkgs=(build-essential pkg-config libyaml-dev libcmocka-dev gnuplot-nox fonts-dejavu-core clang)
[ "${1:-}" = "--bench" ] && pkgs+=(libns3-dev libsimgrid-dev python3-simpy3 valgrind)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "install-deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
