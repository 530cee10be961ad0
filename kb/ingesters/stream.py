"""Reading a document as a stream, for the ingesters of multi-record formats (issue 4).

Memory stays flat whatever the file size: a document is read through `doc.open()`, never
`doc.data`, one chunk, line, JSON item or XML element at a time.

* Text (RIS, MEDLINE, CSV, BibTeX, CSL-JSON, ClinicalTrials.gov JSON): `text_info()` picks
  the encoding `decode_text()` would pick (BOM, BOM-less UTF-16, UTF-8), checking the whole
  file in one streaming pass first, so that a file decode_text() refuses is refused with the
  same message before any record is read; `text_lines()` / `open_text()` then decode it
  incrementally. Only a file in a legacy encoding (neither UTF-8 nor UTF-16) is still
  decoded whole: charset detection needs all of it.
* JSON: `scan_json()` reads a document with ijson into a *shell*: the document with each
  list at one of the given paths (`resultList.result`, `studies`, a top-level array...)
  replaced by an empty `Streamed` list that counts its items; `json_items()` then streams
  the items of one such list. Sniffing uses a *skeleton* scan, which keeps even less (the
  root and the objects in it, with their scalars), so a large file of another kind costs
  no memory either. A document ijson cannot read (broken, nested too deeply, or with a
  value ijson would read differently from the json module) is read whole with the json
  module, as before, so the same error comes out: the whole-file read happens only for
  such files, and only within KB_MAX_FILE_MB (above it, ijson's reason is given).
* XML: `NamelessReader` hands lxml a file without its name, so messages say `<string>` as
  they did when the bytes were parsed from memory.
"""
from __future__ import annotations

import codecs
import io
import json
import re
from dataclasses import dataclass
from itertools import chain
from typing import Any, BinaryIO, Callable, Iterable, Iterator

import ijson
from ijson.common import JSONError

try:        # yajl's C backend: fast, and the one whose reading _UNSURE below is tuned to
    _IJSON = ijson.get_backend("yajl2_c")
except ImportError:  # pragma: no cover - ijson's wheels carry it for the platforms kb runs on
    _IJSON = ijson

from kb.errors import ParseError
from kb.ingesters.base import BAD_UTF8, GOOD_NON_ASCII, _BOMS as BOMS, decode_text, utf16_guess
from kb.models import Document

CHUNK = 1 << 16


def open_whole_allowed(doc: Document) -> bool:
    """Whether `doc.data` may be loaded (in memory already, or within KB_MAX_FILE_MB)."""
    limit = doc.max_bytes
    return limit is None or doc.size <= limit


def _chunks(doc: Document) -> Iterator[bytes]:
    with doc.open() as fh:
        while chunk := fh.read(CHUNK):
            yield chunk


class NamelessReader:
    """A binary reader without a `name`: lxml then calls the source `<string>` in its messages."""

    def __init__(self, raw: BinaryIO):
        self._raw = raw

    def read(self, size: int = -1) -> bytes:
        return self._raw.read(size)

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> "NamelessReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# ================================================================ text

@dataclass
class TextInfo:
    encoding: str | None      # None: a legacy encoding, only decode_text() on the whole file can tell
    has_cr: bool = False
    has_lf: bool = False


def text_info(doc: Document) -> TextInfo:
    """The codec decode_text(doc) would decode with, checked over the whole file in one pass;
    raises the ParseError decode_text would raise (same words, same byte offset)."""
    head = doc.head
    for bom, enc in BOMS:
        if head.startswith(bom):
            checked = _decodes(doc, enc)
            if isinstance(checked, int):
                raise ParseError(doc.name, f"starts with a {enc} byte order mark but is not {enc} text")
            return checked.info                 # decode_text lets NULs pass here
    enc = utf16_guess(head, doc.size)
    if enc:
        checked = _decodes(doc, enc)
        if not isinstance(checked, int) and not checked.nul:
            return checked.info
    checked = _decodes(doc, "utf-8")
    if isinstance(checked, int):
        if _mostly_utf8(doc):
            raise ParseError(doc.name, f"invalid UTF-8 at byte {checked} (the rest of the file is UTF-8)")
        return TextInfo(None)
    if checked.nul:
        raise ParseError(doc.name, "contains NUL bytes, not a text document")
    return checked.info


@dataclass
class _Decoded:
    info: TextInfo
    nul: bool


