"""Result statements of rare-cancer abstracts (observational series of mucosal melanoma,
plasmacytoma, sinonasal and salivary tumours) that kb read wrongly or not at all, found by
scoring kb against blind gold annotations of real papers (kept outside the repo). The
sentences here are written for the tests, in the same styles."""
from kb.extract.article import extract_article
from kb.extract.endpoints import contract_name
from kb.models import ArticleRecord


def figures(sentence: str):
    ex = extract_article(ArticleRecord("text", text=f"Results\n{sentence}\n"))
    return [(contract_name(f.endpoint), f.measure, f.timepoint_months, f.group, f.value) for f in ex.figures]


def test_an_unknown_free_survival_is_its_own_endpoint_not_overall_survival():
    got = figures("The 10-year lymphoma-free survival rate was 62%.")
    assert [(e, m, t, v) for e, m, t, _, v in got] == [("lymphoma-free survival", "rate", 120, 62.0)]
    got = figures("The 5-year cause-specific survival was 71% and the 5-year sarcoma-specific survival was 66%.")
    assert [(e, v) for e, _, _, _, v in got] == [("CSS", 71.0), ("sarcoma-specific survival", 66.0)]


def test_a_known_survival_and_a_bare_survival_keep_their_codes():
    got = figures("The 3-year disease-free survival was 58% and the 3-year survival was 70%.")
    assert [(e, v) for e, _, _, _, v in got] == [("DFS", 58.0), ("OS", 70.0)]
