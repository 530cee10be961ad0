"""`kb review`: the interactive review queue in a plain terminal.

One figure at a time with its quote in context (the sentences around it, the quote in
bold, the number highlighted) and single keys: a accept, r reject, e edit a field
(FIELD=VALUE), s skip, u undo, q quit. Keys are read one at a time (termios cbreak) when
standard input is a terminal, else a line at a time (first character), so it works over
SSH, in tmux, and from a script. Where the reviewer stands is kept per user and queue,
and the next `kb review` over the same filter resumes there.
"""
from __future__ import annotations

import os
import re
import sys
from dataclasses import asdict
from typing import Callable

from rich.console import Console
from rich.text import Text
from sqlite_utils import Database

from kb.curate import audit, layer
from kb.errors import KbError
from kb.query.figures import FigureFilter, filter_sql
from kb.store import texts
from kb.store.save import now

KEYS_HELP = "[a]ccept  [r]eject  [e]dit  [s]kip  [u]ndo  [q]uit"
FIGURE_FIELDS = ("endpoint", "measure", "timepoint_months", "group", "comparator", "variable", "analysis",
                 "value", "unit", "ci_low", "ci_high", "p_value", "p_op")


def queue_name(flt: FigureFilter) -> str:
    return ";".join(f"{k}={v}" for k, v in sorted(asdict(flt).items()) if v not in (None, ()))


def queue(db: Database, flt: FigureFilter) -> list[str]:
    where, params = filter_sql(flt)
    return [r[0] for r in db.execute(f"""
        SELECT f.id FROM figure_values f JOIN study_values s ON s.id = f.study_id
        LEFT JOIN conditions c ON c.id = (SELECT condition_id FROM studies WHERE id = f.study_id)
        WHERE f.superseded = 0 AND {where} ORDER BY f.study_id, f.document_id, f.start, f.id""", params)]


def _position(db: Database, person: str, name: str) -> str | None:
    row = db.execute("SELECT item_key FROM review_positions WHERE who = ? AND queue = ?", [person, name]).fetchone()
    return row[0] if row else None


def _save_position(db: Database, person: str, name: str, key: str | None) -> None:
    db.execute("INSERT OR REPLACE INTO review_positions (who, queue, item_key, updated_at) VALUES (?, ?, ?, ?)",
               [person, name, key, now()])


# --- what is shown ----------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[A-Z0-9(])|\n\s*\n")


def context(text: str, start: int, end: int, sentences: int = 2, limit: int = 400) -> tuple[str, str, str]:
    """(before, quote, after): up to `sentences` sentences on each side of the quote."""
    before = text[max(0, start - limit):start]
    cuts = [m.end() for m in _SENTENCE_END.finditer(before)]
    if len(cuts) >= sentences:
        before = before[cuts[-sentences]:]
    after = text[end:end + limit]
    ends = [m.start() for m in _SENTENCE_END.finditer(after)]
    if len(ends) >= sentences:
        after = after[:ends[sentences - 1]]
    squash = lambda s: re.sub(r"\s+", " ", s)  # noqa: E731
    return squash(before).lstrip(), squash(text[start:end]), squash(after).rstrip()


def number_span(quote: str, value: float | None) -> tuple[int, int] | None:
    """Where the figure's number stands in its quote."""
    if value is None:
        return None
    forms = dict.fromkeys([f"{value:g}", f"{value}", f"{value:.1f}", f"{value:.2f}", f"{value:.3f}",
                           f"{value:g}".lstrip("0")])
    for form in forms:
        m = re.search(rf"(?<![\d.]){re.escape(form)}(?!\d)", quote)
        if m:
            return m.start(), m.end()
    return None


def _fmt(v) -> str:
    if v is None:
        return "-"
    return f"{v:g}" if isinstance(v, float) else str(v)


def render(console: Console, db: Database, fid: str, pos: int, total: int, queue_label: str, message: str = "") -> None:
    cur = db.execute("""SELECT f.*, s.title AS study_title, s.year, d.name AS document
                        FROM figure_values f JOIN study_values s ON s.id = f.study_id
                        JOIN documents d ON d.id = f.document_id WHERE f.id = ?""", [fid])
    row = cur.fetchone()
    if row is None:
        console.print(f"{fid}: no longer in the store")
        return
    f = dict(zip([c[0] for c in cur.description], row))
    base = layer.extracted(db, layer.Item("figure", fid, f["study_id"]))
    if console.is_terminal:
        console.clear()
    console.print(Text.assemble(("kb review ", "bold"), f"[{pos + 1}/{total}]  queue: {queue_label or 'all'}"))
    console.print(Text(f"Study {f['study_id']}: {f['study_title'] or '(untitled)'} ({f['year'] or 'n.d.'})"))
    console.print(Text.assemble(("Figure ", "bold"), f"{fid}  status: ", (f["status"], "bold cyan"),
                                f"  confidence {_fmt(f['confidence'])}  rule {f['rule'] or '-'}"
                                f"  section {f['section'] or '-'}"))
    line = Text()
    for name in FIGURE_FIELDS:
        v = f[name]
        if v is None and name not in ("endpoint", "measure", "value"):
            continue
        line.append(f"{name}=", style="dim")
        line.append(_fmt(v), style="bold yellow" if v != base.get(name) else "")
        if v != base.get(name):
            line.append(f" (was {_fmt(base.get(name))})", style="dim")
        line.append("  ")
    console.print(line)
    doc_text, base = texts.text_at(db, f["document_id"], f["start"])
    before, quote, after = context(doc_text, f["start"] - base, f["end"] - base)
    console.print(Text(f"Source: {f['document']}, characters {f['start']}-{f['end']}", style="dim"))
    text = Text("  ")
    text.append(before + " ", style="dim")
    span = number_span(quote, f["value"])
    if span:
        text.append(quote[:span[0]], style="bold")
        text.append(quote[span[0]:span[1]], style="bold reverse")
        text.append(quote[span[1]:], style="bold")
    else:
        text.append(quote, style="bold")
    text.append(" " + after, style="dim")
    console.print(text)
    if message:
        console.print(Text(message, style="green"))
    console.print(Text(KEYS_HELP, style="bold"))


