#!/usr/bin/env bash
# Compile time of the hub's 20 models three ways, each a crate of its own in a scratch
# workspace under /tmp (its own CARGO_TARGET_DIR, so builds elsewhere in the repo neither
# reuse nor disturb it):
#
#   macro  the `models` crate's sources as they are, through #[video_model]
#   hand   the same structs written out: serde derive, setters, value enums with
#          Display/FromStr, validate(), a ModelSchema constant (gen.py hand)
#   bon    the same with #[derive(bon::Builder)] instead of the setters (gen.py bon)
#
# Dependencies (videohub-core, the proc macro, serde, bon) are built once; then each run
# cleans only the measured crate (`cargo clean -p`) and times `cargo build -p` of it. The
# variants take turns within each round so that a burst of load elsewhere hits all three.
#
# Usage: [KEEP=1] benches/compile-time/run.sh [RUNS] [--release]   (RUNS defaults to 3)
# Prints one line per variant: median, range, ratio of medians to hand-written.
set -euo pipefail

runs=3
profile=()
for arg in "$@"; do
    case "$arg" in
        --release) profile=(--release) ;;
        ''|*[!0-9]*) echo "usage: $0 [RUNS] [--release]" >&2; exit 2 ;;
        *) runs=$arg ;;
    esac
done

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# KEEP=1 keeps the scratch workspace (its path is printed) for a closer look, e.g.
# `RUSTC_BOOTSTRAP=1 cargo rustc -p ct-macro -- -Ztime-passes` in it.
work=$(mktemp -d /tmp/videohub-compile-time.XXXXXX)
if [[ "${KEEP:-0}" == 1 ]]; then
    echo "scratch workspace: $work" >&2
else
    trap 'rm -rf "$work"' EXIT
fi
export CARGO_TARGET_DIR="$work/target"

# A workspace with snapshots of core and the proc macro, and the three crates.
cp -r "$repo/core" "$repo/macros" "$work/"
rm -rf "$work/core/tests" "$work/macros/tests"
cp "$repo/Cargo.lock" "$work/"
python3 - "$repo/Cargo.toml" "$work/Cargo.toml" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
text = re.sub(r"(?m)^members = \[.*\]$",
              'members = ["core", "macros", "ct-macro", "ct-hand", "ct-bon"]', text)
open(sys.argv[2], "w").write(text)
EOF

manifest() { # name, extra dependency lines
    mkdir -p "$work/$1/src"
    cat >"$work/$1/Cargo.toml" <<EOF
[package]
name = "$1"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
videohub-core = { path = "../core" }
serde = { version = "1", features = ["derive"] }
$2
EOF
}

manifest ct-macro 'videohub-macros = { path = "../macros" }'
cp -r "$repo/models/src/." "$work/ct-macro/src/"
manifest ct-hand ''
python3 "$here/gen.py" hand "$repo/tests/fixtures/models.json" "$work/ct-hand" >/dev/null
manifest ct-bon 'bon = "3"'
python3 "$here/gen.py" bon "$repo/tests/fixtures/models.json" "$work/ct-bon" >/dev/null

cd "$work"
echo "building dependencies once (${profile[*]:-debug}) ..." >&2
# Each crate alone, as it is timed: features are unified per build, so a build of the three
# together would leave other dependency artifacts than a build of one.
for v in macro hand bon; do
    cargo build --quiet "${profile[@]}" -p "ct-$v"
done

variants=(macro hand bon)
declare -A times
for ((round = 1; round <= runs; round++)); do
    for v in "${variants[@]}"; do
        cargo clean --quiet "${profile[@]}" -p "ct-$v"
        start=$(date +%s.%N)
        log=$(cargo build "${profile[@]}" -p "ct-$v" 2>&1)
        end=$(date +%s.%N)
        compiled=$(grep -c '^ *Compiling ' <<<"$log" || true)
        if [[ "$compiled" != 1 ]]; then
            echo "$log" >&2
            echo "error: the timed build of ct-$v compiled $compiled crates, not 1" >&2
            exit 1
        fi
        t=$(python3 -c "print(f'{$end - $start:.2f}')")
        times[$v]+="$t "
        echo "round $round: $v ${t}s" >&2
    done
done

python3 - "$runs" "${profile[*]:-debug}" "${times[macro]}" "${times[hand]}" "${times[bon]}" <<'EOF'
import statistics, sys
runs, profile = sys.argv[1], sys.argv[2]
data = {name: [float(x) for x in sys.argv[i].split()] for i, name in ((3, "macro"), (4, "hand"), (5, "bon"))}
hand = statistics.median(data["hand"])
print(f"compile time, 20 models, {profile}, {runs} runs each (clean build of the crate alone)")
print(f"{'variant':<8} {'median':>8} {'range':>15} {'vs hand':>8}")
for name in ("macro", "hand", "bon"):
    xs = data[name]
    med = statistics.median(xs)
    print(f"{name:<8} {med:>7.2f}s {min(xs):>6.2f}s-{max(xs):.2f}s {med / hand:>7.2f}x")
EOF