def _decodes(doc: Document, enc: str) -> _Decoded | int:
    """The whole file decoded with `enc`, keeping only what text_info needs of it; or the
    offset of the first byte that does not decode."""
    dec = codecs.getincrementaldecoder(enc)("strict")
    cr = lf = nul = False
    done = pending = 0
    try:
        for chunk in _chunks(doc):
            pending = len(dec.getstate()[0])
            s = dec.decode(chunk)
            done += len(chunk)
            cr, lf, nul = cr or "\r" in s, lf or "\n" in s, nul or "\x00" in s
        pending = len(dec.getstate()[0])
        dec.decode(b"", final=True)
    except UnicodeDecodeError as e:
        return done - pending + e.start
    return _Decoded(TextInfo(enc, cr, lf), nul)


def _mostly_utf8(doc: Document) -> bool:
    """base._mostly_utf8 over the file as a stream."""
    dec = codecs.getincrementaldecoder("utf-8")("surrogateescape")
    bad = good = 0
    for chunk in chain(_chunks(doc), [None]):
        s = dec.decode(b"", final=True) if chunk is None else dec.decode(chunk)
        bad += len(BAD_UTF8.findall(s))
        good += len(GOOD_NON_ASCII.findall(s))
    return good >= 2 * bad


def open_text(doc: Document, info: TextInfo) -> io.TextIOBase:
    """The document as text, decoded as it is read (lines split at CR, LF and CRLF, kept
    untranslated); a legacy encoding is decoded whole with decode_text()."""
    if info.encoding is None:
        return io.StringIO(decode_text(doc), newline="")
    return io.TextIOWrapper(doc.open(), encoding=info.encoding, newline="")


def text_lines(doc: Document, info: TextInfo | None = None) -> Iterator[tuple[int, str]]:
    """(line number, line) as ris.iter_lines gives them for decode_text(doc), read as a stream."""
    info = info or text_info(doc)
    with open_text(doc, info) as text:
        for no, line in enumerate(text, start=1):
            yield no, strip_eol(line).lstrip("\ufeff")


def strip_eol(line: str) -> str:
    if line.endswith("\n"):
        return line[:-2] if line.endswith("\r\n") else line[:-1]
    return line[:-1] if line.endswith("\r") else line


# ================================================================ JSON

class Streamed(list):
    """In a scanned JSON document, a list whose items are streamed rather than kept: empty,
    with its path, how many items it had and the set of what `check` said of them."""

    def __init__(self, ordinal: int, path: tuple):
        super().__init__()
        self.ordinal, self.path = ordinal, path
        self.count = 0
        self.tags: set = set()


class StreamJsonError(ValueError):
    """Why a file too large to read whole with the json module is not JSON, as ijson says it."""

    def __init__(self, msg: str, extra_data: bool = False):
        super().__init__(msg)
        self.msg, self.extra_data = msg, extra_data


class JsonBroken(Exception):
    """Not readable JSON. `error` is what the json module raised on it (JSONDecodeError,
    UnicodeDecodeError, RecursionError), or a StreamJsonError for a file over KB_MAX_FILE_MB."""

    def __init__(self, error: BaseException):
        super().__init__(str(error))
        self.error = error


def broken_json(doc: Document, broken: JsonBroken, what: str) -> ParseError:
    """The one-line reason a `what` JSON file could not be read."""
    e = broken.error
    if isinstance(e, json.JSONDecodeError):
        return ParseError(doc.path, f"malformed {what} JSON: {e.msg} (line {e.lineno}, column {e.colno})")
    if isinstance(e, UnicodeDecodeError):
        return ParseError(doc.path, f"{what} JSON is not UTF-8")
    if isinstance(e, RecursionError):
        return ParseError(doc.path, f"{what} JSON nested too deeply")
    return ParseError(doc.path, f"malformed {what} JSON: {e}")


# What a scan says of one item of a streamed list (path of the list, item) -> a tag.
Check = Callable[[tuple, Any], Any]


@dataclass
class JsonScan:
    """A JSON document read once: `root` with each streamed list left empty (a Streamed)."""
    root: Any
    stream_at: frozenset
    info: TextInfo | None = None
    lists: list[list] | None = None   # when it was read whole: the items of each Streamed
    complete: bool = True             # False for a skeleton that left something out


