#!/usr/bin/env bash
# What an addition to the hub's vocabulary costs, measured by making one: applies
# new-capability-and-input.patch (a capability for 3D models with its output kind, a mesh
# input kind, a category of each, and a test of models of both through #[video_model]) to a
# scratch worktree of HEAD, runs that test, and lists the files the patch touches besides it.
set -euo pipefail
root=$(git rev-parse --show-toplevel)
scratch=$(mktemp -d)
cleanup() {
    git -C "$root" worktree remove --force "$scratch/tree" >/dev/null 2>&1 || true
    rm -rf "$scratch"
}
trap cleanup EXIT
git -C "$root" worktree add -q --detach "$scratch/tree" HEAD
cd "$scratch/tree"
git apply "$root/benches/vocab-edit/new-capability-and-input.patch"
# A target directory of its own: the scratch tree's crates must not replace the checkout's.
CARGO_TARGET_DIR="$root/target/vocab-edit" cargo test -q -p videohub-tests --test mesh
git add -A
echo "files the addition touches, besides its test:"
git diff --cached --stat -- . ':(exclude)tests/tests/mesh.rs'
