"""Memory of the streaming ingesters as the file grows (issue 4): flat is a ratio of about 1.

For each multi-record format, builds files of N and 10N records by replicating the records
of a real sample (the copies in tests/fixtures of ../shared/realdata), then, each in a fresh
subprocess, sniffs and parses the file (no extraction, no store) from disk and reports:
  - py peak: tracemalloc's peak of the Python allocations made during sniff + parse;
  - rss peak: the process's peak resident memory (interpreter and imports included), which
    also sees what tracemalloc does not (lxml, yajl, the csv and codec buffers);
and their ratios 10N / N. A reader that holds the file shows about 10 for the first; a
streaming one about 1 for both.

Usage: python bench/bench_streaming.py [--scale 1.0] [--formats ris,bibtex,...]
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "fixtures"


def _json(rel: str) -> dict | list:
    return json.loads((FIX / rel).read_text(encoding="utf-8"))


def _cycle(items: list, n: int) -> list:
    return [items[i % len(items)] for i in range(n)]


def europepmc_json(n: int) -> bytes:
    obj = _json("api/europepmc_json/search_cancer_core.json")
    obj["resultList"]["result"] = _cycle(obj["resultList"]["result"], n)
    return json.dumps(obj, indent=1).encode()


def crossref_json(n: int) -> bytes:
    obj = _json("api/crossref_json/test_works_query.json")
    obj["message"]["items"] = _cycle(obj["message"]["items"], n)
    return json.dumps(obj).encode()


def openalex_json(n: int) -> bytes:
    return json.dumps({"meta": {"count": n, "page": 1}, "results": [_json("api/openalex_json/W2741809807.json")] * n}).encode()


def semantic_scholar_json(n: int) -> bytes:
    obj = _json("api/semanticscholar_json/test_search_paper.json")
    obj["data"] = _cycle(obj["data"], n)
    return json.dumps(obj).encode()


def csl_json(n: int) -> bytes:
    return json.dumps(_cycle(_json("refs/written_zotero_csl.json"), n), indent=2).encode()


def ctgov_json(n: int) -> bytes:
    return json.dumps({"studies": [_json("ctgov/v2/NCT00763412.json")] * n}).encode()


def _xml(rel: str, tag: bytes, n: int) -> bytes:
    data = (FIX / rel).read_bytes()
    blocks = re.findall(rb"<" + tag + rb"[\s>].*?</" + tag + rb">", data, re.S)
    first, last = data.index(blocks[0]), data.rindex(blocks[-1]) + len(blocks[-1])
    return data[:first] + b"\n".join(_cycle(blocks, n)) + data[last:]


def europepmc_xml(n: int) -> bytes:
    return _xml("api/europepmc_xml/search_cancer.xml", b"result", n)


def endnote_xml(n: int) -> bytes:
    return _xml("refs/written_endnote20.xml", b"record", n)


def _records(rel: str, start: bytes, n: int, head: bytes = b"", tail: bytes = b"") -> bytes:
    text = (FIX / rel).read_bytes().replace(b"\r\n", b"\n")
    recs = [start + r.strip(b"\n") + b"\n" for r in re.split(rb"^" + re.escape(start), text, flags=re.M)[1:]]
    recs = [r.split(b"\nEF\n")[0] + b"\n" for r in recs]
    return head + b"\n".join(_cycle(recs, n)) + tail


def ris(n: int) -> bytes:
    return _records("refs/scopus.ris", b"TY  - ", n)


def wos_tagged(n: int) -> bytes:
    return _records("refs/example_wos.ris", b"PT ", n, head=b"FN Clarivate Analytics Web of Science\nVR 1.0\n",
                    tail=b"\nEF\n")


def medline_nbib(n: int) -> bytes:
    return _records("refs/example_pubmed.txt", b"PMID- ", n)


def bibtex(n: int) -> bytes:
    text = (FIX / "refs" / "written_refs.bib").read_bytes()
    pieces = re.split(rb"\n(?=@)", text)
    macros = [p for p in pieces if p.lower().startswith(b"@string")]
    entries = [p.strip() + b"\n" for p in pieces if p.startswith(b"@") and p not in macros]
    return b"\n".join(macros) + b"\n\n" + b"\n".join(_cycle(entries, n))


def csv_export(n: int) -> bytes:
    import csv
    import io
    rows = list(csv.reader(io.StringIO((FIX / "refs" / "embase.csv").read_text(encoding="utf-8"), newline="")))
    out = io.StringIO(newline="")
    csv.writer(out).writerows([rows[0]] + _cycle(rows[1:], n))
    return out.getvalue().encode()


# format -> (builder, N): N chosen so that the N-record file is about 1-3 MB.
FORMATS: dict[str, tuple[Callable[[int], bytes], int]] = {
    "europepmc-json": (europepmc_json, 200), "europepmc-xml": (europepmc_xml, 2000),
    "crossref-json": (crossref_json, 500), "openalex-json": (openalex_json, 100),
    "semantic-scholar-json": (semantic_scholar_json, 20000), "csl-json": (csl_json, 2000),
    "ctgov-json": (ctgov_json, 40), "endnote-xml": (endnote_xml, 1000), "ris": (ris, 60),
    "wos-tagged": (wos_tagged, 300), "medline-nbib": (medline_nbib, 500), "csv-export": (csv_export, 600),
    "bibtex": (bibtex, 300),
}

_MEASURE = """
import hashlib, json, os, resource, sys, time, tracemalloc
from kb.models import Document, HEAD_BYTES
from kb.pipeline import pick_ingester
path = sys.argv[1]
with open(path, "rb") as fh:
    head = fh.read(HEAD_BYTES)
