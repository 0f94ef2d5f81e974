#!/usr/bin/env bash
# A fleet of three `batch run` workers on one Postgres journal, through the faults a fleet
# meets, each scenario without and with 30 % of submits and downloads slowed by 1 s:
#
#   bash benches/fleet/run.sh [LINES]
#   VIDEOHUB_BIN=/path/to/videohub bash benches/fleet/run.sh [LINES]
#
# Each run: a sandbox at --time-scale 0.01 (`videohub sandbox`), a new database on a
# Postgres server of the script's own (scripts/test-postgres.sh with
# VIDEOHUB_TEST_POSTGRES_DIR: a Unix socket, stopped and started at will without disturbing
# any other), LINES lines (300 by default), three workers with the default concurrency.
# Needs root (or CAP_SYS_ADMIN) for `unshare` (a host name of its own, a full tmpfs), and
# bash, curl, jq, psql, sha256sum, faketime (scripts/test-faketime.sh installs it). Builds
# the debug binary first. Prints one Markdown table row per run:
#
#   scenario | slowed | tasks | extra tasks | downloads | exit codes | stopped | unknown |
#   wrong checksums | failed writes | seconds
#
# - tasks: tasks the sandbox created; extra tasks: tasks beyond one per line;
# - downloads: files the sandbox served (one per line when no job is downloaded twice;
#   a file another worker copies into its own folder costs none);
# - exit codes: of the three workers; stopped / unknown: lines the workers reported
#   `stopped`, jobs left `outcome_unknown`;
# - wrong checksums: downloaded jobs whose recorded SHA-256 is not their file's;
# - failed writes: downloads that failed on the disk (the full-disk scenario);
# - seconds: from the start of the workers to the end of the last.
set -euo pipefail
lines="${1:-300}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${VIDEOHUB_BIN:-}"
if [ -z "$bin" ]; then
    cargo build -q -p videohub-cli --manifest-path "$root/Cargo.toml"
    bin="$root/target/debug/videohub"
fi
faketime="$("$root/scripts/test-faketime.sh")"
work="$(mktemp -d)"
chmod 755 "$work"
export VIDEOHUB_TEST_POSTGRES_DIR="$work/pg"
server_url="$("$root/scripts/test-postgres.sh")"
trap 'kill $(jobs -p) 2>/dev/null || true; "$root/scripts/test-postgres.sh" stop >/dev/null 2>&1; rm -rf "$work"' EXIT
export MOUNTSEA_API_KEY=sandbox
port=18970
n=0

for i in $(seq "$lines"); do
    echo "{\"model\": \"veo-3.1\", \"input\": {\"prompt\": \"fleet shot $i\", \"seed\": $i}}"
done >"$work/lines.jsonl"

# A sandbox with faults $1 (none when empty), on fresh ports; sets $url.
start_sandbox() {
    port=$((port + 2))
    "$bin" sandbox --port "$port" --time-scale 0.01 ${1:+--faults "$1"} >/dev/null &
    sandbox_pid=$!
    url="http://127.0.0.1:$port"
    for _ in $(seq 100); do curl -sf "$url/__sandbox/counters" >/dev/null && return; sleep 0.05; done
    echo "the sandbox did not start" >&2
    exit 1
}
counter() { curl -sf "$url/__sandbox/counters" | jq ".$1"; }
sql() { psql "$store" -qtAX -c "$1"; }
server() { "$root/scripts/test-postgres.sh" "$@" >/dev/null 2>&1; }

# A new run: a database and folders of its own; sets $store and $run.
new_run() {
    n=$((n + 1))
    run="$work/run-$n"
    mkdir -p "$run"
    psql "$server_url" -qtAX -c "CREATE DATABASE fleet_$n" >/dev/null
    store="${server_url/\/videohub_tests?//fleet_$n?}"
}

# Starts worker $1 with --out $2, through the command in the rest (none: directly).
worker() {
    local name="$1" out="$2"
    shift 2
    "$@" "$bin" --base-url "$url" --store "$store" batch run --json --out "$out" \
        "$work/lines.jsonl" >"$run/$name.out" 2>"$run/$name.err" &
    pids+=($!)
}

