"""Recurring items of one journal ('Editor's comments', 'Correction', 'Reply') repeat title,
first author and year; another volume or first page makes them two papers. Found on real
data: pybtex's tugboat.bib (2,720 entries) was stored as 2,129 studies with 2,339 field
conflicts, every 'Editor's Comments' of a year merged into one."""
import sqlite3

from kb.match import Candidate, compare, first_page
from kb.pipeline import ingest_paths
from kb.store.db import open_db


def cand(**kw):
    base = dict(id=None, title="Editor's comments", year=1995, first_author="Barbara Beeton", identifiers={},
                journal="TUGboat")
    return Candidate(**{**base, **kw})


def test_items_of_one_journal_on_other_pages_are_different_papers():
    v = compare(cand(volume="16", pages="3-4"), cand(volume="16", pages="115-116"))
    assert v.relation == "different" and "first pages 3 and 115" in v.reasons
    assert compare(cand(volume="15"), cand(volume="16")).relation == "different"
    assert compare(cand(volume="2", issue="2"), cand(volume="2", issue="3")).relation == "different"


def test_the_same_item_from_two_sources_is_still_one_paper():
    assert compare(cand(volume="16", pages="345-50"), cand(volume="16", pages="345-350")).relation == "same"
    # One source gives no pages, or names the journal another way: nothing is decided by them.
    assert compare(cand(pages="3-4"), cand()).relation == "same"
    assert compare(cand(pages="3-4"), cand(journal="TUGboat: The Communications of the TeX Users Group",
                                           pages="115")).relation == "same"


def test_a_shared_identifier_wins_over_pages():
    ids = {"doi": "10.1000/x"}
    assert compare(cand(identifiers=ids, pages="e12"), cand(identifiers=ids, pages="1-9")).relation == "same"


def test_first_page_reads_ranges_and_article_numbers():
    assert [first_page(p) for p in ("345-50", "345–350", "e0046493", "46493", "S12, S14", None)] == \
        ["345", "345", "46493", "46493", "s12", ""]


RIS = """TY  - JOUR
TI  - Editor's comments
AU  - Beeton, Barbara
JO  - TUGboat
PY  - 1995
VL  - 16
SP  - 3
EP  - 4
ER  - 

TY  - JOUR
TI  - Editor's comments
AU  - Beeton, Barbara
JO  - TUGboat
PY  - 1995
VL  - 16
SP  - 115
EP  - 116
ER  - 
"""

BIB = """@article{beeton95,
  title = {Editor's comments},
  author = {Beeton, Barbara},
  journal = {TUGboat},
  year = {1995},
  volume = {16},
  pages = {115--116},
}
"""


def test_store_keeps_recurring_items_apart_and_merges_a_second_source(tmp_path):
    (tmp_path / "a.ris").write_text(RIS)
    (tmp_path / "b.bib").write_text(BIB)
    report = ingest_paths(open_db(tmp_path / "kb.db"), [str(tmp_path / "a.ris"), str(tmp_path / "b.bib")])
    assert not report.failed
    con = sqlite3.connect(tmp_path / "kb.db")
    rows = con.execute("""SELECT s.pages, count(sd.document_id) FROM studies s
                          JOIN study_documents sd ON sd.study_id = s.id GROUP BY s.id ORDER BY s.pages""").fetchall()
    assert rows == [("115-116", 2), ("3-4", 1)]
    assert con.execute("SELECT count(*) FROM field_conflicts").fetchone()[0] == 0


def test_a_short_title_with_no_year_or_author_is_no_proof_of_one_paper():
    # Two web pages copied as text both "titled" by their navigation had been merged into
    # one study; without a year or an author, a short title is only reported.
    bare = dict(id=None, year=None, first_author=None, identifiers={})
    v = compare(Candidate(title="Skip to main content", **bare), Candidate(title="Skip to main content", **bare))
    assert v.relation == "near_duplicate"
    long_title = "Proton therapy for sinonasal mucosal melanoma: a multicentre series"
    assert compare(Candidate(title=long_title, **bare), Candidate(title=long_title, **bare)).relation == "same"
    assert compare(cand(title="Reply"), cand(title="Reply")).relation == "same"   # year and author back it
