"""Hostile and broken inputs through `kb ingest` (kb issue 8, part 1).

Every bad input must give one line on stderr naming the file and the reason, a non-zero exit,
no traceback, and leave the store exactly as it was; good files in the same command are still
ingested and the summary counts both. Text in legacy encodings (GBK, GB18030, UTF-16 with and
without BOM, Latin-1) is not bad: it must be decoded to the right characters.

Small hand-written samples live in tests/fixtures/hostile (see SOURCES.md there); everything
large or dangerous (the 100 MB line, the gzip bomb, entity bombs, symlink loops, external
entities pointing at a local secret) is written under tmp_path by the tests.
"""
from __future__ import annotations

import gzip
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from conftest import dump_store

from kb.ingesters.base import decode_text
from kb.models import Document

ROOT = Path(__file__).resolve().parents[1]
FIX = Path(__file__).parent / "fixtures"
HOSTILE = FIX / "hostile"
KB = ROOT / ".venv" / "bin" / "kb"
# A good file that ingests in milliseconds (one PubMed citation).
GOOD = FIX / "pubmed" / "23657305.xml"
SECRET = "TOPSECRET-5e1f-never-read"


# ---------------------------------------------------------------- the bad-input corpus

@dataclass
class Bad:
    label: str
    make: Callable[[Path], Path]   # writes the input under a folder, returns the path to pass
    reason: str                    # regex the one-line reason must match


def _write(name: str, data: bytes | str) -> Callable[[Path], Path]:
    def make(d: Path) -> Path:
        p = d / name
        p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return p
    return make


def _copy(src: Path, name: str | None = None) -> Callable[[Path], Path]:
    def make(d: Path) -> Path:
        p = d / (name or src.name)
        shutil.copyfile(src, p)
        return p
    return make


PROSE = ("Median overall survival was 18 months with nivolumab versus 12 months with chemotherapy "
         "(HR 0.71, 95% CI 0.52-0.97, P = 0.03); grade 3 adverse events occurred in 14% of patients. ")
LAUGHS = "".join(f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 10))


def laughs(root: str, body: str) -> str:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE {root} [<!ENTITY lol0 "lol">{LAUGHS}]>\n' + body)


def xxe(root: str, body: str) -> Callable[[Path], Path]:
    """An external entity pointing at a local secret; the file must never be read."""
    def make(d: Path) -> Path:
        secret = d.parent / "secret.txt"
        secret.write_text(SECRET, encoding="utf-8")
        p = d / f"xxe_{root}.xml"
        p.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>\n'
                     + body.replace("REF", "&xxe;"), encoding="utf-8")
        return p
    return make


def xxe_param(d: Path) -> Path:
    secret = d.parent / "secret.dtd"
    secret.write_text(f'<!ENTITY leak "{SECRET}">', encoding="utf-8")
    p = d / "xxe_parameter_entity.nxml"
    p.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE article [<!ENTITY % ext SYSTEM "{secret.as_uri()}"> %ext;]>\n'
                 + JATS.replace("REF", "&leak;"), encoding="utf-8")
    return p


def xinclude(d: Path) -> Path:
    secret = d.parent / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    p = d / "xinclude.nxml"
    p.write_text(JATS.replace("REF", f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
                                     f'href="{secret.as_uri()}" parse="text"/>'), encoding="utf-8")
    return p


PUBMED = ("<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>Survival REF"
          "</ArticleTitle><Abstract><AbstractText>" + PROSE + " REF</AbstractText></Abstract></Article>"
          "</MedlineCitation></PubmedArticle></PubmedArticleSet>")
JATS = ('<article article-type="research-article"><front><article-meta><title-group><article-title>Survival REF'
        '</article-title></title-group><abstract><p>' + PROSE + ' REF</p></abstract></article-meta></front>'
        '<body><sec><title>Results</title><p>' + PROSE + '</p></sec></body></article>')