# Waits for every worker; prints the table's row for scenario $1 (slowed: $2).
finish() {
    local codes="" code started="$3"
    for pid in "${pids[@]}"; do
        code=0
        wait "$pid" || code=$?
        codes="$codes $code"
    done
    local seconds=$(( $(date +%s) - started ))
    local tasks downloads stopped unknown wrong=0 failed
    tasks="$(counter tasks_created)"
    downloads="$(counter downloads)"
    stopped="$(cat "$run"/*.out | jq -r .status | grep -c '^stopped$' || true)"
    unknown="$(sql "SELECT count(*) FROM jobs WHERE state = 'outcome_unknown'")"
    failed="$(sql "SELECT count(*) FROM job_events WHERE detail LIKE 'download failed%'")"
    while IFS='|' read -r path sha; do
        [ -n "$path" ] || continue
        [ "$(sha256sum "$path" 2>/dev/null | cut -d' ' -f1)" = "$sha" ] || wrong=$((wrong + 1))
    done < <(sql "SELECT file_path || '|' || sha256 FROM jobs WHERE state = 'downloaded'")
    echo "| $1 | $2 | $tasks | $((tasks > lines ? tasks - lines : 0)) | $downloads |$codes | $stopped | $unknown | $wrong | $failed | $seconds |"
    kill "$sandbox_pid"
    wait "$sandbox_pid" 2>/dev/null || true
    pids=()
}

echo "| scenario | slowed | tasks | extra tasks | downloads | exit codes | stopped | unknown | wrong checksums | failed writes | seconds |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for slowed in no yes; do
    faults=""
    [ "$slowed" = yes ] && faults="seed=3,rate=0.3,kinds=slow,on=submit+download,slow=1s"

    # The three workers share one --out.
    start_sandbox "$faults"; new_run; pids=(); t=$(date +%s)
    for w in 1 2 3; do worker "w$w" "$run/out"; done
    finish "shared --out" "$slowed" "$t"

    # Each worker has its own --out.
    start_sandbox "$faults"; new_run; pids=(); t=$(date +%s)
    for w in 1 2 3; do worker "w$w" "$run/out-$w"; done
    finish "own --out per worker" "$slowed" "$t"

    # One worker's clock runs ten minutes ahead, then ten minutes behind.
    for skew in +10m -10m; do
        start_sandbox "$faults"; new_run; pids=(); t=$(date +%s)
        worker w1 "$run/out" "$faketime" -f "$skew"
        for w in 2 3; do worker "w$w" "$run/out"; done
        finish "one clock $skew" "$slowed" "$t"
    done

    # The server stops for 60 s once a third of the tasks exist.
    start_sandbox "$faults"; new_run; pids=(); t=$(date +%s)
    for w in 1 2 3; do worker "w$w" "$run/out"; done
    until [ "$(counter tasks_created)" -ge $((lines / 3)) ]; do sleep 0.1; done
    server stop; sleep 60; server
    finish "Postgres down 60 s" "$slowed" "$t"

    # The server restarts six times, a second apart.
    start_sandbox "$faults"; new_run; pids=(); t=$(date +%s)
    for w in 1 2 3; do worker "w$w" "$run/out"; done
    until [ "$(counter tasks_created)" -ge $((lines / 3)) ]; do sleep 0.1; done
    for _ in 1 2 3 4 5 6; do server stop; sleep 1; server; sleep 1; done
    finish "Postgres restarted 6 times" "$slowed" "$t"

    # One worker, on a host of its own (its process cannot be seen), gets SIGTERM.
    start_sandbox "$faults"; new_run; pids=(); t=$(date +%s)
    worker w1 "$run/out" unshare --uts sh -c 'hostname elsewhere && exec "$@"' sh
    for w in 2 3; do worker "w$w" "$run/out"; done
    until [ "$(counter tasks_created)" -ge $((lines / 3)) ]; do sleep 0.1; done
    kill -TERM "${pids[0]}"
    finish "SIGTERM to one worker elsewhere" "$slowed" "$t"

    # One worker's disk is full (the same --out, another disk: a tmpfs of its own).
    start_sandbox "$faults"; new_run; pids=(); t=$(date +%s)
    mkdir -p "$run/out"
    worker w1 "$run/out" unshare -m sh -c 'mount -t tmpfs -o size=64k tmpfs "$0" &&
        dd if=/dev/zero of="$0/filler" bs=4k 2>/dev/null; exec "$@"' "$run/out"
    for w in 2 3; do worker "w$w" "$run/out"; done
    finish "one worker's disk full" "$slowed" "$t"
done
