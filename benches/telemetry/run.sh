#!/usr/bin/env bash
# The cost of telemetry per job (BENCHMARKS.md, "Telemetry"): one batch of LINES lines run
# by the release CLI against a local sandbox hub (tasks of ~60 ms), each round in three ways
# one after another: nothing on (`off`); traces exported over OTLP/HTTP to a collector that
# drops them (`traces`: rotel-agent, from scripts/telemetry-receivers.sh); `/metrics`
# served and scraped every second (`metrics`). Each run has a journal of its own, so every
# line is submitted, polled and downloaded. Prints the CPU time (user + system) of the batch
# process per job, the median of ROUNDS rounds, and its ratio to `off`.
#
#   bash benches/telemetry/run.sh [LINES] [ROUNDS]
set -euo pipefail
lines="${1:-400}"
rounds="${2:-5}"
root="$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
cargo build -q --release -p videohub-cli --manifest-path "$root/Cargo.toml"
bin="${CARGO_TARGET_DIR:-$root/target}/release/videohub"
receivers="$("$root/scripts/telemetry-receivers.sh")"
scratch="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$scratch"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

"$bin" sandbox --port 0 --time-scale 0.001 --max-tasks 100000 >"$scratch/sandbox.out" 2>&1 &
pids+=($!)
until grep -q 'sandbox hub on' "$scratch/sandbox.out"; do sleep 0.1; done
base="$(grep -o 'http://127.0.0.1:[0-9]*' "$scratch/sandbox.out" | head -1)"

collector="$(free_port)"
"$receivers/rotel-agent" start --exporter blackhole --otlp-http-endpoint "127.0.0.1:$collector" \
    --otlp-grpc-endpoint "127.0.0.1:$(free_port)" --pid-file "$scratch/rotel.pid" >/dev/null 2>&1 &
pids+=($!)
until (exec 3<>"/dev/tcp/127.0.0.1/$collector") 2>/dev/null; do sleep 0.1; done

for i in $(seq 1 "$lines"); do
    echo "{\"model\": \"veo-3.1\", \"input\": {\"prompt\": \"shot $i\", \"seed\": $i}}"
done >"$scratch/batch.jsonl"

echo "lines $lines, rounds $rounds, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$rounds"); do
    for mode in off traces metrics; do
        run="$scratch/$mode-$round"
        mkdir -p "$run"
        env=(VIDEOHUB_STORE="$run/journal.sqlite3")
        extra=()
        case "$mode" in
        traces) env+=(OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$collector") ;;
        metrics)
            port="$(free_port)"
            extra=(--metrics-addr "127.0.0.1:$port")
            (while sleep 1; do curl -s "http://127.0.0.1:$port/metrics" >/dev/null || true; done) &
            scraper=$!
            ;;
        esac
        env "${env[@]}" /usr/bin/time -f '%U %S %e' -o "$run/time" \
            "$bin" --base-url "$base" --api-key sandbox batch run --concurrency 32 \
            "${extra[@]}" --out "$run/out" "$scratch/batch.jsonl" >/dev/null 2>"$run/stderr"
        if [ "$mode" = metrics ]; then kill "$scraper"; fi
        read -r user system wall <"$run/time"
        echo "$mode $user $system $wall" >>"$scratch/results"
        rm -rf "$run/out"
    done
done

python3 - "$scratch/results" "$lines" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    mode, user, system, wall = line.split()
    runs.setdefault(mode, []).append((float(user) + float(system), float(wall)))
jobs = int(sys.argv[2])
off = statistics.median(cpu for cpu, _ in runs["off"]) / jobs
for mode, values in runs.items():
    cpu = statistics.median(cpu for cpu, _ in values) / jobs
    wall = statistics.median(wall for _, wall in values)
    every = " ".join(f"{c * 1000 / jobs:.2f}" for c, _ in values)
    print(f"{mode:8} CPU per job {cpu * 1000:.2f} ms (runs: {every}), {cpu / off:.2f}x off; wall {wall:.1f} s")
PY
