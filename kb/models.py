"""Dataclasses that cross stage boundaries (parse -> extract -> store). No I/O here but a
Document reading its own file when asked."""
from __future__ import annotations

import io
from dataclasses import dataclass, field, fields
from typing import Any, BinaryIO

from kb.errors import ParseError


class Compact:
    """Pickled as its class and its field values in order, rebuilt by calling the class.
    Records and extractions cross from --workers processes to the writer: pickle's default
    (an empty object, then its __dict__ set) made the writer spend a third more time
    unpickling them (issue 4 benchmark)."""
    __slots__ = ()

    def __reduce__(self):
        names = _FIELD_NAMES.get(type(self))
        if names is None:
            names = _FIELD_NAMES[type(self)] = tuple(f.name for f in fields(self))
        return type(self), tuple(getattr(self, n) for n in names)


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


@dataclass
class Author(Compact):
    name: str                      # display form, "Junmei Zhao" or a collective name
    family: str | None = None
    given: str | None = None
    collective: bool = False


@dataclass
class Journal(Compact):
    name: str
    issn: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    impact_factor: float | None = None
    quartile: str | None = None    # "Q1".."Q4" as the source gives it
    category: str | None = None


@dataclass
class Span(Compact):
    """A named stretch of the document text: a section, a table or a caption."""
    kind: str                      # abstract, introduction, methods, results, discussion,
                                   # conclusions, references, table, caption, front, other
    start: int
    end: int
    title: str | None = None


@dataclass
class TableCell(Compact):
    text: str
    start: int                     # offsets into ArticleRecord.text
    end: int


@dataclass
class Table(Compact):
    """A table with real structure (JATS, CSV, ...): rows of cells with offsets."""
    label: str | None
    caption: str | None
    rows: list[list[TableCell]]
    footnotes: str | None = None
    start: int = 0
    end: int = 0


@dataclass
class ArticleRecord(Compact):
    """What an ingester hands to extraction: metadata plus the text figures are quoted from.

    `text` is the document text every offset refers to. For plain-text inputs it is the
    decoded file content itself, so quotes are exact substrings of what the user gave us.
    """
    source_format: str
    text: str = ""
    title: str | None = None
    title_original: str | None = None
    title_language: str | None = None
    abstract: str | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    nct_id: str | None = None
    pub_date: str | None = None    # ISO-8601, as precise as the source gives
    year: int | None = None
    journal: Journal | None = None
    authors: list[Author] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    publication_types: list[str] = field(default_factory=list)
    language: str | None = None
    oa_url: str | None = None
    spans: list[Span] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    # What a structured source states outright (a registry's arms, interventions, posted
    # results): merged with what extraction finds in `text`. Offsets still point into `text`.
    stated: "Extraction | None" = None


class Document:
    """One input file (or stdin). A file's bytes are read only when an ingester asks for
    `data`; streaming ingesters read `open()` instead, so a large file is never held whole.
    `max_bytes` caps what `data` may load (streaming has no such cap)."""

    def __init__(self, name: str, path: str, data: bytes | None, sha256: str, size: int,
                 head: bytes | None = None, max_bytes: int | None = None):
        self.name, self.path, self.sha256, self.size = name, path, sha256, size
        self._data = data
        self._max_bytes = max_bytes
        self.head = head if head is not None else (data[:HEAD_BYTES] if data is not None else b"")

    @property
    def data(self) -> bytes:
        if self._data is None:
            if self._max_bytes is not None and self.size > self._max_bytes:
                raise ParseError(self.path, f"larger than the {self._max_bytes // (1024 * 1024)} MB limit "
                                            "(KB_MAX_FILE_MB) for a format that is read whole")
            with open(self.path, "rb") as fh:
                self._data = fh.read()
        return self._data

    @property
    def max_bytes(self) -> int | None:
        """The most `data` may load (None: no limit, or already in memory)."""
        return None if self._data is not None else self._max_bytes

    def open(self) -> BinaryIO:
        """A binary reader of the content from its start, without loading it whole."""
        if self._data is not None:
            return io.BytesIO(self._data)
        return open(self.path, "rb")

    def __repr__(self) -> str:
        return f"Document({self.name!r}, {self.size} bytes)"


# Bytes of a document its format is recognised by.
HEAD_BYTES = 65536


@dataclass
class Cohort(Compact):
    label: str
    n: int | None
    quote: str | None = None
    start: int | None = None
    end: int | None = None
    rule: str | None = None
    locator: str | None = None     # where in the source: "page 3", a JSON path, "Table 1"


@dataclass
class TherapyMention(Compact):
    mention: str
    canonical: str
    therapy_class: str
    start: int | None = None
    end: int | None = None
    given: bool = True             # False when named only while discussing other studies


@dataclass
class Figure(Compact):
    endpoint: str
    measure: str                   # rate HR OR RR median proportion
    value: float
    unit: str                      # % ratio months
    quote: str
    start: int
    end: int
    timepoint_months: float | None = None
    group: str | None = None
    comparator: str | None = None
    variable: str | None = None
    analysis: str | None = None    # univariate multivariate
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None
    p_op: str | None = None        # = <
    confidence: float = 0.5
    rule: str = ""
    section: str | None = None
    cited: bool = False            # a result the paper quotes from another study
    locator: str | None = None     # where in the source: "page 3", a JSON path, "Table 2"


@dataclass
class AdverseEvent(Compact):
    event: str
    grade: str
    phase: str | None = None
    n: int | None = None
    percent: float | None = None
    quote: str | None = None
    start: int | None = None
    end: int | None = None
    locator: str | None = None


@dataclass
class StudyFacts(Compact):
    """Study-level facts read from the text."""
    design: str | None = None
    condition: str | None = None
    n_patients: int | None = None
    follow_up_median_months: float | None = None


@dataclass
class Extraction(Compact):
    study: StudyFacts
    cohorts: list[Cohort] = field(default_factory=list)
    therapies: list[TherapyMention] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    adverse_events: list[AdverseEvent] = field(default_factory=list)
