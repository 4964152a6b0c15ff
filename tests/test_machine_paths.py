"""No file of the repository names a place on its author's machine.

A test that reads ``/home/me/shared/…`` or a doc that says ``/root/ehelsekg`` works only where
its author's files lie. Everything a test needs is vendored under ``tests/`` (with its licence),
and what only lies beside the checkout (the source documents in ``../shared/seeds/``) is found
relative to the checkout, and its tests skip where it is absent.

The rule, for every text file git tracks: no absolute path may start in a folder that holds one
machine's or one person's files —

- home folders: ``/home/``, ``/root/``, ``/Users/`` (and ``C:\\Users\\``);
- work and mount roots: the top-level folders ``work``, ``workspace(s)``, ``builds``, ``mnt``,
  ``media`` and ``private``;
- scratch folders: ``/tmp/``, ``/var/tmp/`` — a fixed name there is one run's leftover (tests use
  pytest's ``tmp_path``), except in a doctest example (a ``>>>`` line), where ``/tmp/db`` only
  shows the shape of a call.

Allowed, because they are the same on every machine the project supports: system locations
(``/usr/bin/chromium``, ``/etc/…``, ``/opt/…``, ``/var/lib/…``, ``/proc/…``), example deployment
folders in the docs (``oxigraph:/srv/ehelsekg``), the home-relative cache ``~/.cache/ehelsekg``,
and URL paths (``http://host/home/…`` is not a file path). A path counts as absolute where it
starts the text, follows a space, quote, bracket, ``=``, ``,``, ``:`` (as in ``oxigraph:/…``)
or ``file://``. This file itself is not scanned: it shows what the rule refuses.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_START = r"(?:^|(?<=[\s'\"`(\[{=,:])|(?<=file://))"
MACHINE_PATH = re.compile(
    _START
    + r"(?:/(?:home|root|Users|work|workspaces?|builds|mnt|media|private)/"
    + r"|[A-Za-z]:\\Users\\)"
)
SCRATCH_PATH = re.compile(_START + r"/(?:var/)?tmp/")
DOCTEST_LINE = re.compile(r"^\s*(?:>>>|\.\.\.) ")

#: Folders never scanned when the checkout is not a git repository (then every file is).
UNTRACKED = {".git", ".venv", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}


def tracked_files() -> list[Path]:
    """The files git tracks (or, outside git, every file but caches and the venv)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return [
            p
            for p in ROOT.rglob("*")
            if p.is_file() and not UNTRACKED & set(p.relative_to(ROOT).parts)
        ]
    return [ROOT / name for name in listed.decode("utf-8").split("\0") if name]


def machine_paths(text: str) -> list[tuple[int, str]]:
    """(line number, line) of every line that names a machine path, by the rule above.

    >>> machine_paths('SUITE = Path("/home/me/shared/w3c")\\nchromium = "/usr/bin/chromium"')
    [(1, 'SUITE = Path("/home/me/shared/w3c")')]
    >>> machine_paths(">>> open_store(Path('/tmp/db'))\\nout = Path('/tmp/run-1')")
    [(2, "out = Path('/tmp/run-1')")]
    >>> machine_paths("see http://example.org/home/x or oxigraph:/srv/kg and ~/.cache/x")
    []
    """
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        scratch = SCRATCH_PATH.search(line) and not DOCTEST_LINE.match(line)
        if MACHINE_PATH.search(line) or scratch:
            found.append((number, line.strip()))
    return found


def test_the_rule_tells_machine_paths_from_legitimate_ones() -> None:
    assert machine_paths("cp /home/me/seeds/x.txt .")
    assert machine_paths("open('C:\\Users\\me\\data.ttl')")
    assert machine_paths("uri = 'file:///" + "work/shared/seeds/000.txt'")
    assert machine_paths("--store oxigraph:/mnt/disk/kg")
    assert not machine_paths("exec /usr/bin/chromium --headless")
    assert not machine_paths("prefix = 'https://w3id.org/ehelsekg/work/item'")
    assert not machine_paths("see https://example.org/Users/guide and /etc/ssl/certs")


def test_no_tracked_file_names_a_path_outside_the_repository() -> None:
    offenders = []
    for path in tracked_files():
        if path == Path(__file__).resolve():
            continue  # this file shows what the rule refuses
        data = path.read_bytes()
        if b"\0" in data[:8192]:
            continue  # a binary file (an image)
        text = data.decode("utf-8", errors="replace")
        offenders += [
            f"{path.relative_to(ROOT)}:{number}: {line[:120]}"
            for number, line in machine_paths(text)
        ]
    assert not offenders, "machine paths (see this test's docstring for the rule):\n" + "\n".join(
        offenders
    )
