#!/usr/bin/env bash
# Service desk vs django-helpdesk: the shared peer benchmark against the peer and against
# Weibao (SQLite, then PostgreSQL), in one sitting on this machine, with the same flags.
#
#   bench/run_peer_compare.sh                     # all three; results in bench/peer/<date>/
#   BENCH_SYSTEMS=sqlite,postgres bench/run_peer_compare.sh
#
# The harness (bench.py, benchlib) is used in place from the shared folder, not copied:
# BENCH_PEER_HARNESS (default /work/shared/bench-peer). Our adapter lives in
# bench/peer_compare/. One interpreter, the project's .venv (httpx), drives every run.
#
# Weibao runs under `weibao serve` (granian, 2 web workers, plus its task worker and
# scheduler) on 127.0.0.1:8802 with a fresh data dir (and a fresh PostgreSQL database).
# Memory is measured over granian and its workers, as for gunicorn and its workers.
# The per-token API rate limit (600/minute by default) is raised for the run: the
# harness sends every request with one token, and the peer has no such limit.
#
# Env (all optional): BENCH_DATE (today, UTC), BENCH_OUT (bench/peer/<date>),
# BENCH_SYSTEMS (peer,sqlite,postgres), BENCH_WORK (/tmp/weibao-peer-bench),
# BENCH_PG_URL (postgres://postgres@127.0.0.1:5432), BENCH_PG_DB (wb_bench_peer),
# PEER_DIR, PEER_SETUP (1: PEER_RESET=1 setup_peer.sh before the peer run),
# BENCH_EXTRA (extra bench.py flags, e.g. "--create-seconds 5" for a quick try),
# BENCH_QUIET_LOAD / BENCH_QUIET_WAIT (see wait_quiet).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT="$(cd "$HERE/.." && pwd)"
HARNESS="${BENCH_PEER_HARNESS:-/work/shared/bench-peer}"
WORK="${BENCH_WORK:-/tmp/weibao-peer-bench}"
PY="${WEIBAO_PYTHON:-$PROJECT/.venv/bin/python}"
WEIBAO="$PROJECT/.venv/bin/weibao"
DATE="${BENCH_DATE:-$(date -u +%F)}"
OUT="${BENCH_OUT:-$HERE/peer/$DATE}"
SYSTEMS="${BENCH_SYSTEMS:-peer,sqlite,postgres}"
PG_URL="${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}"
PG_DB="${BENCH_PG_DB:-wb_bench_peer}"
BIND="127.0.0.1:8802"
FLAGS=(--phases create,seed,list,search,create --query-max-requests 50 --query-max-seconds 60 --date "$DATE")
# shellcheck disable=SC2206
EXTRA=(${BENCH_EXTRA:-})

mkdir -p "$OUT" "$WORK"
# Weibao runs from a snapshot of one commit (BENCH_REV, default HEAD), never from the
# working tree, which others may be editing while the benchmark runs.
REV="$(git -C "$PROJECT" rev-parse --short "${BENCH_REV:-HEAD}")"
SNAP="$WORK/src-$REV"
if [ ! -d "$SNAP/src/weibao" ]; then
  mkdir -p "$SNAP"
  git -C "$PROJECT" archive --format=tar "$REV" src | tar -x -C "$SNAP"
fi
export WEIBAO_BENCH_COMMIT="$REV"
export PYTHONPATH="$SNAP/src:$HERE/peer_compare:$HARNESS${PYTHONPATH:+:$PYTHONPATH}"
export BENCH_PEER_HARNESS="$HARNESS" WEIBAO_PYTHON="$PY"

log() { echo "[$(date -u +%H:%M:%S)] $*" | tee -a "$OUT/run.log"; }

machine_facts() {
  {
    echo "date (UTC): $(date -u '+%F %T')"
    echo "nproc: $(nproc)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
    echo "memory: $(free -m | awk '/^Mem:/ {printf "%.1f GiB total, %.1f GiB available", $2/1024, $7/1024}')"
    echo "disk: $(df -h "$WORK" | awk 'NR==2 {print $1", "$2" total, "$4" free"}')"
    echo "kernel: $(uname -r)"
    echo "os: $(. /etc/os-release && echo "$PRETTY_NAME")"
    echo "python (harness, Weibao): $("$PY" -c 'import platform; print(platform.python_version())')"
    echo "sqlite: $("$PY" -c 'import sqlite3; print(sqlite3.sqlite_version)')"
    echo "postgresql: $(psql "$PG_URL/postgres" -tAc 'SHOW server_version' 2>/dev/null || echo unavailable)"
    echo "weibao: commit $REV (snapshot in $SNAP)"
    echo "load average at start: $(cat /proc/loadavg)"
  } > "$OUT/machine.txt"
}

# Background sampler of the machine's load: other work on a shared machine moves the figures.
LOADPID=""
load_start() {
  ( while true; do echo "$(date -u +%T) $(cut -d' ' -f1-3 /proc/loadavg)"; sleep 10; done ) >> "$OUT/loadavg.log" &
  LOADPID=$!
}
cleanup() {
  [ -n "$LOADPID" ] && kill "$LOADPID" 2>/dev/null || true
  [ -n "${SERVEPID:-}" ] && kill -TERM "$SERVEPID" 2>/dev/null || true
}
trap cleanup EXIT

