"""Named schema migrations. Append new ones; never edit one that has shipped."""
from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("kb")


@migrations(name="0001_core")
def core(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            path TEXT NOT NULL,
            format TEXT NOT NULL,
            sha256 TEXT NOT NULL UNIQUE,
            size INTEGER NOT NULL,
            parser_version TEXT NOT NULL,
            ingested_at TEXT NOT NULL,
            text TEXT NOT NULL
        );
        CREATE TABLE journals (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            issn TEXT,
            impact_factor REAL,
            quartile TEXT,
            category TEXT
        );
        CREATE TABLE conditions (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,          -- as papers name it
            canonical TEXT                       -- vocabulary entry, when one matches
        );
        CREATE TABLE studies (
            id TEXT PRIMARY KEY,                 -- stable key derived from DOI/PMID/... or the file
            title TEXT,
            title_original TEXT,
            title_language TEXT,
            abstract TEXT,
            doi TEXT,
            pmid TEXT,
            pmcid TEXT,
            nct_id TEXT,
            pub_date TEXT,
            year INTEGER,
            journal_id INTEGER REFERENCES journals(id),
            volume TEXT,
            issue TEXT,
            pages TEXT,
            design TEXT,
            condition_id INTEGER REFERENCES conditions(id),
            n_patients INTEGER,
            follow_up_median_months REAL,
            language TEXT,
            oa_url TEXT,
            publication_types TEXT,              -- JSON list
            created_at TEXT NOT NULL
        );
        CREATE TABLE study_documents (
            study_id TEXT NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            PRIMARY KEY (study_id, document_id)
        );
        CREATE TABLE authors (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            family TEXT,
            given TEXT,
            collective INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE study_authors (
            study_id TEXT NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
            author_id INTEGER NOT NULL REFERENCES authors(id),
            position INTEGER NOT NULL,
            PRIMARY KEY (study_id, position)
        );
        CREATE TABLE keywords (
            id INTEGER PRIMARY KEY,
            keyword TEXT NOT NULL UNIQUE
        );
        CREATE TABLE study_keywords (
            study_id TEXT NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
            keyword_id INTEGER NOT NULL REFERENCES keywords(id),
            PRIMARY KEY (study_id, keyword_id)
        );
        CREATE TABLE therapies (
            id INTEGER PRIMARY KEY,
            canonical TEXT NOT NULL UNIQUE,
            class TEXT NOT NULL,
            parent TEXT                          -- canonical names, "|"-separated
        );
        CREATE TABLE study_therapies (
            id INTEGER PRIMARY KEY,
            study_id TEXT NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
            therapy_id INTEGER NOT NULL REFERENCES therapies(id),
            mention TEXT NOT NULL,
            given INTEGER NOT NULL DEFAULT 1,    -- 0: named only while discussing other studies
            document_id INTEGER REFERENCES documents(id),
            start INTEGER,
            "end" INTEGER,
            status TEXT NOT NULL DEFAULT 'extracted',
            UNIQUE (study_id, mention)
        );
        CREATE TABLE cohorts (
            id INTEGER PRIMARY KEY,
            study_id TEXT NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
            document_id INTEGER REFERENCES documents(id),
            label TEXT NOT NULL,
            n INTEGER,
            quote TEXT,
            start INTEGER,
            "end" INTEGER,
            rule TEXT,
            status TEXT NOT NULL DEFAULT 'extracted'
        );
        CREATE TABLE figures (
            id TEXT PRIMARY KEY,                 -- hash of document, offsets and values: stable on re-ingest
            study_id TEXT NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            endpoint TEXT NOT NULL,
            measure TEXT NOT NULL,
            timepoint_months REAL,
            "group" TEXT,
            comparator TEXT,
            variable TEXT,
            analysis TEXT,
            value REAL NOT NULL,
            unit TEXT NOT NULL,
            ci_low REAL,
            ci_high REAL,
            p_value REAL,
            p_op TEXT,
            quote TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            section TEXT,
            confidence REAL,
            rule TEXT,
            status TEXT NOT NULL DEFAULT 'extracted'
        );
        CREATE TABLE figure_therapies (
            figure_id TEXT NOT NULL REFERENCES figures(id) ON DELETE CASCADE,
            therapy_id INTEGER NOT NULL REFERENCES therapies(id),
            PRIMARY KEY (figure_id, therapy_id)
        );
        CREATE TABLE adverse_events (
            id INTEGER PRIMARY KEY,
            study_id TEXT NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
            document_id INTEGER REFERENCES documents(id),
            event TEXT NOT NULL,
            phase TEXT,
            grade TEXT NOT NULL,
            n INTEGER,
            percent REAL,
            quote TEXT,
            start INTEGER,
            "end" INTEGER,
            status TEXT NOT NULL DEFAULT 'extracted'
        );
        """
    )


@migrations(name="0002_indexes_and_search")
def indexes_and_search(db: Database) -> None:
    db.executescript(
        """
        CREATE INDEX idx_studies_doi ON studies(doi);
        CREATE INDEX idx_studies_pmid ON studies(pmid);
        CREATE INDEX idx_studies_condition ON studies(condition_id);
        CREATE INDEX idx_studies_journal ON studies(journal_id);
        CREATE INDEX idx_study_documents_document ON study_documents(document_id);
        CREATE INDEX idx_study_authors_author ON study_authors(author_id);
        CREATE INDEX idx_study_therapies_study ON study_therapies(study_id);
        CREATE INDEX idx_study_therapies_therapy ON study_therapies(therapy_id);
        CREATE INDEX idx_cohorts_study ON cohorts(study_id);
        CREATE INDEX idx_figures_study ON figures(study_id);
        CREATE INDEX idx_figures_endpoint_measure ON figures(endpoint, measure);
        CREATE INDEX idx_figures_document ON figures(document_id);
        CREATE INDEX idx_figure_therapies_therapy ON figure_therapies(therapy_id);
        CREATE INDEX idx_adverse_events_study ON adverse_events(study_id);
        """
    )
    db["studies"].enable_fts(["title", "abstract"], create_triggers=True, tokenize="porter")


@migrations(name="0003_locators")
def locators(db: Database) -> None:
    """Where in the source a value stands beyond text offsets: a page of a PDF, a JSON path
    of a registry record, a table cell."""
    for table in ("figures", "cohorts", "adverse_events"):
        db.execute(f"ALTER TABLE {table} ADD COLUMN locator TEXT")


@migrations(name="0004_one_study_per_paper")
def one_study_per_paper(db: Database) -> None:
    """Records of one paper from several sources become one study: identifiers seen for it,
    keys to find it again, links to related documents (preprint, conference abstract,
    near-duplicates), field values that disagreed, and which source's figures count."""
    db.executescript(
        """
        CREATE TABLE study_identifiers (
            study_id TEXT NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,                  -- doi, pmid, pmcid, nct
            value TEXT NOT NULL,
            PRIMARY KEY (kind, value)
        );
        CREATE INDEX idx_study_identifiers_study ON study_identifiers(study_id);
        CREATE TABLE study_blocks (
            study_id TEXT NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
            key TEXT NOT NULL,                   -- blocking key: title words, year + first author
            PRIMARY KEY (key, study_id)
        );
        CREATE INDEX idx_study_blocks_study ON study_blocks(study_id);
        CREATE TABLE study_links (
            study_id TEXT NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
            other_id TEXT NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
            relation TEXT NOT NULL,              -- preprint_of, conference_abstract_of, near_duplicate
            score REAL,
            reason TEXT,
            PRIMARY KEY (study_id, other_id)
        );
        CREATE TABLE field_conflicts (
            id INTEGER PRIMARY KEY,
            study_id TEXT NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
            field TEXT NOT NULL,
            kept TEXT,                           -- the value the study shows
            other TEXT,                          -- the value another source gave
            document_id INTEGER REFERENCES documents(id),  -- the source of `other`
            rule TEXT                            -- why `kept` won
        );
        CREATE INDEX idx_field_conflicts_study ON field_conflicts(study_id);
        ALTER TABLE documents ADD COLUMN richness INTEGER NOT NULL DEFAULT 2;
        ALTER TABLE figures ADD COLUMN superseded INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE cohorts ADD COLUMN superseded INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE adverse_events ADD COLUMN superseded INTEGER NOT NULL DEFAULT 0;
        """
    )
    # Studies stored before this migration get their identifiers and keys now.
    for row in db.execute("SELECT id, doi, pmid, pmcid, nct_id FROM studies").fetchall():
        for kind, value in zip(("doi", "pmid", "pmcid", "nct"), row[1:]):
            if value:
                db.execute("INSERT OR IGNORE INTO study_identifiers VALUES (?, ?, ?)", [row[0], kind, value.lower()])


@migrations(name="0005_curation")
def curation(db: Database) -> None:
    """The curated layer, kept apart from the extracted one (issue 7).

    Extraction proposes, a reviewer decides. Extracted rows (figures, cohorts,
    study_therapies, adverse_events, studies) stay as the extractor wrote them and may be
    replaced by `kb reextract`; decisions live in `curations`, keyed by stable item keys
    (figures.id, and the new `key` of cohorts, adverse events and therapy links: hashes of
    document, offsets and values), so they survive re-extraction. Every change is a row of
    `curation_log`; `*_values` views lay the curated values over the extracted ones.
    """
    from kb.store.save import adverse_event_key, cohort_key, therapy_key

    for table in ("cohorts", "adverse_events", "study_therapies"):
        db.execute(f"ALTER TABLE [{table}] ADD COLUMN key TEXT")
    sha = "(SELECT d.sha256 FROM documents d WHERE d.id = t.document_id)"
    for rid, sha256, start, end, label, n in db.execute(
            f'SELECT t.id, {sha}, t.start, t."end", t.label, t.n FROM cohorts t').fetchall():
        db.execute("UPDATE cohorts SET key = ? WHERE id = ?", [cohort_key(sha256, start, end, label, n), rid])
    for rid, sha256, start, end, event, phase, grade, n, pct in db.execute(
            f'SELECT t.id, {sha}, t.start, t."end", t.event, t.phase, t.grade, t.n, t.percent '
            "FROM adverse_events t").fetchall():
        db.execute("UPDATE adverse_events SET key = ? WHERE id = ?",
                   [adverse_event_key(sha256, start, end, event, phase, grade, n, pct), rid])
    for rid, sha256, sid, start, end, mention in db.execute(
            f'SELECT t.id, {sha}, t.study_id, t.start, t."end", t.mention FROM study_therapies t').fetchall():
        db.execute("UPDATE study_therapies SET key = ? WHERE id = ?", [therapy_key(sha256, sid, start, end, mention), rid])
    db.executescript(
        """
        CREATE INDEX idx_cohorts_key ON cohorts(key);
        CREATE INDEX idx_adverse_events_key ON adverse_events(key);
        CREATE INDEX idx_study_therapies_key ON study_therapies(key);
        CREATE INDEX idx_adverse_events_document ON adverse_events(document_id);
        CREATE INDEX idx_cohorts_document ON cohorts(document_id);
        CREATE TABLE curations (
            item_type TEXT NOT NULL,             -- figure, cohort, therapy, adverse_event, study
            item_key TEXT NOT NULL,              -- figures.id, <table>.key, or "<study id>:<field>"
            study_id TEXT,                       -- no foreign key: a decision outlives its rows
            status TEXT NOT NULL,                -- accepted, corrected, rejected, added
            fields TEXT NOT NULL DEFAULT '{}',   -- JSON: curated field values over the extracted ones
            basis TEXT,                          -- JSON: the extracted values the decision was made on
            reviewer TEXT NOT NULL,
            reason TEXT,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (item_type, item_key)
        );
        CREATE INDEX idx_curations_study ON curations(study_id);
        CREATE TABLE curation_log (
            id INTEGER PRIMARY KEY,
            batch INTEGER NOT NULL,              -- the rows of one action share it (its first row's id)
            at TEXT NOT NULL,
            who TEXT NOT NULL,
            action TEXT NOT NULL,                -- accept, reject, set, add, import, undo, screen
            item_type TEXT NOT NULL,
            item_key TEXT NOT NULL,
            field TEXT NOT NULL,                 -- status or the field changed
            before TEXT,                         -- JSON
            after TEXT,                          -- JSON
            reason TEXT,
            state_before TEXT,                   -- JSON of the whole decision before (null: none)
            state_after TEXT,                    -- JSON of the whole decision after (null: none)
            undoes INTEGER,                      -- the batch this action undid
            undone_by INTEGER                    -- the batch that undid this one
        );
        CREATE INDEX idx_curation_log_item ON curation_log(item_type, item_key);
        CREATE INDEX idx_curation_log_batch ON curation_log(batch);
        CREATE TABLE curation_conflicts (
            id INTEGER PRIMARY KEY,
            item_type TEXT NOT NULL,
            item_key TEXT NOT NULL,
            study_id TEXT,
            field TEXT NOT NULL,                 -- the field that disagrees, or "(item)" when it is gone
            curated TEXT,                        -- JSON: what the curated layer says
            extracted TEXT,                      -- JSON: what the new extraction says
            new_key TEXT,                        -- the new extraction's item, when one was found
            found_at TEXT NOT NULL,
            resolved_at TEXT
        );
        CREATE INDEX idx_curation_conflicts_item ON curation_conflicts(item_type, item_key);
        CREATE TABLE review_positions (
            who TEXT NOT NULL,
            queue TEXT NOT NULL,                 -- the filter, as a canonical string
            item_key TEXT,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (who, queue)
        );
        CREATE TABLE screening (
            study_id TEXT NOT NULL,              -- no foreign key: decisions outlive a merge
            reviewer TEXT NOT NULL,
            stage TEXT NOT NULL DEFAULT 'title', -- title (title/abstract) or full (full text)
            decision TEXT NOT NULL,              -- include, exclude, maybe
            reason TEXT,
            final INTEGER NOT NULL DEFAULT 0,    -- 1: resolves the reviewers' disagreement
            at TEXT NOT NULL,
            PRIMARY KEY (study_id, reviewer, stage)
        );
        CREATE INDEX idx_screening_study ON screening(study_id);
        """
    )
    db.executescript(_curated_views_sql())


# Fields a curator may correct, per item type (the columns the *_values views overlay).
CURATED_FIELDS = {
    "figure": ("endpoint", "measure", "timepoint_months", "group", "comparator", "variable", "analysis", "value",
               "unit", "ci_low", "ci_high", "p_value", "p_op"),
    "cohort": ("label", "n"),
    "adverse_event": ("event", "phase", "grade", "n", "percent"),
    "therapy": ("given",),
    "study": ("title", "year", "design", "condition", "n_patients", "follow_up_median_months"),
}


@migrations(name="0006_document_texts")
def document_texts(db: Database) -> None:
    """A file of many records (a PubMed baseline file, an API page) keeps each record's text
    as its own row, written as the record is stored, instead of one documents.text joined at
    the end: joining held the whole file's text in memory (issue 4). Offsets stay the
    document's: a record's text starts at `start`. documents.text holds the text of a
    one-record document and is empty for these."""
    db.executescript("""
        CREATE TABLE document_texts (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            text TEXT NOT NULL
        );
        CREATE UNIQUE INDEX idx_document_texts ON document_texts(document_id, start);
    """)


@migrations(name="0007_studies_fts_by_batch")
def studies_fts_by_batch(db: Database) -> None:
    """New studies enter full-text search in batches (kb.store.save.index_studies), not by a
    trigger per row: in the transaction of a 30,000-record file FTS5 took 125 us a row that
    way and 32 us in batches of 500 (issue 4 benchmark). Updates and deletes keep their
    triggers."""
    db.execute("DROP TRIGGER IF EXISTS studies_ai")


@migrations(name="0008_study_blocks_pmid")
def study_blocks_pmid(db: Database) -> None:
    """Each blocking key row carries its study's PMID. A record with a PMID can only be the
    same paper as a study without one or with the same one (two PMIDs are two records), and
    the blocks of a PubMed store are all PMID studies: finding the few candidates by index,
    instead of testing every study of a block for another PMID, took the match of a record
    against a 30,000-record store from 160 us to ~20 us (issue 4 benchmark)."""
    db.executescript("""
        ALTER TABLE study_blocks ADD COLUMN pmid TEXT;
        UPDATE study_blocks SET pmid = (SELECT min(i.value) FROM study_identifiers i
                                        WHERE i.study_id = study_blocks.study_id AND +i.kind = 'pmid');
        CREATE INDEX idx_study_blocks_key_pmid ON study_blocks(key, pmid, study_id);
    """)


def _overlay(alias: str, column: str, extracted: str | None = None) -> str:
    """A column's effective value: the curated one where a decision sets it, else the extracted."""
    extracted = extracted or f'{alias}."{column}"'
    return (f"CASE WHEN json_type(c.fields, '$.{column}') IS NULL THEN {extracted} "
            f"ELSE json_extract(c.fields, '$.{column}') END AS \"{column}\"")


def _curated_views_sql() -> str:
    """Views of the effective values: curated over extracted, with the effective status.

    An item added by a curator (status 'added' in its table) shows only while its decision
    exists, so undoing the addition hides it without deleting the row.
    """
    fig = ",\n  ".join(_overlay("f", c) for c in CURATED_FIELDS["figure"])
    coh = ",\n  ".join(_overlay("t", c) for c in CURATED_FIELDS["cohort"])
    ae = ",\n  ".join(_overlay("t", c) for c in CURATED_FIELDS["adverse_event"])
    study_cols = []
    for col in CURATED_FIELDS["study"]:
        extracted = "cn.name" if col == "condition" else f"s.{col}"
        sub = (f"SELECT {{}} FROM curations c WHERE c.item_type = 'study' AND c.item_key = s.id || ':{col}'")
        value = (f"CASE WHEN c.status = 'rejected' THEN NULL WHEN json_type(c.fields, '$.{col}') IS NULL "
                 f"THEN {extracted} ELSE json_extract(c.fields, '$.{col}') END")
        study_cols.append(f"CASE WHEN EXISTS ({sub.format('1')}) THEN ({sub.format(value)}) ELSE {extracted} END AS {col}")
        study_cols.append(f"COALESCE(({sub.format('c.status')}), 'extracted') AS {col}_status")
    studies = ",\n  ".join(study_cols)
    decided = "c.status AS curated_status, c.reviewer AS curated_by, c.updated_at AS curated_at"
    return f"""
    CREATE VIEW figure_values AS
    SELECT f.id, f.study_id, f.document_id,
      {fig},
      f.quote, f.start, f."end", f.section, f.confidence, f.rule, f.locator, f.superseded,
      COALESCE(c.status, f.status) AS status, f.status AS extracted_status, {decided}
    FROM figures f LEFT JOIN curations c ON c.item_type = 'figure' AND c.item_key = f.id
    WHERE NOT (f.status = 'added' AND c.status IS NULL);

    CREATE VIEW cohort_values AS
    SELECT t.id, t.key, t.study_id, t.document_id,
      {coh},
      t.quote, t.start, t."end", t.rule, t.locator, t.superseded,
      COALESCE(c.status, t.status) AS status, {decided}
    FROM cohorts t LEFT JOIN curations c ON c.item_type = 'cohort' AND c.item_key = t.key
    WHERE NOT (t.status = 'added' AND c.status IS NULL);

    CREATE VIEW adverse_event_values AS
    SELECT t.id, t.key, t.study_id, t.document_id,
      {ae},
      t.quote, t.start, t."end", t.locator, t.superseded,
      COALESCE(c.status, t.status) AS status, {decided}
    FROM adverse_events t LEFT JOIN curations c ON c.item_type = 'adverse_event' AND c.item_key = t.key
    WHERE NOT (t.status = 'added' AND c.status IS NULL);

    CREATE VIEW study_therapy_values AS
    SELECT t.id, t.key, t.study_id, t.therapy_id, th.canonical, th.class, t.mention,
      {_overlay("t", "given")},
      t.document_id, t.start, t."end",
      COALESCE(c.status, t.status) AS status, {decided}
    FROM study_therapies t JOIN therapies th ON th.id = t.therapy_id
    LEFT JOIN curations c ON c.item_type = 'therapy' AND c.item_key = t.key;

    CREATE VIEW study_values AS
    SELECT s.id, s.doi, s.pmid, s.pmcid, s.nct_id, s.pub_date, s.journal_id, s.volume, s.issue, s.pages,
      s.abstract, s.title_original, s.language, s.oa_url, s.publication_types, s.created_at,
      {studies}
    FROM studies s LEFT JOIN conditions cn ON cn.id = s.condition_id;
    """
