#!/usr/bin/env python3
"""boto3's upload_file of one file to an S3 endpoint, with boto3's defaults (8 MiB parts,
10 threads): `boto3_upload.py ENDPOINT BUCKET KEY FILE`. Prints the seconds it took and the
growth of the process's peak RSS during the upload, in KiB. The credentials are the
AWS_* variables of its environment."""
import resource
import sys
import time

import boto3

endpoint, bucket, key, path = sys.argv[1:5]
client = boto3.client("s3", endpoint_url=endpoint)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.monotonic()
client.upload_file(path, bucket, key)
seconds = time.monotonic() - started
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(f"{seconds:.3f} {after - before}")