def scan_json(doc: Document, stream_at: Iterable[tuple], check: Check | None = None, *,
              text: bool = False, skeleton: bool = False) -> JsonScan:
    """Read the whole document once, in constant memory but for what lies outside the lists
    at `stream_at` (paths of keys from the root; () for a top-level array).

    `text=False` reads it as the API ingesters always have (one UTF-8 BOM skipped, UTF-8
    only); `text=True` decodes it as decode_text() would (CSL-JSON, ClinicalTrials.gov).
    Raises JsonBroken when it is not JSON, and decode_text's ParseError in text mode.

    A `skeleton` scan (for sniffing) keeps of the rest only the root and the objects in it
    with their scalars, so that a large file of another kind costs no memory either; its
    JsonScan is `complete` when nothing else was there to leave out."""
    stream_at = frozenset(stream_at)
    info = text_info(doc) if text else None
    if info is not None and info.encoding is None:
        return _scan_whole(doc, stream_at, check, text)
    walker = _Walker(doc, info, stream_at, SKELETON_BUDGET if skeleton else _shell_limit(doc), skeleton)
    try:
        for lst, _, item in walker:
            lst.tags.add(check(lst.path, item) if check else None)
    except (_Unsure, _IjsonFailed) as e:
        if open_whole_allowed(doc):
            return _scan_whole(doc, stream_at, check, text)
        raise JsonBroken(StreamJsonError(str(e), getattr(e, "extra_data", False))) from None
    except _TooBig:
        if skeleton:             # a huge root object: judged on the full shell, as before
            return scan_json(doc, stream_at, check, text=text)
        raise ParseError(doc.path, f"more than the {_shell_limit(doc) // (1024 * 1024)} MB limit (KB_MAX_FILE_MB) "
                                   "of JSON read whole (one record, or what surrounds the list of records)") from None
    return JsonScan(walker.root, stream_at, info, complete=walker.complete)


def json_items(doc: Document, scan: JsonScan, lst: Streamed) -> Iterator[tuple[int, Any]]:
    """(index, item) of a streamed list of a scanned document, read again as a stream."""
    if scan.lists is not None:
        yield from enumerate(scan.lists[lst.ordinal])
        return
    try:
        for found, i, item in _Walker(doc, scan.info, scan.stream_at, None):
            if found.ordinal == lst.ordinal:
                yield i, item
    except (_Unsure, _IjsonFailed) as e:      # it read the first time: the file changed since
        raise ParseError(doc.path, f"changed while being read: {e}") from None


def _shell_limit(doc: Document) -> int | None:
    return doc.max_bytes


def _scan_whole(doc: Document, stream_at: frozenset, check: Check | None, text: bool) -> JsonScan:
    """The document read whole with the json module, as before streaming: the same errors."""
    try:
        if text:
            obj = json.loads(decode_text(doc))
        else:
            data = doc.data[3:] if doc.data.startswith(codecs.BOM_UTF8) else doc.data
            obj = json.loads(data.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as e:
        raise JsonBroken(e) from None
    return scan_object(obj, stream_at, check)


def scan_object(obj: Any, stream_at: frozenset, check: Check | None = None) -> JsonScan:
    """What scan_json() gives for a document already in memory."""
    prefixes = {p[:i] for p in stream_at for i in range(len(p))}
    lists: list[list] = []

    def shell(v: Any, path: tuple) -> Any:
        if isinstance(v, list) and path in stream_at:
            s = Streamed(len(lists), path)
            lists.append(v)
            s.count = len(v)
            s.tags = {check(path, x) if check else None for x in v}
            return s
        if isinstance(v, dict) and path in prefixes:
            return {k: shell(x, path + (k,)) for k, x in v.items()}
        return v

    return JsonScan(shell(obj, ()), stream_at, None, lists)


# What a skeleton scan may keep (in bytes, roughly) before the file is scanned in full.
SKELETON_BUDGET = 8 << 20
# Deeper than this, the json module may raise RecursionError where ijson reads on: such a
# document is read whole, as before, so that it fails (or not) exactly as it did.
MAX_DEPTH = 400
# What ijson reads where the json module fails, or reads otherwise: a lone surrogate escape
# (\uD800-\uDBFF not followed by \uDC00-\uDFFF) it reads as "?", and vertical tab and form
# feed it takes for white space.
_UNSURE = re.compile(rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})|[\x0b\x0c]")


class _Unsure(Exception):
    """ijson would read this document differently from the json module."""


class _IjsonFailed(Exception):
    def __init__(self, msg: str, extra_data: bool):
        super().__init__(msg)
        self.extra_data = extra_data


class _TooBig(Exception):
    pass


