"""Full texts rendered with their outline's path as headings ("BODY.RESULTS:", "BODY.3. RESULTS.3.1.
PATIENTS:", "ABSTRACT.SUMMARY.FINDINGS: ..." before the paragraph, "TITLE: ..."), as PMC articles
are commonly flattened to plain text. Without them the whole paper was read as one abstract:
the discussion's cited figures counted as results and the methods' planned rates as findings."""
from kb.extract.article import document_spans, extract_article
from kb.extract.sections import path_heading
from kb.ingesters.text_article import guess_title
from kb.models import ArticleRecord

DOC = """TITLE: Surgery with or without adjuvant radiotherapy for mucosal melanoma of the head and neck

  ABSTRACT:
We compared surgery alone with surgery and radiotherapy in 120 patients. The 5-year overall survival was 41% after surgery alone.

BODY:
Mucosal melanoma is rare. Earlier series reported a 5-year overall survival of 25% (Smith, 2001).

BODY.2. PATIENTS AND METHODS.2.1. STATISTICAL ANALYSIS:
We assumed a 5-year overall survival of 30% in the control arm.

BODY.3. RESULTS.3.1. SURVIVAL: The 5-year overall survival was 41% (95% CI 30-52%) after surgery alone and 55% (95% CI 44-66%) after surgery and radiotherapy.

BODY.4. DISCUSSION:
Another series found a 5-year overall survival of 33% (Jones, 2010).
"""


def test_path_heading_kinds():
    assert path_heading("BODY.RESULTS:") == ("results", 13)
    assert path_heading("BODY.3. RESULTS.3.1. SURVIVAL: text")[0] == "results"
    assert path_heading("BODY.METHODS.STATISTICAL ANALYSIS: We")[0] == "methods"
    assert path_heading("ABSTRACT.SUMMARY.FINDINGS: All")[0] == "abstract"
    assert path_heading("BODY:")[0] == "introduction"
    assert path_heading("BODY.ACKNOWLEDGEMENTS.FUNDING SOURCES:")[0] == "other"
    assert path_heading("BODY.TRIAL PROFILE:") == (None, 19)     # no section named: the current one goes on
    assert path_heading("Body of evidence: we") is None
    assert path_heading("ABSTRACTS were screened: yes") is None


def test_sections_of_a_path_headed_text():
    rec = ArticleRecord("text", text=DOC, title=guess_title(DOC))
    assert rec.title == "Surgery with or without adjuvant radiotherapy for mucosal melanoma of the head and neck"
    kinds = [s.kind for s in document_spans(rec) if s.kind not in ("table", "caption", "furniture")]
    assert kinds == ["title", "abstract", "introduction", "methods", "results", "discussion"]


def test_results_read_from_the_heading_line_and_nothing_from_methods_or_citations():
    rec = ArticleRecord("text", text=DOC, title=guess_title(DOC))
    got = sorted((f.value, f.ci_low, f.section) for f in extract_article(rec).figures)
    # the abstract's 41% is the results' 41% (stored once, from the results); the methods' assumed
    # 30%, the introduction's cited 25% and the discussion's other series are no results of this study
    assert got == [(41.0, 30.0, "results"), (55.0, 44.0, "results")]
