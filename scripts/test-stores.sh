#!/usr/bin/env bash
# Installs the object stores the tests run against, when missing: an S3-compatible server
# (moto, from PyPI: `pip install "moto[server]"`) and Azure's storage emulator (Azurite,
# from npm: `npm install -g azurite`, with Azure's Python client to make its containers).
# Each test starts its own server on a port the OS picks (scripts/s3-server.py,
# `azurite-blob --blobPort 0`).
set -euo pipefail
if ! python3 -c 'import moto.server, boto3' 2>/dev/null; then
    echo "installing moto[server] and boto3 from PyPI" >&2
    python3 -m pip install --quiet "moto[server]" boto3 >&2
fi
if ! python3 -c 'import azure.storage.blob' 2>/dev/null; then
    echo "installing azure-storage-blob from PyPI" >&2
    python3 -m pip install --quiet azure-storage-blob >&2
fi
if ! command -v azurite-blob >/dev/null; then
    echo "installing azurite from npm" >&2
    npm install --global --silent azurite >&2
fi
