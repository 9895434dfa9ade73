#!/usr/bin/env bash
# Container HEALTHCHECK: GET /healthz on the local service with bash's /dev/tcp (the runtime image has no curl).
# Exit 0 when the answer is HTTP 200. Usage: healthcheck.sh [PORT] (default $EMOSER_PORT or 5000)
set -uo pipefail
port="${1:-${EMOSER_PORT:-5000}}"
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
printf 'GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
IFS= read -r -t 5 status <&3 || exit 1
exec 3<&-
case "$status" in
  "HTTP/1."?" 200"*) exit 0 ;;
  *) echo "healthcheck: $status" >&2; exit 1 ;;
esac
