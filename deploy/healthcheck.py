"""The image's HEALTHCHECK. The part this container runs is read from its first process's command:
web (and all) answer /healthz on OTPDASH_BIND; worker and watch must have reported in from this host."""

import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

command = Path("/proc/1/cmdline").read_bytes().split(b"\0")
part = command[-2].decode() if len(command) > 1 and command[-2] in (b"worker", b"watch") else "web"
if part != "web":
    sys.exit(subprocess.run([sys.executable, "/app/manage.py", "health", "--part", part], timeout=25).returncode)

host, _, port = (os.environ.get("OTPDASH_BIND") or "0.0.0.0:8000").rpartition(":")
host = "127.0.0.1" if host in ("", "0.0.0.0", "[::]") else host
try:
    with urllib.request.urlopen(f"http://{host}:{port}/healthz", timeout=4) as response:
        sys.exit(0 if response.status == 200 else 1)
except (urllib.error.URLError, OSError) as exc:
    print(f"/healthz: {exc}", file=sys.stderr)
    sys.exit(1)
