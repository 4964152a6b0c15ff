"""Start-up never serves half a store (issue 14, item 3).

A start killed while it first fills an on-disk store used to leave half a store that the next
start served as healthy (/health "ok" with 5174 quads, /validation 216 Violations, ``goals``
0 rows). Now a fill records ``filling`` first and ``complete`` last (see ``ehelsekg.store.state``):
the next start fills it again; a store holding data without that record, or a load stopped
half-way, is refused with what happened and what to do; /health and /validation answer 503
``store-incomplete`` on a store that is incomplete or empty.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from ehelsekg.cli.main import main
from ehelsekg.errors import StoreNotReadyError
from ehelsekg.knowledge import open_knowledge_graph
from ehelsekg.service.service import KnowledgeService
from ehelsekg.settings import Settings
from ehelsekg.store import state as store_state
from ehelsekg.store.embedded import OxigraphStore
from ehelsekg.store.transfer import dump
from tests.server_process import _command, free_port, running_server

EX = "http://example.org/"
#: The strategy's five goals (data/reference/strategies.ttl), as ``goals`` lists them.
GOALS = 5


def _kill_during_first_fill(folder: Path, env: dict[str, str], delay: float) -> None:
    """Start ``serve`` on an empty store in a session of its own, and SIGKILL the whole process
    group ``delay`` seconds after the store's folder appears (the fill is under way)."""
    command = _command(free_port(), (), ())
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    try:
        deadline = time.monotonic() + 60
        while not (folder / "CURRENT").exists() and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(delay)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _environment(tmp_path: Path, folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EHELSEKG_")}
    env.update(
        {
            "EHELSEKG_STORE": f"oxigraph:{folder}",
            "EHELSEKG_CACHE_DIR": str(tmp_path / "cache"),
            "EHELSEKG_WORKERS": "1",
        }
    )
    return env


def _half_filled(tmp_path: Path) -> Path:
    """A store whose first fill was killed half-way, found by trying later and later kills."""
    for attempt, delay in enumerate((0.05, 0.15, 0.3, 0.02, 0.1, 0.2, 0.4, 0.0)):
        folder = tmp_path / f"store-{attempt}"
        _kill_during_first_fill(folder, _environment(tmp_path, folder), delay)
        if not folder.exists():
            continue
        store = OxigraphStore(folder)
        state, quads = store.state(), len(store)
        del store
        if state.status == store_state.FILLING and quads > 0:
            return folder
    pytest.fail("no kill landed during the first fill (it was always before or after it)")


def test_a_start_killed_during_the_first_fill_is_filled_again_at_the_next(
    tmp_path: Path,
) -> None:
    folder = _half_filled(tmp_path)
    whole = len(open_knowledge_graph(Settings(cache_dir=tmp_path / "cache")).store)
    with running_server(environment=_environment(tmp_path, folder)) as base_url:
        health = httpx.get(f"{base_url}/health", timeout=10).json()
        # Before: "ok" with the half store's quads (5174 of them in the issue).
        assert health["status"] == "ok" and health["quads"] == whole, health
        goals = httpx.get(f"{base_url}/queries/goals", timeout=30)
        assert goals.status_code == 200, goals.text
        assert len(goals.json()["rows"]) == GOALS
        report = httpx.get(f"{base_url}/validation", timeout=60).json()
        assert report["conforms"] and report["counts"]["Violation"] == 0, report["counts"]
    assert OxigraphStore(folder).state().complete


def test_a_store_holding_data_without_the_record_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "kg"
    store = OxigraphStore(folder)
    store.update(f"INSERT DATA {{ <{EX}a> <{EX}p> <{EX}b> }}")
    del store
    result = CliRunner().invoke(
        main, ["query", "goals", "--store", f"oxigraph:{folder}"], catch_exceptions=False
    )
    assert result.exit_code == StoreNotReadyError.exit_code, result.output
    assert "no record that a load into it finished" in result.output
    assert f"delete the folder {folder}" in result.output


def test_a_load_stopped_half_way_is_refused_until_it_is_run_again(tmp_path: Path) -> None:
    settings = Settings(cache_dir=tmp_path / "cache")
    whole = tmp_path / "all.nq"
    dump(open_knowledge_graph(settings).store, whole)
    folder = tmp_path / "kg"
    store = OxigraphStore(folder)
    # As a load records before it writes anything; the process then died.
    store.write_state(status=store_state.LOADING, begun_by="an `ehelsekg load`")
    store.update(f"INSERT DATA {{ <{EX}a> <{EX}p> <{EX}b> }}")
    del store
    spec = f"oxigraph:{folder}"
    with pytest.raises(StoreNotReadyError, match="was stopped before it finished"):
        open_knowledge_graph(settings, store=spec)
    loaded = CliRunner().invoke(main, ["load", str(whole), "--store", spec])
    assert loaded.exit_code == 0, loaded.output
    again = open_knowledge_graph(settings, store=spec)
    assert again.incompleteness() is None
    assert again.store.query("ASK { ?s ?p ?o }", include_inferred=False).boolean


def test_health_and_validation_refuse_an_empty_store(settings: Settings, tmp_path: Path) -> None:
    knowledge = open_knowledge_graph(settings)
    service = KnowledgeService(knowledge, replace(settings, workers=1, cache_dir=tmp_path))
    try:
        assert service.health()["status"] == "ok"
        # As a wipe by any means would leave it (the gate's own refusal is tested elsewhere).
        knowledge.store.update("DELETE WHERE { ?s ?p ?o }")
        with pytest.raises(StoreNotReadyError, match="no asserted triples"):
            service.health()
        with pytest.raises(StoreNotReadyError, match="no asserted triples"):
            service.validation()
    finally:
        service.close()


def test_health_is_503_with_the_one_error_shape_on_an_empty_store(
    settings: Settings, tmp_path: Path
) -> None:
    from fastapi.testclient import TestClient

    from server import create_app

    knowledge = open_knowledge_graph(settings)
    chosen = replace(settings, workers=1, cache_dir=tmp_path)
    with TestClient(create_app(chosen, knowledge=knowledge)) as client:
        assert client.get("/health").status_code == 200
        knowledge.store.update("DELETE WHERE { ?s ?p ?o }")
        answer = client.get("/health")
        assert answer.status_code == 503
        assert answer.json()["error"]["code"] == "store-incomplete"
        assert client.get("/validation").status_code == 503