doc = Document(os.path.basename(path), path, None, "bench-" + path, os.path.getsize(path), head=head)
import kb.plugins; kb.plugins.ingesters()        # imports and plugin loading before the baseline
tracemalloc.start()
t = time.perf_counter()
ing = pick_ingester(doc)
n = sum(1 for _ in ing.parse(doc))
dt = time.perf_counter() - t
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
try:      # this process's own high-water mark (ru_maxrss would count the parent's at fork)
    with open("/proc/self/status") as fh:
        hwm = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
except OSError:
    hwm = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"format": ing.format, "records": n, "seconds": dt, "py_peak": peak, "rss_peak": hwm * 1024}))
"""


def measure(path: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", _MEASURE, str(path)], capture_output=True, text=True, check=True,
                         cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def mb(n: float) -> str:
    return f"{n / 1e6:.1f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every N by this")
    ap.add_argument("--formats", default=",".join(FORMATS), help="comma-separated formats")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in args.formats.split(","):
            build, n = FORMATS[fmt]
            n = max(1, int(n * args.scale))
            got = []
            for k in (n, 10 * n):
                path = Path(tmp) / f"{fmt}-{k}.dat"
                path.write_bytes(build(k))
                r = measure(path)
                assert r["format"] == fmt and r["records"] == k, (fmt, k, r)
                got.append((path.stat().st_size, r))
                path.unlink()
            (s1, a), (s2, b) = got
            rows.append((fmt, n, s1, s2, a, b))
            print(f"{fmt:22} N={n:<6} {mb(s1):>5} -> {mb(s2):>5} MB file | py peak {mb(a['py_peak']):>4} -> "
                  f"{mb(b['py_peak']):>4} MB x{b['py_peak'] / a['py_peak']:.2f} | rss peak {mb(a['rss_peak']):>5} -> "
                  f"{mb(b['rss_peak']):>5} MB x{b['rss_peak'] / a['rss_peak']:.2f} | "
                  f"{a['seconds']:.1f} -> {b['seconds']:.1f} s", flush=True)
    for key in ("py_peak", "rss_peak"):
        worst = max(b[key] / a[key] for *_, a, b in rows)
        print(f"worst {key} ratio (10N / N): {worst:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
