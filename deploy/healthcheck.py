"""The image's HEALTHCHECK: /healthz on the address the web part listens on (OTPDASH_BIND)."""

import os
import sys
import urllib.error
import urllib.request

host, _, port = os.environ.get("OTPDASH_BIND", "0.0.0.0:8000").rpartition(":")
host = "127.0.0.1" if host in ("", "0.0.0.0", "[::]") else host
try:
    with urllib.request.urlopen(f"http://{host}:{port}/healthz", timeout=4) as response:
        sys.exit(0 if response.status == 200 else 1)
except (urllib.error.URLError, OSError) as exc:
    print(f"/healthz: {exc}", file=sys.stderr)
    sys.exit(1)
