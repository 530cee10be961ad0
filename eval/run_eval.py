"""`make eval`: ingest the seeds and our own gold documents, export, score every gold file.
`python eval/run_eval.py --markdown` adds the per-document table the README keeps.

The scorer is the shared one (../shared/eval/score.py), so our numbers are the same
numbers the project is judged by. Gold: the seeds' (shared) and ours (eval/gold/).
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(ROOT.parent / "shared" / "eval")


def main() -> int:
    scorer = SHARED / "score.py"
    if not scorer.exists():
        print(f"eval: {scorer} not found (the shared scorer sits beside the repository)", file=sys.stderr)
        return 1
    kb = [sys.executable, "-m", "kb"]
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "eval.db")
        # Registry records are scored as users feed them, the registry's own JSON or XML
        # (eval/docs/registry); eval/docs/registry_text keeps the text renderings the gold
        # quotes come from, for reading, not ingested.
        docs = sorted(str(p) for p in (ROOT / "eval" / "docs").glob("*.txt")) + \
            sorted(str(p) for p in (ROOT / "eval" / "docs" / "registry").iterdir()) + \
            sorted(str(p) for p in (ROOT / "data" / "samples").iterdir())
        subprocess.run(kb + ["ingest", *docs, "--db", db], check=True)
        export = Path(tmp) / "export.json"
        with open(export, "w") as fh:
            subprocess.run(kb + ["export", "--format", "json", "--db", db], check=True, stdout=fh)
        gold = sorted(str(p) for p in (SHARED / "gold").glob("*.json")) + \
            sorted(str(p) for p in (ROOT / "eval" / "gold").glob("*.json"))
        code = subprocess.run([sys.executable, str(scorer), "--export", str(export), "--gold", *gold]).returncode
        # The same micro averages over papers (text) and over registry records apart: their
        # endpoints are free-text outcome titles, named as the annotator chose.
        registry = {p.name for p in (ROOT / "eval" / "docs" / "registry").iterdir()}
        for label, keep in (("papers", False), ("registry records", True)):
            subset = [g for g in gold if (json.loads(Path(g).read_text())["document"] in registry) == keep]
            out = subprocess.run([sys.executable, str(scorer), "--export", str(export), "--gold", *subset],
                                 capture_output=True, text=True).stdout.strip().splitlines()
            print(f"{label} ({len(subset)} documents): {out[-1] if out else 'no output'}")
        if "--markdown" in sys.argv:
            report = json.loads(subprocess.run([sys.executable, str(scorer), "--export", str(export), "--json",
                                                "--gold", *gold], capture_output=True, text=True).stdout)
            print(markdown(report))
        return code


def markdown(report: dict) -> str:
    """The per-document table of the README."""
    rows = ["| document | figures F1 | strict F1 | figures found | cohorts F1 | adverse events F1 |",
            "|---|---|---|---|---|---|"]
    for r in report["documents"]:
        f = r["figures"]
        rows.append(f"| {r['document']} | {f['f1']:.3f} | {r['figures_strict']['f1']:.3f} | {f['tp']}/{f['gold']}"
                    f" ({f['pred']} extracted) | {r['cohorts']['f1']:.3f} | {r['adverse_events']['f1']:.3f} |")
    m, s = report["figures"], report["figures_strict"]
    rows.append(f"| **micro, all {len(report['documents'])}** | **{m['f1']:.3f}** (P {m['precision']:.3f}, "
                f"R {m['recall']:.3f}) | {s['f1']:.3f} | | | |")
    return "\n".join(rows)


if __name__ == "__main__":
    sys.exit(main())
