#!/usr/bin/env bash
# Brings what the tests need onto a fresh Debian/Ubuntu machine, without touching the machine's own
# node, then runs the given command with it on PATH:
#   tools/toolchain.sh npm test
# - Node 22 (the supported version; .nvmrc) from the npm registry's `node` package into
#   ~/.cache/node22, when the machine's node is older;
# - a Node 20 (the oldest the offline tools accept; the first-contact test runs the plan on it) into
#   ~/.cache/node20, unless the machine's own node is 20 (STREAM5_OLDEST_NODE);
# - promtool and the Prometheus server from Debian's `prometheus` package, and amtool (Alertmanager's
#   template renderer) from `prometheus-alertmanager` (apt, as root or with sudo), their services kept
#   from starting;
# - SciPy from Debian's `python3-scipy` (apt), into Debian's /usr/bin/python3: the Mann-Whitney test's
#   reference (test/support/scipy.ts);
# - the project's node_modules (`npm ci`) when there are none.
# Sourced (`. tools/toolchain.sh`), it only sets PATH and STREAM5_OLDEST_NODE in the caller's shell.
set -euo pipefail

toolchain_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
toolchain_cache="${XDG_CACHE_HOME:-$HOME/.cache}"
toolchain_log() { echo "toolchain: $*" >&2; }

node_major_of() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# Installs node@MAJOR from the npm registry into the cache (once) and prints its bin folder.
cached_node() {
  local major=$1 home="$toolchain_cache/node$1"
  if [ ! -x "$home/node_modules/.bin/node" ]; then
    toolchain_log "installing Node $major into $home (the machine's node stays)"
    npm install --prefix "$home" --no-save --no-audit --no-fund "node@$major" >/dev/null
  fi
  echo "$home/node_modules/.bin"
}

toolchain_node() {
  local supported oldest=20 own_node own_major
  supported=$(cat "$toolchain_root/.nvmrc")
  own_node=$(command -v node || true)
  own_major=0
  [ -n "$own_node" ] && own_major=$(node_major_of "$own_node")
  if [ "$own_major" -eq "$oldest" ]; then
    export STREAM5_OLDEST_NODE="$own_node"
  else
    STREAM5_OLDEST_NODE="$(cached_node "$oldest")/node"
    export STREAM5_OLDEST_NODE
  fi
  if [ "$own_major" -lt "$supported" ]; then
    PATH="$(cached_node "$supported"):$PATH"
    export PATH
  fi
}

# Installs Debian packages (as root, or with sudo), their services kept from starting:
#   apt_install WHAT PACKAGE...
apt_install() {
  local what=$1 sudo=""
  shift
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  toolchain_log "installing $what (Debian packages $*)"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
  $sudo chmod +x /usr/sbin/policy-rc.d
  $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  $sudo rm -f /usr/sbin/policy-rc.d
}

toolchain_prometheus() {
  if command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1 && command -v amtool >/dev/null 2>&1; then
    return
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    toolchain_log "promtool, prometheus or amtool is missing and this is not Debian/Ubuntu: install Prometheus and Alertmanager (macOS: brew install prometheus alertmanager)"
    return 1
  fi
  # The tests start their own server on a loopback port: the packages' services must not start.
  apt_install "promtool, prometheus and amtool" prometheus prometheus-alertmanager
}

# Debian's python3-scipy installs into Debian's python, /usr/bin/python3, whatever python3 is first on
# PATH (pyenv, a venv): that is the python test/support/scipy.ts runs (SCIPY_PYTHON overrides it).
toolchain_scipy() {
  if "${SCIPY_PYTHON:-/usr/bin/python3}" -c 'import scipy' >/dev/null 2>&1; then
    return
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    toolchain_log "SciPy is missing and this is not Debian/Ubuntu: install SciPy for a python 3 (pip install scipy) and set SCIPY_PYTHON to that python"
    return 1
  fi
  apt_install "SciPy" python3-scipy
}

toolchain_node
toolchain_prometheus
toolchain_scipy
PROMTOOL="$(command -v promtool)"
AMTOOL="$(command -v amtool)"
export PROMTOOL AMTOOL
toolchain_log "node $(node --version) (oldest accepted: $("$STREAM5_OLDEST_NODE" --version)), $("$PROMTOOL" --version 2>&1 | head -n 1)"

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  cd "$toolchain_root"
  if [ ! -d node_modules ]; then npm ci --no-audit --no-fund; fi
  if [ $# -gt 0 ]; then exec "$@"; fi
fi
