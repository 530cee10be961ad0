"""A paper's PubMed record, its JATS full text and a RIS export that contains it become one
study with three documents; the full text's figures are the study's."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from kb.ingesters.jats_xml import JatsXmlIngester
from kb.models import Document
from kb.pipeline import ingest_paths
from kb.store.db import open_db

JATS = Path(__file__).parent / "fixtures" / "jats" / "6605965a.nxml"


def jats_record():
    data = JATS.read_bytes()
    doc = Document(JATS.name, str(JATS), data, "x", len(data))
    return next(JatsXmlIngester().parse(doc))


def pubmed_xml(rec) -> str:
    """The PubMed record of the same paper, as efetch writes it (built from its metadata)."""
    authors = "".join(f"<Author><LastName>{a.family}</LastName><ForeName>{a.given or ''}</ForeName></Author>"
                      for a in rec.authors)
    return f"""<?xml version="1.0"?>
<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2019//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_190101.dtd">
<PubmedArticleSet><PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">{rec.pmid}</PMID>
<Article PubModel="Print"><Journal><JournalIssue><PubDate><Year>{rec.year}</Year></PubDate></JournalIssue>
<Title>{rec.journal.name}</Title></Journal><ArticleTitle>{rec.title}</ArticleTitle>
<Abstract><AbstractText>{rec.abstract}</AbstractText></Abstract><AuthorList>{authors}</AuthorList></Article>
</MedlineCitation><PubmedData><ArticleIdList><ArticleId IdType="pubmed">{rec.pmid}</ArticleId>
<ArticleId IdType="doi">{rec.doi}</ArticleId></ArticleIdList></PubmedData></PubmedArticle></PubmedArticleSet>
"""


def ris(rec) -> str:
    """A reference-manager export holding the paper among others (Embase style, DOI upper-cased)."""
    lines = ["TY  - JOUR", "TI  - An unrelated paper on something else entirely", "PY  - 2009", "ER  - ", "",
             "TY  - JOUR", f"TI  - {rec.title}"]
    lines += [f"AU  - {a.family}, {a.given or ''}" for a in rec.authors]
    lines += [f"PY  - {rec.year}", f"DO  - {rec.doi.upper()}", f"JF  - {rec.journal.name}", "ER  - ", ""]
    return "\n".join(lines)


def test_pubmed_record_jats_full_text_and_ris_entry_are_one_study(tmp_path):
    rec = jats_record()
    (tmp_path / "pubmed.xml").write_text(pubmed_xml(rec), encoding="utf-8")
    (tmp_path / "export.ris").write_text(ris(rec), encoding="utf-8")
    db = open_db(tmp_path / "kb.db")
    report = ingest_paths(db, [str(tmp_path / "pubmed.xml"), str(JATS), str(tmp_path / "export.ris")])
    assert not report.failed
    conn = sqlite3.connect(tmp_path / "kb.db")
    (sid,) = conn.execute("SELECT study_id FROM study_identifiers WHERE kind = 'pmid' AND value = ?",
                          [rec.pmid]).fetchone()
    formats = sorted(f for (f,) in conn.execute("""SELECT d.format FROM study_documents sd JOIN documents d
                                                   ON d.id = sd.document_id WHERE sd.study_id = ?""", [sid]))
    assert formats == ["jats-xml", "pubmed-xml", "ris"]
    assert conn.execute("SELECT count(*) FROM studies").fetchone()[0] == 2  # the paper and the unrelated one
    # The full text's figures count; any the abstract repeats are superseded.
    live = conn.execute("""SELECT d.format, count(*) FROM figures f JOIN documents d ON d.id = f.document_id
                           WHERE f.study_id = ? AND f.superseded = 0 GROUP BY d.format""", [sid]).fetchall()
    assert dict(live).get("jats-xml", 0) >= 40 and set(dict(live)) == {"jats-xml"}
