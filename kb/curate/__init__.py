"""The curated layer (issue 7): extraction proposes, a reviewer decides.

- `layer`: decisions on figures, cohorts, therapy links, adverse events and study fields
  (accept, reject, correct, add), stored apart from the extracted rows and keyed by
  stable item keys; `import_corrections` for spreadsheets.
- `audit`: the log of every change (who, when, item, field, before, after, reason) and undo.
- `reextract`: re-run extraction over stored documents without touching a decision, and
  list where the new extraction disagrees with one.
- `review`: the interactive terminal review queue.
- `screening`, `prisma`: include/exclude decisions per study and reviewer, Cohen's kappa,
  PRISMA 2020 flow counts and diagram.
- `exports`: the evidence table of included studies, RIS and BibTeX.
"""