class _Source:
    """The JSON bytes for ijson (one UTF-8 BOM skipped; another codec re-encoded as UTF-8),
    watching on the way for what ijson reads otherwise than the json module (_UNSURE)."""

    def __init__(self, doc: Document, info: TextInfo | None):
        self._raw = doc.open()
        self._text = None
        if info is None or info.encoding in ("utf-8", "utf-8-sig"):
            if self._raw.read(3) != codecs.BOM_UTF8:
                self._raw.seek(0)
        else:
            self._text = io.TextIOWrapper(self._raw, encoding=info.encoding, newline="")
        self._tail = b""
        self.unsure = False

    def read(self, size: int = CHUNK) -> bytes:
        chunk = self._raw.read(size) if self._text is None else self._text.read(size).encode("utf-8")
        buf = self._tail + chunk
        limit = len(buf) - 11 if chunk else len(buf)     # an escape at the very end waits for more
        if not self.unsure and any(m.start() < limit for m in _UNSURE.finditer(buf)):
            self.unsure = True
        self._tail = buf[max(limit, 0):] if chunk else b""
        return chunk

    def close(self) -> None:
        (self._text or self._raw).close()


class _Walker:
    """ijson events to values. Iterating yields (list, index, item) for each item of a list
    at a streamed path; everything else is built into `root` (the shell).

    As a `skeleton`, the shell keeps only what a sniff looks at: the root and the objects in
    it, with their scalars; any other list or object is left empty (of its type), and
    `complete` says whether anything was."""

    def __init__(self, doc: Document, info: TextInfo | None, stream_at: frozenset, limit: int | None,
                 skeleton: bool = False):
        self._doc, self._info, self._stream_at, self._limit = doc, info, stream_at, limit
        self._skeleton = skeleton
        self.root: Any = None
        self.complete = True
        self._root_done = False

    def __iter__(self) -> Iterator[tuple[Streamed, int, Any]]:
        src = _Source(self._doc, self._info)
        done = False
        try:
            yield from self._events(src)
            done = True
            if src.unsure:
                raise _Unsure("read otherwise by ijson")
        except JSONError as e:
            if src.unsure:
                raise _Unsure("read otherwise by ijson") from None
            raise _IjsonFailed(" ".join(str(e).split()), self._root_done) from None
        except UnicodeDecodeError as e:
            raise _IjsonFailed(f"not UTF-8 ({e.reason})", self._root_done) from None
        finally:
            src.close()
            if not done:
                self.root = None

    def _events(self, src: _Source) -> Iterator[tuple[Streamed, int, Any]]:
        # Frames: [container, pending key, path]. The container is None in a subtree the
        # skeleton does not keep; the path is None there and inside a streamed item.
        stack: list[list] = []
        ordinal = cost = 0
        limit = self._limit if self._limit is not None else float("inf")
        for event, value in _IJSON.basic_parse(src, use_float=True):
            top = stack[-1] if stack else None
            if event == "map_key":
                top[1] = value
                if top[2] is not None:
                    cost += 16 + len(value)
                continue
            if event == "start_map" or event == "start_array":
                if len(stack) >= MAX_DEPTH:
                    raise _Unsure("nested too deeply")
                if top is not None and top[0] is None:
                    stack.append([None, None, None])
                    continue
                if top is None:
                    path: tuple | None = ()
                elif top[2] is None or isinstance(top[0], Streamed):
                    path = None
                else:
                    path = top[2] + (top[1] if isinstance(top[0], dict) else 0,)
                kept = True
                if path is not None and event == "start_array" and path in self._stream_at:
                    container: Any = Streamed(ordinal, path)
                    ordinal += 1
                else:
                    container = {} if event == "start_map" else []
                    if path is not None:
                        cost += 16
                        if self._skeleton and (event == "start_array" or len(path) >= 2):
                            kept = self.complete = False
                if top is not None and not isinstance(top[0], Streamed):
                    _attach(top, container)
                stack.append([container if kept else None, None, path if kept else None])
                continue
            if event == "end_map" or event == "end_array":
                value = stack.pop()[0]
                top = stack[-1] if stack else None
                if value is None or (top is not None and not isinstance(top[0], Streamed)):
                    continue                        # attached when it started, or not kept
            elif top is not None and not isinstance(top[0], Streamed):
                if top[0] is not None:
                    _attach(top, value)
                    if top[2] is not None:
                        cost += 16 + (len(value) if isinstance(value, str) else 0)
                        if cost > limit:
                            raise _TooBig()
                continue
            if top is None:
                self.root = value
                self._root_done = True
                continue
            top[0].count += 1
            yield top[0], top[0].count - 1, value


def _attach(frame: list, value: Any) -> None:
    if isinstance(frame[0], dict):
        frame[0][frame[1]] = value
    else:
        frame[0].append(value)
