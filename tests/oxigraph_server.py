"""A real Oxigraph server (the ``oxigraph`` package's binary) in a subprocess, for the tests of
``--store sparql:URL``.

Used as (not a doctest: it starts a server)::

    with running_oxigraph(tmp_path / "db") as query_url:
        assert httpx.post(query_url, data={"query": "ASK {}"}).json()["boolean"] is True
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.server_process import HOST, free_port

#: Installed beside this Python by the dev extra (``oxigraph`` on PyPI).
OXIGRAPH = Path(sys.executable).parent / "oxigraph"


@contextmanager
def running_oxigraph(location: Path, *, startup_timeout: float = 30.0) -> Iterator[str]:
    """Run ``oxigraph serve`` on 127.0.0.1 and a free port, storing in ``location``; yield its
    query URL (``http://127.0.0.1:PORT/query``). The server is terminated on exit."""
    port = free_port()
    log = location.parent / f"{location.name}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(OXIGRAPH), "serve", "--location", str(location), "--bind", f"{HOST}:{port}"],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        query_url = f"http://{HOST}:{port}/query"
        try:
            deadline = time.monotonic() + startup_timeout
            while True:
                if process.poll() is not None:
                    raise RuntimeError(
                        f"oxigraph exited with {process.returncode}: " + log.read_text()
                    )
                try:
                    answer = httpx.post(
                        query_url,
                        content="ASK {}",
                        headers={"Content-Type": "application/sparql-query"},
                        timeout=2,
                    )
                    if answer.status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"oxigraph did not answer within {startup_timeout} s")
                time.sleep(0.05)
            yield query_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
