"""A real ehelsekg server in a subprocess, for tests that talk to it over HTTP.

Used as (not a doctest: it starts a server)::

    with running_server(environment={"EHELSEKG_WORKERS": "1"}) as base_url:
        assert httpx.get(f"{base_url}/health").json()["status"] == "ok"
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on just now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _command(port: int, only: Sequence[Path], data: Sequence[Path]) -> list[str]:
    command = [sys.executable, "-c", "from ehelsekg.cli.main import main; main()", "serve"]
    command += ["--host", HOST, "--port", str(port)]
    for path in only:
        command += ["--only", str(path)]
    for path in data:
        command += ["--data", str(path)]
    return command


def _wait_until_healthy(
    base_url: str, process: subprocess.Popen[bytes], log: Path, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"the server exited with {process.returncode} before answering /health:\n"
                + log.read_text(encoding="utf-8", errors="replace")
            )
        try:
            if httpx.get(f"{base_url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(
        f"the server did not answer {base_url}/health within {timeout} s:\n"
        + log.read_text(encoding="utf-8", errors="replace")
    )


def _stop(process: subprocess.Popen[bytes], grace: float) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=grace)


@contextmanager
def running_server(
    *,
    environment: Mapping[str, str] | None = None,
    only: Sequence[Path] = (),
    data: Sequence[Path] = (),
    startup_timeout: float = 60.0,
    stop_timeout: float = 10.0,
) -> Iterator[str]:
    """Run ``ehelsekg serve`` on 127.0.0.1 and a free port; yield its base URL.

    ``environment`` adds ``EHELSEKG_*`` settings to this process's environment (any inherited
    ``EHELSEKG_UPDATE_TOKEN`` is dropped unless given here); ``only`` and ``data`` are passed
    as ``--only`` / ``--data``. On exit the server is terminated, and killed if it has not
    stopped within ``stop_timeout`` seconds. Its output is kept in a temporary log file and
    shown if it fails to start.
    """
    port = free_port()
    base_url = f"http://{HOST}:{port}"
    env = {k: v for k, v in os.environ.items() if k != "EHELSEKG_UPDATE_TOKEN"}
    env.update(environment or {})
    with tempfile.TemporaryDirectory(prefix="ehelsekg-server-") as folder:
        log = Path(folder) / "server.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                _command(port, only, data),
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                cwd=Path(__file__).resolve().parent.parent,
            )
            try:
                _wait_until_healthy(base_url, process, log, startup_timeout)
                yield base_url
            finally:
                _stop(process, stop_timeout)