# --- keys ----------------------------------------------------------------------------------

class Keys:
    """Single keys from a terminal, else lines. On a terminal, cbreak mode holds for the whole
    session (so no key typed between two screens is lost) and is restored on the way out."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdin
        self._saved = None
        try:
            self.fd = self.stream.fileno()
            self.tty = os.isatty(self.fd)
        except (AttributeError, OSError, ValueError):
            self.fd, self.tty = None, False

    def __enter__(self):
        if self.tty:
            import termios
            import tty
            self._saved = termios.tcgetattr(self.fd)
            tty.setcbreak(self.fd)
        return self

    def __exit__(self, *exc):
        self._restore()

    def _restore(self) -> None:
        if self._saved is not None:
            import termios
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)

    def key(self) -> str:
        if self.tty:
            ch = os.read(self.fd, 1)
            return ch.decode("utf-8", "replace") if ch else "q"
        line = self.stream.readline()
        if not line:
            return "q"  # end of input: leave, keeping the position
        return line.strip()[:1] or "\n"

    def line(self, prompt: Callable[[], None]) -> str:
        """A line typed with echo and editing (the terminal's own line mode), after the prompt."""
        if not self.tty:
            prompt()
            return self.stream.readline().strip()
        self._restore()
        try:
            prompt()
            data = b""
            while not data.endswith(b"\n"):
                chunk = os.read(self.fd, 1024)
                if not chunk:
                    break
                data += chunk
            return data.decode("utf-8", "replace").strip()
        finally:
            import tty
            tty.setcbreak(self.fd)


# --- the loop ------------------------------------------------------------------------------

def run_review(db: Database, flt: FigureFilter, *, keys: Keys | None = None, console: Console | None = None,
               person: str | None = None) -> dict:
    """Review the queue the filter gives; returns what was done."""
    person = person or audit.who()
    keys = keys or Keys()
    console = console or Console(highlight=False)
    name = queue_name(flt)
    ids = queue(db, flt)
    done = {"accepted": 0, "rejected": 0, "corrected": 0, "skipped": 0, "undone": 0}
    if not ids:
        console.print(f"nothing to review in this queue ({name or 'all'})")
        return done
    last = _position(db, person, name)
    pos = ids.index(last) if last in ids else 0
    message = f"resuming at {last}" if last in ids and pos else ""
    with keys:
        return _loop(db, ids, pos, name, keys, console, person, done, message)


def _loop(db: Database, ids: list[str], pos: int, name: str, keys: Keys, console: Console, person: str,
          done: dict, message: str) -> dict:
    history: list[tuple[int | None, int]] = []      # (log id of an action, queue position)
    while 0 <= pos < len(ids):
        fid = ids[pos]
        _save_position(db, person, name, fid)
        render(console, db, fid, pos, len(ids), name, message)
        message = ""
        k = keys.key().lower()
        try:
            if k == "a":
                mark = _mark(db)
                layer.accept(db, [fid], person=person)
                history.append((_first_log_after(db, mark), pos))
                done["accepted"] += 1
                message, pos = f"accepted {fid}", pos + 1
            elif k == "r":
                mark = _mark(db)
                layer.reject(db, [fid], person=person)
                history.append((_first_log_after(db, mark), pos))
                done["rejected"] += 1
                message, pos = f"rejected {fid}", pos + 1
            elif k == "e":
                text = keys.line(lambda: console.print(
                    f"field=value ({', '.join(FIGURE_FIELDS)}); empty to cancel: ", end=""))
                if text:
                    mark = _mark(db)
                    layer.set_fields(db, fid, layer.parse_assignments(text.split(";")), person=person)
                    history.append((_first_log_after(db, mark), pos))
                    done["corrected"] += 1
                    message = f"corrected {fid}: {text}"
            elif k == "s":
                done["skipped"] += 1
                message, pos = f"skipped {fid}", pos + 1
            elif k == "u":
                while history and history[-1][0] is None:
                    history.pop()
                if not history:
                    message = "nothing to undo in this session"
                else:
                    log_id, pos = history.pop()
                    audit.undo(db, log_id, person=person)
                    done["undone"] += 1
                    message = f"undone: {ids[pos]} is back as it was"
            elif k == "q":
                console.print(f"left at {pos + 1}/{len(ids)}; `kb review` with the same filter resumes here")
                return done
            else:
                message = f"unknown key {k!r}: {KEYS_HELP}"
        except KbError as e:
            message = f"error: {e}"
    _save_position(db, person, name, None)
    console.print(f"end of the queue: {done['accepted']} accepted, {done['rejected']} rejected, "
                  f"{done['corrected']} corrected, {done['skipped']} skipped")
    return done


def _mark(db: Database) -> int:
    return db.execute("SELECT COALESCE(max(id), 0) FROM curation_log").fetchone()[0]


def _first_log_after(db: Database, mark: int) -> int | None:
    """The first log row an action wrote (None when it changed nothing)."""
    return db.execute("SELECT min(id) FROM curation_log WHERE id > ?", [mark]).fetchone()[0]
