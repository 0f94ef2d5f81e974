#!/usr/bin/env bash
# Local faults against the real binary and `videohub sandbox`: each fault is made TRIES
# times, and what the hub and the disk hold afterwards is counted.
#
#   bash benches/local-faults/run.sh [TRIES]
#   VIDEOHUB_BIN=/path/to/videohub bash benches/local-faults/run.sh [TRIES]
#
# Needs root (or CAP_SYS_ADMIN) for `unshare -m` (a read-only bind mount, a small tmpfs),
# and bash, curl, jq, sqlite3, sha256sum. Builds the debug binary first. Prints one
# Markdown table row per fault:
#
#   fault | tries | tasks created | ids lost | files corrupt | part files left
#
# - tasks created: tasks the sandbox created (its counters);
# - ids lost: tasks created whose id is in no job of the journal at the end;
# - files corrupt: downloaded files that differ from a clean download of the same task;
# - part files left: `.NAME.XXXXXX.part` files in the output folders at the end.
set -euo pipefail
tries="${1:-3}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
# VIDEOHUB_BIN measures another build (e.g. an earlier release) with the same script.
bin="${VIDEOHUB_BIN:-}"
if [ -z "$bin" ]; then
    cargo build -q -p videohub-cli --manifest-path "$root/Cargo.toml"
    bin="$root/target/debug/videohub"
fi
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
export MOUNTSEA_API_KEY=sandbox XDG_STATE_HOME="$work/state"
port=18870

# Starts a sandbox with fault spec $1 (a fresh port each time); sets $url.
start_sandbox() {
    port=$((port + 2))
    "$bin" sandbox --port "$port" --time-scale 0.005 ${1:+--faults "$1"} >/dev/null &
    sandbox_pid=$!
    url="http://127.0.0.1:$port"
    for _ in $(seq 100); do curl -sf "$url/__sandbox/counters" >/dev/null && return; sleep 0.05; done
    echo "the sandbox did not start" >&2
    exit 1
}
stop_sandbox() { kill "$sandbox_pid"; wait "$sandbox_pid" 2>/dev/null || true; }
counter() { curl -sf "$url/__sandbox/counters" | jq ".$1"; }
vh() { "$bin" --base-url "$url" --store "$journal" "$@"; }

# Adds this try's counts to the totals: tasks created, ids lost, corrupt files, part files
# left in folder $1.
tally() {
    local created ids corrupt=0 parts
    created="$(counter tasks_created)"
    ids="$(vh jobs list --all --json | jq '[.[] | .task_id | select(. != null)] | unique | length')"
    while IFS=$'\t' read -r task file; do
        vh --no-store task download "$task" -o "$work/clean.mp4" >/dev/null
        cmp -s "$file" "$work/clean.mp4" || corrupt=$((corrupt + 1))
        rm -f "$work/clean.mp4"
    done < <(vh jobs list --all --json | jq -r '.[] | select(.state == "downloaded") | [.task_id, .file_path] | @tsv')
    parts="$(find "$1" -name '.*.part' | wc -l)"
    t_created=$((t_created + created)); t_lost=$((t_lost + created - ids))
    t_corrupt=$((t_corrupt + corrupt)); t_parts=$((t_parts + parts))
}

# A new try: a journal and an output folder of its own.
new_try() {
    n=$((n + 1))
    journal="$work/$1-$n/journal.sqlite3"
    out="$work/$1-$n/out"
    mkdir -p "$out"
}
row() { echo "| $1 | $tries | $t_created | $t_lost | $t_corrupt | $t_parts | $2 |"; }
reset() { n=0; t_created=0; t_lost=0; t_corrupt=0; t_parts=0; }

echo "| fault | tries | tasks created | ids lost | files corrupt | part files left | outcome |"
echo "| --- | --- | --- | --- | --- | --- | --- |"

# A read-only destination: `generate -o` and `batch run --out` into a read-only bind mount.
reset; refused=0
start_sandbox ""
for _ in $(seq "$tries"); do
    new_try read-only
    printf '{"model":"veo-3.1","input":{"prompt":"a"}}\n{"model":"veo-3.1","input":{"prompt":"b"}}\n' >"$out/../lines.jsonl"
    set +e
    unshare -m sh -c 'mount --bind -o ro "$1" "$1" && shift && "$@" generate veo-3.1 --prompt x -o "$0/x.mp4"' \
        "$out" "$out" "$bin" --base-url "$url" --store "$journal" 2>/dev/null
    a=$?
    unshare -m sh -c 'mount --bind -o ro "$1" "$1" && shift && "$@" batch run "$0/../lines.jsonl" --out "$0"' \
        "$out" "$out" "$bin" --base-url "$url" --store "$journal" >/dev/null 2>&1
    b=$?
    set -e
    [ "$a" = 2 ] && [ "$b" = 2 ] && refused=$((refused + 1))
done
t_created="$(counter tasks_created)"
row "read-only destination (generate and a 2-line batch)" "exit 2 before any submit: $refused of $tries"
stop_sandbox

