#!/usr/bin/env bash
# Prints the path of the `faketime` command (libfaketime's wrapper, which runs a program
# with its clock moved: `faketime -f +10m videohub …`), installing Debian's `faketime`
# package when it is missing. The fleet tests run a worker whose clock is ahead with it.
set -euo pipefail
if ! command -v faketime >/dev/null; then
    echo "installing Debian's faketime package" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2
    apt-get install -y --no-install-recommends faketime >&2
fi
command -v faketime
