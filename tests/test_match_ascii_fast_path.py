"""normalise_title and surname skip Unicode normalisation for ASCII text and the markup
pattern for text without "<" (issue 4 benchmark): the answers must be those of the full
definition for any text."""
import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from kb.match import normalise_title, surname


def reference_title(title):
    if not title:
        return ""
    t = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    t = re.sub(r"<[^>]+>", " ", t)
    t = re.sub(r"[^a-z0-9]+", " ", t.lower())
    return re.sub(r"\s+", " ", t).strip()


def reference_surname(name):
    if not name:
        return ""
    n = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().strip()
    if "," in n:
        n = n.split(",")[0]
    else:
        parts = n.split()
        n = parts[0] if len(parts) > 1 and re.fullmatch(r"[A-Z]{1,3}\.?", parts[-1]) else parts[-1] if parts else ""
    return re.sub(r"[^a-z]", "", n.lower())


TEXT = st.text(alphabet=st.sampled_from("aZq09 ,.-<>/\t\n\u00a0\u2003\u00e9\u00d8\u2013\u03a9\ufb01\u00b2J"), max_size=20)


@given(TEXT)
def test_normalise_title_is_the_full_definition(s):
    assert normalise_title(s) == reference_title(s)


@given(TEXT)
def test_surname_is_the_full_definition(s):
    assert surname(s) == reference_surname(s)


def test_examples():
    assert normalise_title("<i>Nivolumab</i> in  NSCLC: a phase\u00a0III trial.") == "nivolumab in nsclc a phase iii trial"
    assert normalise_title("Ωmega-3 – efficacy") == "mega 3 efficacy"
    assert surname("Müller J") == "muller"