# Wait (up to BENCH_QUIET_WAIT s, default 1800) until the 1-minute load average is below
# BENCH_QUIET_LOAD (default 1.0): on a shared machine, other work moves every figure.
wait_quiet() {
  local limit="${BENCH_QUIET_LOAD:-1.0}" waited=0 max="${BENCH_QUIET_WAIT:-1800}" load
  while true; do
    load="$(cut -d' ' -f1 /proc/loadavg)"
    if awk -v l="$load" -v m="$limit" 'BEGIN { exit !(l < m) }'; then break; fi
    if [ "$waited" -ge "$max" ]; then log "load still $load after ${waited}s: going ahead"; return; fi
    sleep 15
    waited=$((waited + 15))
  done
  log "load $load (waited ${waited}s)"
}

run_peer() {
  if [ "${PEER_SETUP:-1}" = "1" ]; then
    log "peer: setup (empty DB)"
    PEER_RESET=1 "$HARNESS/setup_peer.sh" >> "$OUT/run.log" 2>&1
  fi
  "$HARNESS/peer_ctl.sh" start | tee -a "$OUT/run.log"
  wait_quiet
  log "peer: bench"
  "$PY" "$HARNESS/bench.py" --adapter django_helpdesk "${FLAGS[@]}" "${EXTRA[@]}" \
    --out "$OUT/peer.json" --markdown "$OUT/peer.md" > "$OUT/peer.log" 2>&1 || log "peer: bench failed"
  "$HARNESS/peer_ctl.sh" stop | tee -a "$OUT/run.log"
}

SERVEPID=""
run_weibao() {  # $1 = sqlite | postgres
  local db="$1" data="$WORK/$1"
  # A fresh database every time; collected static files are kept (collecting and
  # compressing them takes a minute of CPU and is not what is measured).
  rm -rf "$data"
  mkdir -p "$data"
  [ -d "$WORK/static-$REV" ] && cp -a "$WORK/static-$REV" "$data/static"
  export WEIBAO_DATA_DIR="$data"
  if [ "$db" = "postgres" ]; then
    dropdb -h 127.0.0.1 -U postgres --if-exists "$PG_DB"
    createdb -h 127.0.0.1 -U postgres -T template0 -E UTF8 --locale=C.UTF-8 "$PG_DB"
    export WEIBAO_DATABASE_URL="$PG_URL/$PG_DB"
  else
    unset WEIBAO_DATABASE_URL
  fi
  export WEIBAO_RATE_API_TOKEN="1000000/minute" WEIBAO_LOG_LEVEL=WARNING WEIBAO_WEB_WORKERS=2
  log "weibao/$db: migrate and set up"
  "$WEIBAO" migrate --no-input -v 0 >> "$OUT/run.log" 2>&1
  "$PY" "$HERE/peer_compare/setup_weibao.py" >> "$OUT/run.log" 2>&1
  PYTHONUNBUFFERED=1 "$WEIBAO" serve --bind "$BIND" --web-workers 2 > "$data/serve.log" 2>&1 &
  SERVEPID=$!
  local granian=""
  for _ in $(seq 1 1200); do  # up to ~10 minutes: the first start collects static files
    granian="$(ps -o pid=,args= --ppid "$SERVEPID" 2>/dev/null | awk '/granian/ {print $1; exit}' || true)"
    if [ -n "$granian" ] && "$PY" -c "import httpx,sys; httpx.get('http://$BIND/accounts/login/', timeout=2).raise_for_status()" 2>/dev/null; then
      break
    fi
    sleep 0.3
  done
  [ -n "$granian" ] || { log "weibao/$db: granian did not start, see $data/serve.log"; return 1; }
  log "weibao/$db: serving, supervisor pid $SERVEPID, granian pid $granian"
  [ -d "$WORK/static-$REV" ] || cp -a "$data/static" "$WORK/static-$REV"
  wait_quiet
  BENCH_SERVER_PIDS="$granian" "$PY" "$HARNESS/bench.py" --adapter weibao_adapter:WeibaoAdapter \
    --base-url "http://$BIND" "${FLAGS[@]}" "${EXTRA[@]}" \
    --out "$OUT/weibao-$db.json" --markdown "$OUT/weibao-$db.md" > "$OUT/weibao-$db.log" 2>&1 \
    || log "weibao/$db: bench failed"
  # The whole `weibao serve` family (supervisor, granian, task worker, scheduler) for the record.
  ps -o pid=,rss=,args= --ppid "$SERVEPID" > "$OUT/weibao-$db-processes.txt" 2>/dev/null || true
  kill -TERM "$SERVEPID"
  wait "$SERVEPID" 2>/dev/null || true
  SERVEPID=""
  log "weibao/$db: stopped"
}

machine_facts
load_start
log "systems: $SYSTEMS; out: $OUT"
IFS=, read -ra WANT <<< "$SYSTEMS"
for s in "${WANT[@]}"; do
  case "$s" in
    peer) run_peer ;;
    sqlite|postgres) run_weibao "$s" ;;
    *) log "unknown system $s" ;;
  esac
done
echo "load average at end: $(cat /proc/loadavg)" >> "$OUT/machine.txt"

runs=()
for f in peer weibao-sqlite weibao-postgres; do [ -f "$OUT/$f.json" ] && runs+=("$OUT/$f.json"); done
if [ "${#runs[@]}" -gt 0 ]; then
  "$PY" "$HERE/peer_compare/compare.py" "${runs[@]}" > "$OUT/compare.md"
  log "side by side: $OUT/compare.md"
fi
