#!/usr/bin/env bash
# Builds every published crate with the oldest Rust its manifest declares (`rust-version`), so
# that a declared minimum is a checked one. Crates declaring the same version are checked in
# one `cargo check`, in target/msrv; a toolchain that is missing is installed with rustup
# (minimal profile). Libraries and binaries only, with their default features: what a user
# builds; the tests and benches may use newer dev-dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."

# One line per version, oldest first: "VERSION -p CRATE -p CRATE…" for the members that are
# published; a published member that declares no version is an error.
groups="$(cargo metadata --format-version 1 --no-deps --locked | python3 -c '
import json, sys
groups = {}
for package in json.load(sys.stdin)["packages"]:
    if package["publish"] == []:
        continue
    name, version = package["name"], package["rust_version"]
    if version is None:
        sys.exit(f"{name} is published but declares no rust-version")
    groups.setdefault(version, []).append(name)
for version in sorted(groups, key=lambda v: tuple(map(int, v.split(".")))):
    print(version, *(f"-p {name}" for name in groups[version]))
')"

while read -r version packages; do
    if ! rustup toolchain list | grep -q "^$version-"; then
        rustup toolchain install "$version" --profile minimal
    fi
    echo "Rust $version: $packages" >&2
    # shellcheck disable=SC2086 # one word per `-p` and crate name
    CARGO_TARGET_DIR=target/msrv cargo "+$version" check --locked $packages
done <<<"$groups"
