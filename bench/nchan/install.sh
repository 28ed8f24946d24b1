#!/usr/bin/env bash
# Installs the benchmark's peer: Debian's nginx with the Nchan module. Idempotent: does nothing
# when both are there. Never starts the system nginx service (bench/nchan/nchan.sh runs its own
# instance on loopback with a private prefix).
set -euo pipefail

MODULE=/usr/lib/nginx/modules/ngx_nchan_module.so

if command -v nginx >/dev/null 2>&1 && [ -f "$MODULE" ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "bench/nchan/install.sh: nginx and libnginx-mod-nchan are missing; run as root or: sudo apt-get install nginx libnginx-mod-nchan" >&2
  exit 1
fi

# Keep the package scripts from starting the system-wide nginx on port 80.
POLICY=/usr/sbin/policy-rc.d
TEMP_POLICY=0
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$POLICY"
  chmod +x "$POLICY"
  TEMP_POLICY=1
fi
cleanup() { if [ "$TEMP_POLICY" = 1 ]; then rm -f "$POLICY"; fi; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends nginx libnginx-mod-nchan; then
  apt-get update
  apt-get install -y --no-install-recommends nginx libnginx-mod-nchan
fi

if [ ! -f "$MODULE" ]; then
  echo "bench/nchan/install.sh: $MODULE not found after installing libnginx-mod-nchan" >&2
  exit 1
fi