# The journal locked by another process for 20 s across the submit's answer (the busy
# timeout is 15 s), then for longer than the wait (`--timeout 2s`): the id is kept beside
# the journal and written back by `jobs resume`.
for patience in "" "--timeout 2s"; do
    reset; ok=0
    for _ in $(seq "$tries"); do
        start_sandbox "kinds=slow,on=submit,slow=3s"
        new_try locked
        vh generate veo-3.1 --prompt "a fox" -o "$out/fox.mp4" $patience >/dev/null 2>&1 &
        gen=$!
        until [ "$(counter submits_received)" = 1 ]; do sleep 0.05; done
        (printf '.timeout 10000\nBEGIN EXCLUSIVE;\n'; sleep 20; printf 'COMMIT;\n') | sqlite3 "$journal" &
        lock=$!
        set +e; wait "$gen"; code=$?; set -e
        wait "$lock"
        [ "$code" != 0 ] && vh jobs resume >/dev/null 2>&1 || true
        [ -f "$out/fox.mp4" ] && ok=$((ok + 1))
        tally "$out"
        stop_sandbox
    done
    if [ -z "$patience" ]; then
        row "journal locked 20 s across the submit's answer" "downloaded by the same run: $ok of $tries"
    else
        row "journal locked past the wait (\`--timeout 2s\`), then \`jobs resume\`" "downloaded after the resume: $ok of $tries"
    fi
done

# A full disk under the journal (a 2 MiB tmpfs, filled once the submit is out): the id is
# kept in $XDG_STATE_HOME, and `jobs resume` finishes the job once space is back.
reset; ok=0
for _ in $(seq "$tries"); do
    start_sandbox "kinds=slow,on=submit,slow=3s"
    new_try full-disk
    disk="$work/full-disk-$n/disk"
    mkdir -p "$disk"
    journal="$disk/journal.sqlite3"
    unshare -m bash -c '
        mount -t tmpfs -o size=2m tmpfs "$1"
        "$2" --base-url "$3" --store "$1/journal.sqlite3" generate veo-3.1 --prompt "a fox" -o "$4/fox.mp4" --timeout 2s >/dev/null 2>&1 &
        gen=$!
        until [ "$(curl -sf "$3/__sandbox/counters" | jq .submits_received)" = 1 ]; do sleep 0.05; done
        dd if=/dev/zero of="$1/filler" bs=4k 2>/dev/null || true
        wait $gen
        rm "$1/filler"
        "$2" --base-url "$3" --store "$1/journal.sqlite3" jobs resume >/dev/null 2>&1 || true
        sqlite3 "$1/journal.sqlite3" ".backup $5"
    ' bash "$disk" "$bin" "$url" "$out" "$work/full-disk-$n/journal-copy.sqlite3"
    journal="$work/full-disk-$n/journal-copy.sqlite3"
    [ -f "$out/fox.mp4" ] && ok=$((ok + 1))
    tally "$out"
    stop_sandbox
done
row "full disk under the journal (2 MiB tmpfs), then \`jobs resume\`" "downloaded after the resume: $ok of $tries"

# A download killed (SIGKILL) once half the file is in its part file, then `jobs resume`.
reset; ok=0; ranged=0
for _ in $(seq "$tries"); do
    start_sandbox "kinds=slow,on=download,slow=3s"
    new_try killed
    "$bin" --base-url "$url" --store "$journal" generate veo-3.1 --prompt "a fox" -o "$out/fox.mp4" >/dev/null 2>&1 &
    gen=$!
    until [ -n "$(find "$out" -name '.*.part' -size +1k)" ]; do sleep 0.02; done
    kill -9 "$gen"; wait "$gen" 2>/dev/null || true
    vh jobs resume >/dev/null 2>&1 || true
    [ -f "$out/fox.mp4" ] && ok=$((ok + 1))
    ranged=$((ranged + $(counter ranged_downloads)))
    tally "$out"
    stop_sandbox
done
row "download killed midway, then \`jobs resume\`" "downloaded: $ok of $tries, continued with a range: $ranged"

# A 4-line batch run again into another folder (and with another --name).
reset; same=0
for _ in $(seq "$tries"); do
    start_sandbox ""
    new_try second-out
    for i in 1 2 3 4; do printf '{"model":"veo-3.1","input":{"prompt":"shot %s"}}\n' "$i"; done >"$out/../lines.jsonl"
    vh batch run "$out/../lines.jsonl" --out "$out/a" >/dev/null 2>&1
    vh batch run "$out/../lines.jsonl" --out "$out/b" --name '{line}.{ext}' >/dev/null 2>&1
    [ "$(cd "$out/a" && sha256sum * | cut -d' ' -f1 | sort)" = "$(cd "$out/b" && sha256sum * | cut -d' ' -f1 | sort)" ] && same=$((same + 1))
    tally "$out"
    stop_sandbox
done
row "a 4-line batch run again with another \`--out\` and \`--name\`" "second folder holds the same 4 files: $same of $tries"