ENDNOTE = ('<xml><records><record><ref-type name="Journal Article">17</ref-type><titles><title>Survival REF'
           '</title></titles><abstract>' + PROSE + ' REF</abstract></record></records></xml>')
CTGOV = ("<clinical_study><id_info><nct_id>NCT00000001</nct_id></id_info><brief_title>Survival REF</brief_title>"
         "<brief_summary><textblock>" + PROSE + " REF</textblock></brief_summary></clinical_study>")
EPMC = ("<responseWrapper><hitCount>1</hitCount><resultList><result><id>1</id><source>MED</source><pmid>1</pmid>"
        "<title>Survival REF</title><abstractText>" + PROSE + " REF</abstractText></result></resultList>"
        "</responseWrapper>")
UNKNOWN_XML = "<lolz><lol>REF</lol><p>" + PROSE + "</p></lolz>"
XML_ROOTS = {"PubmedArticleSet": PUBMED, "article": JATS, "xml": ENDNOTE, "clinical_study": CTGOV,
             "responseWrapper": EPMC, "lolz": UNKNOWN_XML}


def deep_json(d: Path) -> Path:
    p = d / "deeply_nested.json"
    depth = 100_000
    p.write_text('{"status":"ok","message-type":"work","message":{"DOI":"10.1/x","title":'
                 + "[" * depth + "]" * depth + "}}", encoding="utf-8")
    return p


def deep_xml(d: Path) -> Path:
    p = d / "deeply_nested.nxml"
    p.write_text('<article><front><article-meta><abstract>' + "<p>" * 50_000 + "x" + "</p>" * 50_000
                 + "</abstract></article-meta></front></article>", encoding="utf-8")
    return p


