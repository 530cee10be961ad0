"""Shared fixtures: the two checked-in samples, a CLI runner, and stores built from them.

Every store lives under pytest's tmp_path; nothing touches ./kb.db or the network.
"""
from __future__ import annotations

import fcntl
import json
import os
import re
import select
import sqlite3
import struct
import subprocess
import sys
import tempfile
import termios
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir
from typer.testing import CliRunner

from kb.cli import app, main

# Property tests keep no example database, and Hypothesis's own cache goes to the temp
# folder: the suite leaves nothing behind in the repository.
settings.register_profile("kb", database=None, deadline=None)
settings.load_profile("kb")
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "kb-tests-hypothesis")

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
# The gold annotations of the two samples (copied from the shared evaluation folder, so
# the tests run from a clone alone).
GOLD_DIR = Path(os.environ.get("KB_GOLD_DIR", Path(__file__).parent / "fixtures" / "gold"))


def _one(pattern: str) -> Path:
    (path,) = SAMPLES.glob(pattern)
    return path


MELANOMA = _one("000_*.txt")   # PDF text: retrospective study of head and neck mucosal melanoma
MYELOMA = _one("002_*.txt")    # literature-platform JSON record of a myeloma review


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    """Environment knobs of kb must not leak in from the developer's shell."""
    for var in ("KB_DB", "KB_MAX_FILE_MB", "KB_DEBUG", "KB_MAX_PDF_PAGES", "KB_MAX_DECOMPRESSED_MB", "KB_VOCAB_DIR"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture(scope="session")
def melanoma_path() -> Path:
    return MELANOMA


@pytest.fixture(scope="session")
def myeloma_path() -> Path:
    return MYELOMA


@pytest.fixture(scope="session")
def melanoma_text() -> str:
    return MELANOMA.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def gold():
    """gold('000') -> the gold annotation dict of that sample."""
    def load(prefix: str) -> dict:
        paths = sorted(GOLD_DIR.glob(f"{prefix}_*.json"))
        if not paths:
            pytest.fail(f"gold annotation {prefix}_*.json not found in {GOLD_DIR} (set KB_GOLD_DIR)")
        return json.loads(paths[0].read_text(encoding="utf-8"))
    return load


def invoke(args: list[str], input: str | bytes | None = None):
    """Run `kb ARGS` in-process through typer's CliRunner (exceptions propagate)."""
    return CliRunner().invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)


@pytest.fixture
def kb():
    return invoke


@dataclass
class MainResult:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def kb_main(monkeypatch, capsys):
    """Run the real console-script entry point `kb.cli.main` (the one error path users see)."""
    def run(args: list[str]) -> MainResult:
        monkeypatch.setattr(sys, "argv", ["kb", *map(str, args)])
        code = 0
        try:
            main()
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        out = capsys.readouterr()
        return MainResult(code, out.out, out.err)
    return run


def table_counts(db_path: Path) -> dict[str, int]:
    """Row count of every table in the store (FTS shadow tables and migrations included)."""
    conn = sqlite3.connect(db_path)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {n: conn.execute(f"SELECT count(*) FROM [{n}]").fetchone()[0] for n in names}
    finally:
        conn.close()


@pytest.fixture
def counts():
    return table_counts


def connect(db_path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    return conn


@pytest.fixture
def store(tmp_path):
    """A new, empty store (modules that need another kind of store define their own)."""
    from kb.store.db import open_db
    db = open_db(tmp_path / "kb.db")
    yield db
    db.conn.close()


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory) -> Path:
    """A store with both samples ingested once. Read-only for the tests that use it."""
    db = tmp_path_factory.mktemp("seeded") / "kb.db"
    result = invoke(["ingest", MELANOMA, MYELOMA, "--db", db])
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture
def seeded(seeded_db) -> sqlite3.Connection:
    conn = connect(seeded_db)
    yield conn
    conn.close()


def study_id_of(conn: sqlite3.Connection, document_name: str) -> str:
    row = conn.execute("""SELECT sd.study_id FROM study_documents sd JOIN documents d ON d.id = sd.document_id
                          WHERE d.name = ?""", [document_name]).fetchone()
    assert row is not None, f"no study for {document_name}"
    return row[0]


