"""Extraction throughput against a patterns-only baseline, in the same process.

Articles per second per core for `extract_article` on seed-size full texts and on
abstracts, and the same texts passed through the compiled number patterns alone
(percentages, intervals, p-values, ratios, timepoints). The target is a ratio, not a
wall-clock figure: extraction within 3x of the patterns-only pass, and >= 50 full
texts per second on one core.
"""
from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

from kb.extract import figures, numbers
from kb.extract.article import clear_caches, extract_article
from kb.models import ArticleRecord

ROOT = Path(__file__).resolve().parent.parent
# Two baselines, each pattern run once over the whole text:
#  - grammar: the compiled patterns of the number grammar (kb/extract/numbers.py: values,
#    percentages, intervals, p-values, timepoints) -- the target is measured against this;
#  - rules: those plus every compiled pattern of the prose rules (kb/extract/figures.py),
#    i.e. what a regex-only extractor would run.
GRAMMAR = [v for v in vars(numbers).values() if isinstance(v, re.Pattern)]
RULES = GRAMMAR + [v for v in vars(figures).values() if isinstance(v, re.Pattern)]


def grammar_only(text: str) -> int:
    return sum(1 for pat in GRAMMAR for _ in pat.finditer(text))


def rules_only(text: str) -> int:
    return sum(1 for pat in RULES for _ in pat.finditer(text))


def extract(text: str) -> int:
    clear_caches()  # each article measured cold, as in a real ingest of distinct papers
    return len(extract_article(ArticleRecord(source_format="text", text=text)).figures)


def rate(fn, texts: list[str], min_seconds: float = 2.0) -> float:
    """Texts per second, repeating the corpus until min_seconds have passed."""
    n, start = 0, time.perf_counter()
    while True:
        for t in texts:
            fn(t)
        n += len(texts)
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return n / elapsed


def main() -> int:
    full = [(ROOT / "data" / "samples" / "000_fc0d2b3c35c8c766.txt").read_text(encoding="utf-8")] + \
        [p.read_text(encoding="utf-8") for p in sorted((ROOT / "eval" / "docs").glob("jats_*.txt"))]
    abstracts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "eval" / "docs").glob("*.txt"))
                 if not p.name.startswith("jats_")]
    extract(full[0])  # warm caches: vocabulary and compiled patterns are built once per process
    report = {}
    for name, texts in (("full_text", full), ("abstracts", abstracts)):
        grammar = rate(grammar_only, texts)
        rules = rate(rules_only, texts)
        ours = rate(extract, texts)
        report[name] = {"articles_per_s_extract": round(ours, 1),
                        "articles_per_s_grammar_patterns": round(grammar, 1),
                        "articles_per_s_all_rule_patterns": round(rules, 1),
                        "slowdown_vs_grammar": round(grammar / ours, 2),
                        "slowdown_vs_all_rule_patterns": round(rules / ours, 2),
                        "mean_chars": sum(map(len, texts)) // len(texts)}
    report["patterns"] = {"grammar": len(GRAMMAR), "all_rules": len(RULES)}
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
