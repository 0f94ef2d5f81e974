#!/usr/bin/env python3
"""Azurite's containers for the tests: `azure-container.py PORT create NAME` makes one,
`azure-container.py PORT read NAME KEY` prints a blob's SHA-256 and size, `… list NAME`
prints the names of its blobs, one a line. Azure's Python client (azure-storage-blob,
installed by scripts/test-stores.sh) signs the requests with the emulator's well-known key."""
import hashlib
import sys

try:
    from azure.storage.blob import BlobServiceClient
except ImportError:
    sys.exit("azure-storage-blob is not installed: run scripts/test-stores.sh")

port, action, container = sys.argv[1], sys.argv[2], sys.argv[3]
connection = (
    "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
    "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
    f"BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;"
)
client = BlobServiceClient.from_connection_string(connection).get_container_client(container)
if action == "create":
    client.create_container()
elif action == "read":
    data = client.download_blob(sys.argv[4]).readall()
    print(hashlib.sha256(data).hexdigest(), len(data))
elif action == "list":
    for blob in client.list_blobs():
        print(blob.name)
else:
    sys.exit(f"unknown action {action}")
