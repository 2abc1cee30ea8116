#!/usr/bin/env bash
# Serves the app with Daphne and runs a django-q2 worker cluster; Ctrl-C stops all of it.
set -uo pipefail
cd "$(dirname "$0")/.."
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
pids=()

stop() {
  trap - INT TERM EXIT
  echo; echo "Stopping…"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  wait 2>/dev/null
  if [[ -z "${DATABASE_URL:-}" ]]; then .venv/bin/python -m smartnotes.embedded_pg stop var/pg; fi
  exit 0
}
trap stop INT TERM EXIT

.venv/bin/python manage.py qcluster & pids+=($!)
.venv/bin/python -m daphne -b "$HOST" -p "$PORT" smartnotes.asgi:application & pids+=($!)
sleep 2
printf '\n  MySmartNotes is running: \033[1mhttp://%s:%s/\033[0m   (Ctrl-C to stop)\n\n' "$HOST" "$PORT"
wait -n "${pids[@]}"
stop
