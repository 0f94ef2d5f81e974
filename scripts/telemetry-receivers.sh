#!/usr/bin/env bash
# Installs the telemetry receivers the telemetry tests of the binary send to, written
# elsewhere, and prints the folder they are in:
#
#   - rotel-agent, an OpenTelemetry collector (`rotel`, PyPI), in a virtual environment:
#     <dir>/rotel-agent (version pinned in scripts/telemetry-receivers/requirements.txt);
#   - Prometheus (Debian's `prometheus` package, installed with apt-get when `prometheus`
#     is not on the PATH; its service is not started): <dir>/prometheus links to it.
#
# The folder is ${VIDEOHUB_TELEMETRY_RECEIVERS:-target/telemetry-receivers} (in the
# checkout). It needs python3 (with venv and pip) and access to PyPI the first time; later
# runs reuse what is installed while the pinned versions stay the same. Test binaries
# running at once share one installation.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
pins="$repo/scripts/telemetry-receivers"
dir="${VIDEOHUB_TELEMETRY_RECEIVERS:-$repo/target/telemetry-receivers}"
mkdir -p "$dir"
exec 9>"$dir/.lock"
flock 9

if ! command -v prometheus >/dev/null; then
    echo "telemetry-receivers: installing Debian's prometheus package" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2
    apt-get install -y --no-install-recommends prometheus >&2
fi
ln -sfn "$(command -v prometheus)" "$dir/prometheus"

stamp="$(cat "$pins/requirements.txt" | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$dir/.installed" 2>/dev/null)" = "$stamp" ] && [ -x "$dir/rotel-agent" ]; then
    echo "$dir"
    exit 0
fi

if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    echo "telemetry-receivers: python3 with venv not found: install it (Debian: apt-get install python3-venv)" >&2
    exit 1
fi

echo "telemetry-receivers: installing rotel-agent in $dir/python" >&2
rm -rf "$dir/python" "$dir/rotel-agent" "$dir/.installed"
python3 -m venv "$dir/python" >&2
"$dir/python/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r "$pins/requirements.txt" >&2
# The wheel ships the collector's binary inside the package.
agent="$("$dir/python/bin/python" -c 'import os, rotel; print(os.path.join(os.path.dirname(rotel.__file__), "rotel-agent"))')"
ln -s "$agent" "$dir/rotel-agent"

echo "$stamp" >"$dir/.installed"
echo "$dir"