def gzip_bomb(d: Path) -> Path:
    """PubMed XML whose gzip layer inflates far past KB_MAX_DECOMPRESSED_MB (set low in the
    tests): valid markup throughout, so only the cap can stop it. Written in chunks."""
    p = d / "baseline_bomb.xml.gz"
    unit = b"<DeleteCitation><PMID>1</PMID></DeleteCitation>" * 1000
    with gzip.open(p, "wb", compresslevel=9) as f:
        f.write(b'<?xml version="1.0"?>\n<PubmedArticleSet>')
        for _ in range((64 * 1024 * 1024) // len(unit)):    # 64 MB inflated, ~150 KB on disk
            f.write(unit)
        f.write(b"</PubmedArticleSet>")
    return p


def truncated_gzip(d: Path) -> Path:
    src = (FIX / "pubmed" / "test_current_medline.xml.gz").read_bytes()
    p = d / "truncated_medline.xml.gz"
    p.write_bytes(src[: len(src) // 2])
    return p


def truncated_pubmed(d: Path) -> Path:
    """Two whole citations, then the file stops mid-record: the whole file is refused,
    including the citations before the break (one transaction per document)."""
    text = gzip.decompress((FIX / "pubmed" / "test_current_medline.xml.gz").read_bytes()).decode("utf-8")
    cut = [m.end() for m in re.finditer(r"</PubmedArticle>", text)][1] + 200
    p = d / "truncated_pubmed.xml"
    p.write_text(text[:cut], encoding="utf-8")
    return p


def symlink_loop_file(d: Path) -> Path:
    a, b = d / "loop_a.txt", d / "loop_b.txt"
    os.symlink(b.name, a)
    os.symlink(a.name, b)
    return a


def broken_symlink(d: Path) -> Path:
    p = d / "dangling link.txt"
    os.symlink("no-such-target.txt", p)
    return p


def fifo(d: Path) -> Path:
    p = d / "named_pipe"
    os.mkfifo(p)
    return p


def unreadable(d: Path) -> Path:
    """A file open() cannot read: chmod 000 for a normal user; as root (who reads anything)
    a link to /proc/self/mem, a regular file whose first page read fails with EIO."""
    if os.geteuid() != 0:
        p = d / "unreadable.txt"
        p.write_text(PROSE * 5, encoding="utf-8")
        p.chmod(0)
        return p
    p = d / "unreadable.txt"
    os.symlink("/proc/self/mem", p)
    return p


def random_bytes(n: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(n)


def bad_inputs() -> list[Bad]:
    latin1_in_utf8 = (PROSE * 4).encode("utf-8").replace(b"versus", "v\xe9rsus".encode("latin-1"))
    # UTF-8 prose (en dashes, ±, ≥, µ) cut in the middle of a character and with a stray byte
    utf8 = (PROSE.replace("-", "–").replace("P = ", "P ≤ ") + "Dose 10 µg/kg ± 2. ") * 6
    broken_utf8 = utf8.encode("utf-8")
    broken_utf8 = broken_utf8[:301] + b"\xff" + broken_utf8[301:]
    return [
        Bad("empty", _write("empty.txt", b""), r"empty file"),
        Bad("whitespace only", _write("blank.txt", b" \n\t\r\n  \n"), r"empty file"),
        Bad("binary junk", _write("junk.bin", random_bytes(65536, 8)), r"binary|not look like article text"),
        Bad("PNG image", _write("figure.png", b"\x89PNG\r\n\x1a\n" + random_bytes(4096, 9)),
            r"binary|not look like article text|NUL"),
        Bad("zip archive", _write("export.zip", b"PK\x03\x04" + random_bytes(4096, 10)),
            r"binary|not look like article text|NUL"),
        Bad("NUL bytes in text", _write("nul.txt", (PROSE * 3).encode() + b"\x00\x00" + PROSE.encode()), r"NUL"),
        Bad("invalid UTF-8", _write("broken_utf8.txt", broken_utf8), r"invalid UTF-8"),
        Bad("invalid UTF-8 in JSON", _write("broken_utf8_crossref.json",
            (FIX / "api" / "crossref_json" / "test_works_with_many_ids__4.json").read_bytes()
            .replace(b"Human", b"Hum\xff\xfean")), r"not UTF-8"),
        Bad("truncated JSON", _copy(HOSTILE / "truncated_crossref.json"), r"malformed Crossref JSON"),
        Bad("type-confused Crossref", _copy(HOSTILE / "type_confused_crossref.json"), r"."),
        Bad("type-confused OpenAlex", _copy(HOSTILE / "type_confused_openalex.json"), r"."),
        Bad("JSON scalar", _write("scalar.json", b"42\n"), r"not look like article text|too short"),
        Bad("JSON of another API", _write("other_api.json", json.dumps({"results": [{"name": PROSE, "text": PROSE}]})),
            r"JSON of a kind kb does not read"),
        Bad("deeply nested JSON", deep_json, r"nested too deeply"),
        Bad("deeply nested XML", deep_xml, r"(?i)depth|nested|malformed"),
        *[Bad(f"billion laughs <{root}>", _write(f"laughs_{root}.xml", laughs(root, body.replace("REF", "&lol9;"))),
              r"(?i)entit|DOCTYPE|not article|markup|XML") for root, body in XML_ROOTS.items()],
        *[Bad(f"external entity <{root}>", xxe(root, body), r"(?i)entit|DOCTYPE|not article|markup|XML")
          for root, body in XML_ROOTS.items()],
        Bad("external parameter entity", xxe_param, r"(?i)entit|DOCTYPE|XML"),
        Bad("malformed JATS", _copy(HOSTILE / "malformed_jats.nxml"), r"(?i)malformed|mismatch"),
        Bad("malformed EndNote", _copy(HOSTILE / "malformed_endnote.xml"), r"(?i)malformed|mismatch"),
        Bad("truncated PubMed XML", truncated_pubmed, r"malformed PubMed XML"),
        Bad("HTML where XML was expected", _copy(HOSTILE / "html_instead_of_xml.xml"), r"(?i)HTML"),
        Bad("real HTML error page (CT.gov)", _copy(FIX / "pubmed" / "Invalid-nct-id.html", "NCT99999999.xml"),
            r"(?i)HTML"),
        Bad("fake PDF", _copy(HOSTILE / "fake.pdf"), r"(?i)PDF"),
        Bad("truncated PDF", _copy(FIX / "pdf" / "truncated.pdf"), r"(?i)PDF"),
        Bad("gzip bomb", gzip_bomb, r"KB_MAX_DECOMPRESSED_MB"),
        Bad("truncated gzip", truncated_gzip, r"(?i)gzip"),
        Bad("symlink loop", symlink_loop_file, r"symbolic link that loops"),
        Bad("dangling symlink", broken_symlink, r"(?i)no such file|symbolic link"),
        Bad("named pipe", fifo, r"not a regular file"),
        Bad("unreadable file", unreadable, r"(?i)permission denied|cannot be read"),
        Bad("missing file", lambda d: d / "no such file.txt", r"no such file"),
        Bad("non-ASCII name, bad content", _write("résumé 文献 ünïcødé.txt", random_bytes(3000, 11)),
            r"binary|not look like article text|NUL"),
        Bad("name with spaces, Latin-1 bytes in UTF-8 JSON", _write("my export (1).txt", latin1_in_utf8),
            r"."),  # decoded as Latin-1 would be fine too; see test_latin1_* below
    ]


BAD = bad_inputs()
# These may legitimately be ingested (their content is readable); they are kept in the corpus
# to prove they never crash. All others must fail.
MAY_SUCCEED = {"name with spaces, Latin-1 bytes in UTF-8 JSON", "type-confused OpenAlex", "type-confused Crossref"}


# ---------------------------------------------------------------- helpers

dump = dump_store


def error_lines(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if ln.startswith("error:")]


@pytest.fixture(scope="module")
def good_only(tmp_path_factory) -> Path:
    """A store holding the good file alone: what every bad+good run must end up with."""
    from conftest import invoke
    db = tmp_path_factory.mktemp("good") / "kb.db"
    r = invoke(["ingest", GOOD, "--db", db])
    assert r.exit_code == 0, r.output
    return db


@pytest.fixture
def small_limits(monkeypatch):
    # The gzip bomb is tested against a low cap (the code path is the same at any size).
    monkeypatch.setenv("KB_MAX_DECOMPRESSED_MB", "16")


# ---------------------------------------------------------------- one bad input + one good file

@pytest.mark.parametrize("bad", BAD, ids=[b.label for b in BAD])
def test_bad_input_fails_alone_and_good_file_still_goes_in(bad, tmp_path, kb_main, good_only, small_limits):
    inputs = tmp_path / "in"
    inputs.mkdir()
    path = bad.make(inputs)
    db = tmp_path / "kb.db"
    started = time.monotonic()
    r = kb_main(["ingest", str(path), str(GOOD), "--db", str(db)])
    assert time.monotonic() - started < 20, "a hostile input must not stall the run"
    assert "Traceback" not in r.stderr + r.stdout
    assert "internal error" not in r.stderr
    assert SECRET not in r.stderr + r.stdout
    lines = error_lines(r.stderr)
    if bad.label in MAY_SUCCEED and r.exit_code == 0:
        assert lines == []
        assert "2 ingested" in r.stderr
        return
    assert r.exit_code == 1, r.stderr
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith(f"error: {path}: "), lines[0]
    reason = lines[0][len(f"error: {path}: "):]
    assert re.search(bad.reason, reason), reason
    assert "\n" not in reason and len(reason) < 400
    assert re.search(r"^1 ingested \(\d+ studies, \d+ figures\), 0 unchanged, 1 failed$", r.stderr, re.M), r.stderr
    assert dump(db) == dump(good_only), "the bad file left something in the store"


def test_secret_never_reaches_the_store(tmp_path, kb_main, small_limits):
    """External entities, parameter entities and XInclude all point at one local file; its
    content must appear nowhere in the store, whatever each ingester decides."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    paths = [xxe(root, body)(inputs) for root, body in XML_ROOTS.items()] + [xxe_param(inputs), xinclude(inputs)]
    db = tmp_path / "kb.db"
    r = kb_main(["ingest", *map(str, paths), "--db", str(db)])
    assert "Traceback" not in r.stderr and SECRET not in r.stderr + r.stdout
    assert SECRET.encode() not in db.read_bytes()
    wal = db.with_name(db.name + "-wal")
    assert not wal.exists() or SECRET.encode() not in wal.read_bytes()
    conn = sqlite3.connect(db)
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        for row in conn.execute(f"SELECT * FROM [{name}]"):
            assert SECRET not in repr(row), name
    conn.close()


# ---------------------------------------------------------------- all of it in one command

def test_whole_corpus_in_one_run_of_the_console_script(tmp_path):
    """The real `kb` script over every bad input, a folder with a symlink loop, and good files
    with awkward names: one error line per bad file, exit 1, no traceback, the good files in,
    the summary counting both."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    bad_paths = [b.make(inputs) for b in BAD if b.label not in MAY_SUCCEED]
    folder = tmp_path / "folder with loop"
    (folder / "sub").mkdir(parents=True)
    os.symlink("..", folder / "sub" / "up")             # sub/up -> folder: a directory loop
    os.symlink(folder, folder / "sub" / "self")
    shutil.copyfile(FIX / "pubmed" / "32306807.xml", folder / "sub" / "good in loop.xml")
    good = [GOOD, FIX / "refs" / "example_pubmed.txt", tmp_path / "bonne étude 研究.xml", folder]
    shutil.copyfile(FIX / "pubmed" / "34843274.xml", good[2])
    env = {**os.environ, "KB_MAX_DECOMPRESSED_MB": "16"}
    env.pop("KB_DEBUG", None)
    db = tmp_path / "kb.db"
    started = time.monotonic()
    proc = subprocess.run([str(KB), "ingest", *map(str, bad_paths), *map(str, good), "--db", str(db)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert time.monotonic() - started < 60
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    assert proc.returncode == 1
    lines = error_lines(proc.stderr)
    assert len(lines) == len(bad_paths), "\n".join(lines)
    for path in bad_paths:
        assert sum(ln.startswith(f"error: {path}: ") for ln in lines) == 1, path
    # 1 + 1 (nbib, 10 records) + 1 + the file inside the looping folder
    summary = re.search(r"^(\d+) ingested \((\d+) studies, \d+ figures\), (\d+) unchanged, (\d+) failed$",
                        proc.stderr, re.M)
    assert summary, proc.stderr
    assert int(summary[1]) == 4 and int(summary[2]) == 13 and int(summary[3]) == 0
    assert int(summary[4]) == len(bad_paths)
    conn = sqlite3.connect(db)
    names = {r[0] for r in conn.execute("SELECT name FROM documents")}
    assert names == {"23657305.xml", "example_pubmed.txt", "bonne étude 研究.xml", "good in loop.xml"}
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    conn.close()


# ---------------------------------------------------------------- the 100 MB line and file limits

def _hundred_mb_line(path: Path) -> int:
    chunk = (PROSE.strip() + " ").encode() * 4096
    size = 0
    with open(path, "wb") as f:
        while size < 100 * 1024 * 1024:
            f.write(chunk)
            size += len(chunk)
    return size


def test_100mb_single_line_at_default_limits(tmp_path, kb_main, good_only):
    """Under the default 200 MB file limit the line is read, but it is not an article: it is
    refused quickly (never handed to extraction, which would run for minutes)."""
    big = tmp_path / "one line.txt"
    _hundred_mb_line(big)
    db = tmp_path / "kb.db"
    started = time.monotonic()
    r = kb_main(["ingest", str(big), str(GOOD), "--db", str(db)])
    assert time.monotonic() - started < 15
    assert r.exit_code == 1 and "Traceback" not in r.stderr
    (line,) = error_lines(r.stderr)
    assert line.startswith(f"error: {big}: ") and re.search(r"(?i)line", line), line
    assert dump(db) == dump(good_only)


def test_100mb_single_line_over_a_lowered_file_limit(tmp_path, kb_main, monkeypatch, good_only):
    big = tmp_path / "one line.txt"
    _hundred_mb_line(big)
    monkeypatch.setenv("KB_MAX_FILE_MB", "10")
    db = tmp_path / "kb.db"
    r = kb_main(["ingest", str(big), str(GOOD), "--db", str(db)])
    assert r.exit_code == 1
    (line,) = error_lines(r.stderr)
    assert line == f"error: {big}: larger than the 10 MB limit (KB_MAX_FILE_MB) for a format that is read whole"
    assert dump(db) == dump(good_only)


def test_file_limit_applies_to_standard_input(tmp_path, monkeypatch):
    monkeypatch.setenv("KB_MAX_FILE_MB", "1")
    env = {**os.environ, "KB_MAX_FILE_MB": "1"}
    db = tmp_path / "kb.db"
    proc = subprocess.run([str(KB), "ingest", "-", "--db", str(db)], input=(PROSE * 20000).encode(),
                          capture_output=True, env=env, timeout=60)
    assert proc.returncode == 1
    assert b"error: -: larger than the 1 MB limit (KB_MAX_FILE_MB)" in proc.stderr
    assert b"Traceback" not in proc.stderr


@pytest.mark.parametrize("value", ["0", "-5", "lots"])
def test_bad_limit_setting_is_one_line_error(tmp_path, kb_main, monkeypatch, value):
    monkeypatch.setenv("KB_MAX_DECOMPRESSED_MB", value)
    gz = tmp_path / "medline.xml.gz"
    shutil.copyfile(FIX / "pubmed" / "test_current_medline.xml.gz", gz)
    r = kb_main(["ingest", str(gz), "--db", str(tmp_path / "kb.db")])
    assert r.exit_code == 1 and "Traceback" not in r.stderr
    (line,) = error_lines(r.stderr)
    assert "KB_MAX_DECOMPRESSED_MB" in line


def test_gzip_within_the_limit_is_ingested(tmp_path, kb_main, monkeypatch):
    """The cap refuses bombs, not real files: the 4-citation baseline sample (~50 KB inflated)
    goes in under a 1 MB cap."""
    monkeypatch.setenv("KB_MAX_DECOMPRESSED_MB", "1")
    r = kb_main(["ingest", str(FIX / "pubmed" / "test_current_medline.xml.gz"), "--db", str(tmp_path / "kb.db")])
    assert r.exit_code == 0, r.stderr
    assert "1 ingested (4 studies" in r.stderr


# ---------------------------------------------------------------- legacy encodings are decoded, not garbled

ENCODED = [
    ("gbk_abstract.txt", "gbk"),
    ("gb18030_abstract.txt", "gb18030"),
    ("latin1_abstract.txt", "latin-1"),
    ("utf16le_bom_abstract.txt", "utf-16"),
    ("utf16be_bom_abstract.txt", "utf-16"),
    ("utf16le_nobom_abstract.txt", "utf-16-le"),
    ("utf16be_nobom_abstract.txt", "utf-16-be"),
]


@pytest.mark.parametrize("name,codec", ENCODED, ids=[n for n, _ in ENCODED])
def test_legacy_encoding_is_decoded_correctly(name, codec, tmp_path, kb_main):
    src = HOSTILE / name
    want = src.read_bytes().decode(codec)
    db = tmp_path / "kb.db"
    r = kb_main(["ingest", str(src), "--db", str(db)])
    assert r.exit_code == 0, r.stderr
    conn = sqlite3.connect(db)
    (text,) = conn.execute("SELECT text FROM documents").fetchone()
    conn.close()
    assert text == want


LATIN = [
    # short Western-European texts charset detection alone reads as cp1250/cp1257/cp775
    "Résumé of naïve café patients: the median OS of 12 months was reported in the trial and the results were good.",
    "Die Überlebensrate der Patienten mit Lungenkrebs war größer; Ergebnisse für Männer und Frauen wurden geprüft.",
    "Supervivencia global en pacientes españoles: la mediana fue de 18 meses, según el análisis del año pasado.",
    "Survival was longer – a café-based “résumé” of naïve coöperation € 12 months after treatment in the trial.",
]


@pytest.mark.parametrize("text", LATIN, ids=["fr-en", "de", "es", "cp1252-punctuation"])
def test_latin1_and_cp1252_are_not_garbled(text):
    data = text.encode("cp1252")
    doc = Document(name="x.txt", path="x.txt", data=data, sha256="0", size=len(data))
    assert decode_text(doc) == text


def test_cyrillic_single_byte_text_still_detected():
    text = "Общая выживаемость пациентов, получавших иммунотерапию, была выше, чем при химиотерапии. " * 3
    data = text.encode("cp1251")
    doc = Document(name="x.txt", path="x.txt", data=data, sha256="0", size=len(data))
    assert decode_text(doc) == text


def test_utf16_without_bom_ascii_only():
    """ASCII in UTF-16 without a BOM is valid UTF-8 full of NULs: it must be read as UTF-16,
    not refused as binary."""
    text = "Overall survival in patients treated with pembrolizumab was longer than with chemotherapy. " * 3
    for codec in ("utf-16-le", "utf-16-be"):
        data = text.encode(codec)
        doc = Document(name="x.txt", path="x.txt", data=data, sha256="0", size=len(data))
        assert decode_text(doc) == text


# ---------------------------------------------------------------- folders

def test_folder_with_symlink_loops_terminates(tmp_path, kb_main):
    folder = tmp_path / "corpus"
    (folder / "a" / "b").mkdir(parents=True)
    os.symlink(folder, folder / "a" / "b" / "back to top")
    os.symlink(folder / "a", folder / "a" / "b" / "parent")
    os.symlink("loop2", folder / "a" / "loop1")
    os.symlink("loop1", folder / "a" / "loop2")
    shutil.copyfile(GOOD, folder / "a" / "b" / "paper.xml")
    db = tmp_path / "kb.db"
    for args in ([str(folder)], [str(folder / "**")]):
        started = time.monotonic()
        r = kb_main(["ingest", *args, "--db", str(db)])
        assert time.monotonic() - started < 20
        assert "Traceback" not in r.stderr
        lines = error_lines(r.stderr)
        # the two looping file links fail, one line each; the real file is read once
        assert len(lines) == 2 and all("loop" in ln for ln in lines), r.stderr
        assert r.exit_code == 1
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 1
    conn.close()


# ---------------------------------------------------------------- user values reach SQL only as parameters

HOSTILE_VALUES = [
    "x' OR '1'='1",
    "'; DROP TABLE studies;--",
    'Robert"); DROP TABLE figures;--',
    "%",
    "_",
    "100%",
    "\\",
    "]]; SELECT * FROM documents --",
    "免疫治疗 ' OR 1=1 --",
    "ünïcødé ;-- %_",
]
# A marker of each value that would show in SQL text only if the value were pasted into it.
FILTERS = ["--therapy", "--outcome", "--condition", "--measure", "--study"]


@pytest.fixture
def sql_log(monkeypatch):
    """Every SQL text kb sends (without its parameters), from every connection open_db makes."""
    import kb.store.db as kb_db

    seen: list[str] = []

    class Recording(sqlite3.Connection):
        def execute(self, sql, *args):
            seen.append(sql)
            return super().execute(sql, *args)

        def executemany(self, sql, *args):
            seen.append(sql)
            return super().executemany(sql, *args)

        def executescript(self, sql):
            seen.append(sql)
            return super().executescript(sql)

    real = sqlite3.connect
    monkeypatch.setattr(kb_db.sqlite3, "connect", lambda *a, **k: real(*a, factory=Recording, **k))
    return seen


@pytest.fixture
def seeded_copy(seeded_db, tmp_path) -> Path:
    db = tmp_path / "kb.db"
    src = sqlite3.connect(seeded_db)
    dst = sqlite3.connect(db)
    src.backup(dst)
    src.close()
    dst.close()
    return db


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_every_filter_takes_hostile_values_as_data(value, seeded_copy, kb_main, sql_log):
    before = dump(seeded_copy)
    for flag in FILTERS:
        for cmd in (["query", "--format", "json"], ["crosstab", "--format", "json"]):
            sql_log.clear()
            r = kb_main([*cmd, flag, value, "--db", str(seeded_copy)])
            assert r.exit_code == 0, (cmd, flag, r.stderr)
            assert "Traceback" not in r.stderr
            rows = json.loads(r.stdout)
            if cmd[0] == "query":
                # no figure's field contains these values, so no filter may match anything
                # (a quote pasted into SQL would match everything, % and _ as wildcards too)
                assert rows == [], (flag, value)
            if len(value) > 2:   # "_" and "\\" occur in kb's own SQL (figure_id, ESCAPE '\\')
                assert not any(value in sql for sql in sql_log), (flag, "value pasted into SQL text")
    for cmd in (["log", "--item", value], ["log", "--who", value], ["log", "--study", value],
                ["review", "--conflicts", "--study", value], ["studies"]):
        sql_log.clear()
        r = kb_main([*cmd, "--format", "json", "--db", str(seeded_copy)])
        assert r.exit_code == 0, (cmd, r.stderr)
        assert len(value) <= 2 or not any(value in sql for sql in sql_log), cmd
    assert dump(seeded_copy) == before


@pytest.mark.parametrize("option", ["--rows", "--cols", "--count", "--status"])
def test_names_that_choose_sql_are_checked_against_a_list(option, seeded_copy, kb_main):
    """Axes, counts and statuses pick SQL fragments: a hostile name is an error, never SQL."""
    cmd = ["query"] if option == "--status" else ["crosstab"]
    for value in HOSTILE_VALUES[:3]:
        r = kb_main([*cmd, option, value, "--db", str(seeded_copy)])
        assert r.exit_code == 1, r.stderr
        (line,) = error_lines(r.stderr)
        assert "unknown" in line and "Traceback" not in r.stderr


def test_percent_and_underscore_match_only_themselves(seeded_copy, kb_main):
    """LIKE filters escape their wildcards: '%' finds nothing, a real condition word does."""
    conn = sqlite3.connect(seeded_copy)
    name = conn.execute("SELECT c.name FROM conditions c JOIN studies s ON s.condition_id = c.id "
                        "WHERE s.id IN (SELECT study_id FROM figures) LIMIT 1").fetchone()[0]
    conn.close()
    word = max(name.split(), key=len)

    def found(value: str) -> list:
        return json.loads(kb_main(["query", "--condition", value, "-f", "json", "--db", str(seeded_copy)]).stdout)

    assert found(word)
    for wildcard in ("%", "_", "%%", word[:3] + "%", word[:2] + "_" + word[3:]):
        assert found(wildcard) == [], wildcard


def test_hostile_text_is_stored_verbatim_by_curation(seeded_copy, kb_main):
    conn = sqlite3.connect(seeded_copy)
    fid = conn.execute("SELECT id FROM figures LIMIT 1").fetchone()[0]
    conn.close()
    reason = "'); DROP TABLE figures;-- 100% ünïcødé \\"
    r = kb_main(["curate", "reject", fid, "--reason", reason, "--db", str(seeded_copy)])
    assert r.exit_code == 0, r.stderr
    conn = sqlite3.connect(seeded_copy)
    assert conn.execute("SELECT count(*) FROM figures").fetchone()[0] > 0
    tables = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    stored = [repr(row) for t in tables for row in conn.execute(f"SELECT * FROM [{t}]")]
    conn.close()
    assert any(reason.replace("\\", "\\\\") in s for s in stored)
