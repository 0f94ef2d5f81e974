#!/usr/bin/env bash
# The million-line study (BENCHMARKS.md, "The million-line study"): builds the release CLI
# of REV (default `main`: the `before`) and of this checkout (the `after`), then measures
# both with `batch_scale million` (check, record and status at 1,000 / 100,000 / 1,000,000
# lines) and `batch_scale million-run` (a real run of 1,000,000 lines until 100,000 jobs
# are downloaded, with its memory every minute).
#
#   bash benches/million/run.sh [REV] [study|real]
#
# The two builds share this checkout's target directory (dependencies are built once); the
# `before` binary is copied aside before the `after` one is built.
set -euo pipefail
rev="${1:-main}"
what="${2:-study real}"
root="$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
git -C "$root" archive "$rev" | tar -x -C "$scratch"
export CARGO_TARGET_DIR="$root/target"
cargo build -q --release -p videohub-cli --manifest-path "$scratch/Cargo.toml"
cp "$CARGO_TARGET_DIR/release/videohub" "$scratch/videohub-before"
cargo build -q --release -p videohub-cli -p videohub-benches --manifest-path "$root/Cargo.toml"
echo "before: $rev ($(git -C "$root" rev-parse --short "$rev")); after: $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet || echo ' with changes'); load $(cut -d' ' -f1-3 /proc/loadavg)"
for part in $what; do
    case "$part" in
    study) "$CARGO_TARGET_DIR/release/batch_scale" million --before "$scratch/videohub-before" ;;
    real) "$CARGO_TARGET_DIR/release/batch_scale" million-run --before "$scratch/videohub-before" ;;
    esac
done
