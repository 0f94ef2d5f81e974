#!/usr/bin/env python3
"""An S3-compatible server for the tests and benchmarks (moto's), on 127.0.0.1 at a port
the OS picks: prints the port, then serves until its standard input closes (its test
process ended). scripts/test-stores.sh installs moto."""
import logging
import sys

try:
    from moto.server import ThreadedMotoServer
except ImportError:
    sys.exit('moto is not installed: run scripts/test-stores.sh (pip install "moto[server]")')

# One line a request would drown the tests' own output.
logging.getLogger("werkzeug").setLevel(logging.ERROR)
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
print(server.get_host_and_port()[1], flush=True)
sys.stdin.read()
server.stop()
