"""A private OpenLink Virtuoso instance (Debian's ``virtuoso-opensource``) in a subprocess, for
the tests of ``--store sparql:URL`` on Virtuoso.

Each instance has a database folder and a ``virtuoso.ini`` of its own, its HTTP server and its
SQL (isql) port on free ports of 127.0.0.1, and the anonymous ``SPARQL`` user allowed to
update, so the remote store can write through the plain ``/sparql`` endpoint.

Used as (not a doctest: it starts a server)::

    with running_virtuoso(tmp_path / "vdb") as query_url:
        assert httpx.post(query_url, data={"query": "ASK {}"}).json()["boolean"] is True
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.server_process import HOST, free_port

VIRTUOSO = "virtuoso-t"
ISQL = "isql-vt"
INSTALL_HINT = "run scripts/install-virtuoso.sh (make test runs it)"

#: More rows than the bundled data has quads: Virtuoso silently cuts an answer at
#: ResultSetMaxRows (10,000 by default), which would make the store read graphs short.
_MAX_ROWS = 1_000_000

_INI = """\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = {host}:{sql_port}
DisableUnixSocket = 1
MaxClientConnections = 10
CheckpointInterval = 0
CaseMode = 2
DirsAllowed = .
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = {host}:{http_port}
ServerRoot = {db}/vsp
MaxClientConnections = 10
ServerThreads = 10
Charset = UTF-8
EnabledGzipContent = 0

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 60
"""


def virtuoso_missing() -> str | None:
    """Why Virtuoso cannot be started here, or None when its programs are installed."""
    missing = [name for name in (VIRTUOSO, ISQL) if shutil.which(name) is None]
    if not missing:
        return None
    return f"{' and '.join(missing)} not found: OpenLink Virtuoso is not installed; {INSTALL_HINT}"


def isql(sql_port: int, statement: str, *, password: str = "dba") -> str:
    """Run one SQL statement as ``dba`` through ``isql-vt``; its output, or RuntimeError."""
    done = subprocess.run(
        [ISQL, f"{HOST}:{sql_port}", "dba", password, f"exec={statement}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
        raise RuntimeError(f"isql {statement!r} failed: {done.stdout}{done.stderr}")
    return done.stdout


@contextmanager
def running_virtuoso(location: Path, *, startup_timeout: float = 60.0) -> Iterator[str]:
    """Run ``virtuoso-t +foreground`` with its database in the new folder ``location``, HTTP on
    127.0.0.1 and a free port; yield its SPARQL endpoint (``http://127.0.0.1:PORT/sparql``).
    The server is stopped on exit."""
    why = virtuoso_missing()
    if why is not None:
        raise RuntimeError(why)
    location.mkdir(parents=True)
    (location / "vsp").mkdir()
    http_port, sql_port = free_port(), free_port()
    while sql_port == http_port:
        sql_port = free_port()
    ini = location / "virtuoso.ini"
    ini.write_text(
        _INI.format(
            db=location,
            host=HOST,
            http_port=http_port,
            sql_port=sql_port,
            max_rows=_MAX_ROWS,
        ),
        encoding="utf-8",
    )
    log = location / "virtuoso.out"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [VIRTUOSO, "+foreground", "+configfile", str(ini)],
            cwd=location,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        query_url = f"http://{HOST}:{http_port}/sparql"
        try:
            _wait_until_answering(process, query_url, location, startup_timeout)
            # The anonymous user of /sparql may then run SPARQL Update (Virtuoso's
            # authenticated endpoints use digest authentication, which the store does not do).
            isql(sql_port, 'grant SPARQL_UPDATE to "SPARQL"')
            yield query_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _wait_until_answering(
    process: subprocess.Popen[bytes], query_url: str, location: Path, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            logged = (location / "virtuoso.log").read_text(errors="replace")[-3000:]
            raise RuntimeError(f"virtuoso-t exited with {process.returncode}: {logged}")
        try:
            # A GET: Virtuoso never answers a direct POST (application/sparql-query).
            answer = httpx.get(
                query_url,
                params={"query": "ASK {}"},
                headers={"Accept": "application/sparql-results+json"},
                timeout=2,
            )
            if answer.status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"virtuoso-t did not answer {query_url} within {timeout} s")
        time.sleep(0.1)
