#!/usr/bin/env bash
# Cold build and test times (BENCHMARKS.md, "Cold build and test time"): clones the checkout's
# HEAD into a scratch folder and runs, each with an empty target directory, the README's first
# command, the SDK crate alone, the whole test suite and the release CLI; prints seconds.
set -u
repo="$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
scratch="$(mktemp -d)"
git clone -q "$repo" "$scratch/src" && cd "$scratch/src"
timed() { # name target-dir command...
    local name=$1 target=$2 start=$(date +%s); shift 2
    CARGO_TARGET_DIR="$scratch/$target" "$@" >"$scratch/$name.log" 2>&1
    echo "$name: exit $?, $(( $(date +%s) - start )) s (log: $scratch/$name.log)"
}
echo "commit $(git rev-parse --short HEAD), load $(cut -d' ' -f1-3 /proc/loadavg)"
timed first-command run cargo run --timings -p videohub-cli -- --sandbox generate veo-3.1 \
    --prompt "a red fox in snow" -o "$scratch/fox.mp4"
timed sdk sdk cargo build -p videohub
timed test test cargo test --workspace
timed release release cargo build --release -p videohub-cli --timings
echo "crash hooks in the release binary: $(strings "$scratch/release/release/videohub" | grep -c VIDEOHUB_CRASH_PAUSE)"
echo "timings: $scratch/run/cargo-timings/cargo-timing.html, $scratch/release/cargo-timings/cargo-timing.html"