@pytest.fixture
def study_of():
    return study_id_of


# --- helpers shared by the crash, concurrency and hostile-input tests ---------------------

def dump_store(db) -> dict[str, list[tuple]]:
    """Every row of every table (timestamps dropped), sorted: equal dumps are equal stores."""
    import sqlite3
    conn = sqlite3.connect(db)
    try:
        out = {}
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
            if name.startswith("sqlite_") or name == "_sqlite_migrations":
                continue
            cur = conn.execute(f"SELECT * FROM [{name}]")
            cols = [c[0] for c in cur.description]
            keep = [i for i, c in enumerate(cols) if c not in ("ingested_at", "created_at", "applied_at")]
            out[name] = sorted((tuple(r[i] for i in keep) for r in cur), key=repr)
        return out
    finally:
        conn.close()


def split_baseline(baseline: Path, folder: Path, files: int, per_file: int, prefix: str) -> dict[str, int]:
    """Write `files` MEDLINE files of `per_file` real citations each from a baseline file;
    returns file name -> number of citations."""
    import gzip
    import re
    src = gzip.decompress(baseline.read_bytes()).decode("utf-8")
    head = src[: src.index("<MedlineCitation ")]
    citations = re.findall(r"<MedlineCitation .*?</MedlineCitation>", src, re.S)
    counts = {}
    for i in range(files):
        chunk = citations[i * per_file:(i + 1) * per_file]
        name = f"{prefix}_{i:03d}.xml"
        (folder / name).write_text(head + "\n".join(chunk) + "\n</MedlineCitationSet>\n", encoding="utf-8")
        counts[name] = len(chunk)
    return counts


# ---------------------------------------------------------------- a kb process on a terminal

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\r")
ENTRY = "import sys, kb.cli.curate; from kb.cli import main; sys.argv[0] = 'kb'; main()"


class Terminal:
    """A `kb` process on a pseudo-terminal: send keys, wait for text on the screen."""

    def __init__(self, args, env):
        master, slave = os.openpty()
        fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 140, 0, 0))
        self.proc = subprocess.Popen([sys.executable, "-c", ENTRY, *map(str, args)], stdin=slave, stdout=slave,
                                     stderr=slave, env=env, start_new_session=True, close_fds=True)
        os.close(slave)
        self.fd = master
        self.raw = ""      # everything the program wrote
        self.seen = 0      # how much of it earlier waits consumed

    def _read(self, timeout: float) -> None:
        r, _, _ = select.select([self.fd], [], [], timeout)
        if r:
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                data = b""
            self.raw += data.decode("utf-8", "replace")

    def expect(self, pattern: str, timeout: float = 15) -> str:
        """Wait until the new screen text matches; return that new text (escape codes removed)."""
        deadline = time.monotonic() + timeout
        while True:
            text = ANSI.sub("", self.raw[self.seen:])
            m = re.search(pattern, text, re.S)
            if m:
                self.seen = len(self.raw)
                return text
            if time.monotonic() > deadline or (self.proc.poll() is not None and not select.select([self.fd], [], [], 0)[0]):
                raise AssertionError(f"{pattern!r} not on the screen; it shows:\n{text[-3000:]}")
            self._read(0.1)

    def send(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def close(self) -> int:
        try:
            code = self.proc.wait(timeout=15)
        finally:
            os.close(self.fd)
        return code


# ---------------------------------------------------------------- the console script

def env() -> dict:
    """The environment without KB_ settings, for a `kb` process of a test."""
    return {k: v for k, v in os.environ.items() if not k.startswith("KB_")}


def ingest_folder(kb: Path, folder: Path, db: Path) -> Path:
    """One uninterrupted `kb ingest` of a folder by the console script; returns the store."""
    proc = subprocess.run([str(kb), "ingest", str(folder), "--db", str(db)], capture_output=True, text=True,
                          env=env(), timeout=120)
    assert proc.returncode == 0, proc.stderr
    return db
