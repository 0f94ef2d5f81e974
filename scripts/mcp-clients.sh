#!/usr/bin/env bash
# Installs the MCP clients the tests of `videohub mcp` drive, clients written elsewhere, and
# prints the folder they are in:
#
#   - the official Python SDK's client (`mcp`, PyPI), in a virtual environment:
#     <dir>/python/bin/python (versions pinned in scripts/mcp-clients/requirements.txt);
#   - the MCP Inspector's command line (`@modelcontextprotocol/inspector`, npm), with the
#     Node.js 22 it needs: <dir>/node/node_modules/.bin (pinned in
#     scripts/mcp-clients/package-lock.json).
#
# The folder is ${VIDEOHUB_MCP_CLIENTS:-target/mcp-clients} (in the checkout). It needs
# python3 (with venv and pip) and npm, and access to PyPI and the npm registry the first time;
# later runs reuse what is installed while the pinned versions stay the same. Test binaries
# running at once share one installation.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
pins="$repo/scripts/mcp-clients"
dir="${VIDEOHUB_MCP_CLIENTS:-$repo/target/mcp-clients}"
mkdir -p "$dir"
exec 9>"$dir/.lock"
flock 9

stamp="$(cat "$pins/requirements.txt" "$pins/package.json" "$pins/package-lock.json" | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$dir/.installed" 2>/dev/null)" = "$stamp" ] \
    && [ -x "$dir/python/bin/python" ] && [ -x "$dir/node/node_modules/.bin/mcp-inspector" ]; then
    echo "$dir"
    exit 0
fi

missing=()
command -v python3 >/dev/null || missing+=(python3)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
    echo "mcp-clients: ${missing[*]} not found: install them (Debian: apt-get install python3-venv npm)" >&2
    exit 1
fi

echo "mcp-clients: installing the Python SDK's client in $dir/python" >&2
rm -rf "$dir/python" "$dir/.installed"
python3 -m venv "$dir/python" >&2
"$dir/python/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r "$pins/requirements.txt" >&2

echo "mcp-clients: installing the MCP Inspector in $dir/node" >&2
rm -rf "$dir/node"
mkdir -p "$dir/node"
cp "$pins/package.json" "$pins/package-lock.json" "$dir/node/"
# No install scripts: the Inspector's only one sets up a source checkout, and does nothing
# when it is a dependency.
(cd "$dir/node" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)

echo "$stamp" >"$dir/.installed"
echo "$dir"
