#!/usr/bin/env bash
# Starts and stops a private nginx + Nchan on loopback for the benchmark.
#   bench/nchan/nchan.sh start PREFIX PORT REDIS_URL [WORKERS]   # prints the master pid
#   bench/nchan/nchan.sh stop PREFIX
# PREFIX is a directory of its own (pid, logs, temp files, the rendered nginx.conf).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

usage() {
  echo "usage: $0 start PREFIX PORT REDIS_URL [WORKERS] | stop PREFIX" >&2
  exit 2
}

start() {
  local prefix="$1" port="$2" redis_url="$3" workers="${4:-1}"
  "$HERE/install.sh"
  mkdir -p "$prefix"
  sed -e "s|@PREFIX@|$prefix|g" -e "s|@PORT@|$port|g" -e "s|@REDIS_URL@|$redis_url|g" -e "s|@WORKERS@|$workers|g" \
    "$HERE/nginx.conf.template" >"$prefix/nginx.conf"
  # Startup warnings (the deprecated-directive notes) go to the instance's log, not the terminal.
  if ! nginx -q -p "$prefix" -c "$prefix/nginx.conf" 2>>"$prefix/error.log"; then
    cat "$prefix/error.log" >&2
    exit 1
  fi
  # Ready once a publish is stored, i.e. Nchan is connected to Redis (before that it answers 503).
  for _ in $(seq 1 200); do
    if [ -s "$prefix/nginx.pid" ] && publish_probe "$port"; then
      cat "$prefix/nginx.pid"
      return 0
    fi
    sleep 0.05
  done
  echo "nchan did not get ready on 127.0.0.1:$port; see $prefix/error.log" >&2
  exit 1
}

# POST to channel user_0, which no benchmark stream uses; succeeds on 201/202.
publish_probe() {
  local port="$1" status
  exec 3<>"/dev/tcp/127.0.0.1/$port" 2>/dev/null || return 1
  printf 'POST /pub/user/0 HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nprobe' >&3
  # Bounded: an instance that accepted but never answers (Nchan still reaching Redis) is asked again.
  read -r -t 1 _ status _ <&3 || status=""
  exec 3>&-
  [ "$status" = 201 ] || [ "$status" = 202 ]
}

stop() {
  local prefix="$1" pid
  [ -s "$prefix/nginx.pid" ] || return 0
  pid="$(cat "$prefix/nginx.pid")"
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.05
  done
  kill -KILL "$pid" 2>/dev/null || true
}

case "${1:-}" in
  start) [ $# -ge 4 ] || usage; start "$2" "$3" "$4" "${5:-1}" ;;
  stop) [ $# -ge 2 ] || usage; stop "$2" ;;
  *) usage ;;
esac
