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
