#!/usr/bin/env bash
# Serves the app with uvicorn (HTTP + websockets; WEB_CONCURRENCY processes, default 1) and runs a django-q2
# worker cluster; Ctrl-C stops all of it.
set -uo pipefail
cd "$(dirname "$0")/.."
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
# Prometheus multiprocess mode: every web and worker process writes its samples here and /metrics merges them.
# Emptied at start, so the counters of this run start at 0 (Prometheus reads that as a restart).
var_dir="${SMARTNOTES_VAR_DIR:-var}"; [[ "$var_dir" == /* ]] || var_dir="$PWD/$var_dir"
export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-$var_dir/metrics}"
mkdir -p "$PROMETHEUS_MULTIPROC_DIR" && rm -f "$PROMETHEUS_MULTIPROC_DIR"/*.db
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
.venv/bin/python -m smartnotes.serve --host "$HOST" --port "$PORT" & pids+=($!)
sleep 2
printf '\n  MySmartNotes is running: \033[1mhttp://%s:%s/\033[0m   (Ctrl-C to stop)\n\n' "$HOST" "$PORT"
wait -n "${pids[@]}"
stop
