"""The fetch manifest: which ids are already fetched, and into which files.

One JSON line per fetched record, appended as soon as its file is written, in
`<raw folder>/.kb-fetch.jsonl` (hidden, so `kb ingest <raw folder>` never reads it). An
interrupted fetch resumes from it: an id whose entry and files are there is skipped. Failures
are not written, so they are tried again next time.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

FILE_NAME = ".kb-fetch.jsonl"


@dataclass(frozen=True)
class Entry:
    source: str
    kind: str        # "record" or "fulltext"
    id: str
    files: tuple[str, ...]
    note: str | None = None


class Manifest:
    def __init__(self, raw_dir: Path):
        self.raw_dir = Path(raw_dir)
        self.path = self.raw_dir / FILE_NAME
        self.entries: dict[tuple[str, str, str], Entry] = {}
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    d = json.loads(line)
                    e = Entry(d["source"], d["kind"], d["id"], tuple(d.get("files") or ()), d.get("note"))
                except (ValueError, KeyError, TypeError):
                    continue          # a line cut short by a crash: that id is fetched again
                self.entries[(e.source, e.kind, e.id)] = e

    def done(self, source: str, kind: str, id: str) -> Entry | None:
        """The entry when the id was fetched and its files are all still there."""
        e = self.entries.get((source, kind, id))
        if e is None or not all((self.raw_dir / f).is_file() for f in e.files):
            return None
        return e

    def add(self, entry: Entry) -> None:
        self.entries[(entry.source, entry.kind, entry.id)] = entry
        self.raw_dir.mkdir(parents=True, exist_ok=True)
        line = {"source": entry.source, "kind": entry.kind, "id": entry.id, "files": list(entry.files),
                "at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        if entry.note:
            line["note"] = entry.note
        with self.path.open("a+b") as f:
            f.seek(0, 2)
            if f.tell():
                f.seek(-1, 2)
                if f.read(1) != b"\n":
                    f.write(b"\n")     # a line cut short by a crash stays on its own line
            f.write(json.dumps(line, ensure_ascii=False).encode("utf-8") + b"\n")
