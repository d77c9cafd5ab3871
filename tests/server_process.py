"""What the tests' own servers (dnsmasq, Prometheus, Mosquitto) share: a private folder that holds
the config and the log, and a stop that ends the child process however it behaves."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path


class ServerProcess:
    name = "server"  # the program: the folder's prefix and the log file's name

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix=f"otpdash-{self.name}-"))
        self.port = 0
        self._process: subprocess.Popen | None = None

    @property
    def log_path(self) -> Path:
        return self.root / f"{self.name}.log"

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:] if self.log_path.exists() else ""

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(5)

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
