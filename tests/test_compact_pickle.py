"""Records and extractions cross from --workers processes to the writer by pickle; they are
pickled as their class and field values (kb.models.Compact), and must come back equal."""
import pickle
from pathlib import Path

import pytest

from kb.pipeline import Prepared, prepare_records, read_document

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize("path", [
    FIXTURES / "pubmed" / "medline16n0902.xml.gz",       # many abstracts, authors, journals
    FIXTURES / "jats" / "mds526.nxml",                   # tables with cells, sections, figures
    sorted((FIXTURES / "ctgov" / "v2").glob("*.json"))[0],  # a registry record's stated results
])
def test_prepared_records_come_back_equal_from_a_pickle(path):
    _, items = prepare_records(read_document(str(path)))
    items = [p for _, p in zip(range(300), items)]
    assert items and all(isinstance(p, Prepared) for p in items)
    back = pickle.loads(pickle.dumps(items, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == items
    assert [type(p.record.journal) for p in back] == [type(p.record.journal) for p in items]


def test_a_record_pickles_without_its_attribute_dict():
    # The field values travel as one tuple, rebuilt through the class itself: a field added
    # to a model is carried without any change here.
    _, items = prepare_records(read_document(str(FIXTURES / "jats" / "mds526.nxml")))
    record = next(items).record
    cls, args = record.__reduce__()
    assert cls is type(record) and cls(*args) == record
    assert len(args) == len(record.__dataclass_fields__)
