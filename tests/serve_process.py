"""A real `qes serve` process for fault and journey tests: start, wait until it answers, SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx

from support import REPO


class ServeProcess:
    def __init__(self, project: Path, port: int, *extra: str) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.output = ""  # what it printed, once stopped
        env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
        command = [sys.executable, "-m", "qes", "serve", "--project", str(project), "--port", str(port), *extra]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        deadline = time.time() + 30
        while True:
            try:
                httpx.get(self.url + "/login", timeout=2)
                return
            except httpx.TransportError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"qes serve exited: {self.process.communicate()[1]}") from None
                if time.time() > deadline:
                    self.kill()
                    raise RuntimeError("qes serve did not start") from None
                time.sleep(0.1)

    def client(self, who: tuple[str, str]) -> httpx.Client:
        client = httpx.Client(base_url=self.url, timeout=30)
        r = client.post("/api/login", json={"email": who[0], "password": who[1]})
        r.raise_for_status()
        return client

    def kill(self) -> None:
        """SIGKILL: no clean-up, no rollback by the process itself (the database must cope)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.output = self.process.communicate(timeout=15)[0]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
        self.output = self.process.communicate(timeout=15)[0]


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
