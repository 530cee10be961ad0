"""A second blind probe, held out from the rules of this branch.

Written after the rules that pass most of test_probe_pdf_results.py and before kb was run on
any of these statements, in wordings that probe does not use, to measure whether those rules
generalise or only fit the first probe. Same conventions and scoring (see that file): run this
file as a script for the tally.

Held-out score (52 expected figures in 25 statements and 3 tables, plus 6 negative
statements), first run: kb at 3fe883a (before this branch) exact 19, wrong attribute 18,
missed 15, spurious 2; kb with this branch's rules up to f0fa284 (the one-cell-per-line table reader included) exact 49, wrong attribute 3, missed
0, spurious 0. The three wrong: the p after groups named after a time pair ('13.9 vs. 7.2
months in patients with and without X, respectively (P = 0.01)'), and a ratio's groups after
'lower after R0 resection than after R1 resection', which the vocabulary reads as an outcome.
The statements were written by the same hand as the rules, so this bounds, rather than
measures, recall on other authors' writing. After def02af: 52 of 52 exact.
"""
from __future__ import annotations

import pytest

from test_probe_pdf_results import F, score_case, tally

CASES = [
("Five-year overall survival reached 57.4% (95% CI, 50.2%–63.9%) in the\nwhole series.",
 [F("OS", "rate", 60, 57.4, g="Overall", ci=(50.2, 63.9))]),
("The actuarial 3-yr progression-free survival and overall survival rates were 33.3% and 52.8%, respec-\ntively.",
 [F("PFS", "rate", 36, 33.3, g="Overall"), F("OS", "rate", 36, 52.8, g="Overall")]),
("Two-year OS was 81.2% in the IMRT cohort compared with 64.0% in the 3D-CRT cohort (log-rank P = .009).",
 [F("OS", "rate", 24, 81.2, g="IMRT", p=(0.009, "=")), F("OS", "rate", 24, 64.0, g="3D-CRT", p=(0.009, "="))]),
("Women had a 5-year DSS of 68.0%, whereas men had a 5-year DSS of 54.5% (P = 0.03).",
 [F("DSS", "rate", 60, 68.0, g="Women", p=(0.03, "=")), F("DSS", "rate", 60, 54.5, g="men", p=(0.03, "="))]),
("The 1-, 3-, and 5-year LRFS rates were 88.0%, 71.4%, and 65.2%.",
 [F("LRFS", "rate", 12, 88.0, g="Overall"), F("LRFS", "rate", 36, 71.4, g="Overall"),
  F("LRFS", "rate", 60, 65.2, g="Overall")]),
("For the N0 and N+ subgroups, 5-year DMFS was 72% and 41%, respectively (p < 0.001).",
 [F("DMFS", "rate", 60, 72, g="N0", p=(0.001, "<")), F("DMFS", "rate", 60, 41, g="N+", p=(0.001, "<"))]),
("Median OS was 17.0 months (95% CI: 12.4–21.6) for the entire population.",
 [F("OS", "median", None, 17.0, g="Overall", ci=(12.4, 21.6))]),
("Median PFS was not reached for patients achieving CR vs. 9.6 months for those with PR (P = .002).",
 [F("PFS", "median", None, 9.6, g="PR", p=(0.002, "="))]),
("Median DSS for the surgery and non-surgery groups were 48.1 and 20.3 months, respectively.",
 [F("DSS", "median", None, 48.1, g="surgery"), F("DSS", "median", None, 20.3, g="non-surgery")]),
("Median OS and PFS were 26.0 months (95% CI 20.2–31.8) and 11.5 months (95% CI 8.9–14.1), respectively.",
 [F("OS", "median", None, 26.0, g="Overall", ci=(20.2, 31.8)), F("PFS", "median", None, 11.5, g="Overall", ci=(8.9, 14.1))]),
("Median PFS was 13.9 vs. 7.2 months in patients with and without EMD resolution, respectively (P = 0.01).",
 [F("PFS", "median", None, 13.9, g="with EMD resolution", p=(0.01, "=")),
  F("PFS", "median", None, 7.2, g="without EMD resolution", p=(0.01, "="))]),
("On univariable Cox analysis, paranasal sinus origin predicted worse OS (HR = 1.84, 95% CI: 1.12–3.02, p = 0.016).",
 [F("OS", "HR", None, 1.84, a="univariate", ci=(1.12, 3.02), p=(0.016, "="))]),
("Adjuvant radiotherapy was associated with improved local control (aHR 0.47; 95% CI, 0.27-0.82; P = .008).",
 [F("local control", "HR", None, 0.47, a="multivariate", ci=(0.27, 0.82), p=(0.008, "="))]),
("Compared with surgery alone, surgery with adjuvant chemoradiation lowered the risk of death (HR 0.66, "
 "95% CI 0.49–0.89).",
 [F("OS", "HR", None, 0.66, g="surgery with adjuvant chemoradiation", c="surgery alone", a=None, ci=(0.49, 0.89))]),
("The risk of local recurrence was lower after R0 resection than after R1 resection (HR 0.39, 95% CI 0.21-0.72).",
 [F("local recurrence", "HR", None, 0.39, g="R0", c="R1", a=None, ci=(0.21, 0.72))]),
("Advanced T stage predicted inferior PFS in the univariate model (HR 2.20; 95% CI 1.35–3.58) and in the "
 "multivariate model (HR 1.95; 95% CI 1.17–3.25).",
 [F("PFS", "HR", None, 2.20, a="univariate", ci=(1.35, 3.58)), F("PFS", "HR", None, 1.95, a="multivariate", ci=(1.17, 3.25))]),
("High-volume facility was associated with lower all-cause mortality (HR, 0.86; 95% CI, 0.79-0.94; P = .001).",
 [F("OS", "HR", None, 0.86, a=None, ci=(0.79, 0.94), p=(0.001, "="))]),
("Local and distant failures were observed in 15 (17.9%) and 22 (26.2%) patients, respectively.",
 [F("local recurrence", "proportion", None, 17.9), F("distant metastasis", "proportion", None, 26.2)]),
("The cumulative incidence of distant metastasis at 1 and 3 years was 19.0% and 37.5%, respectively.",
 [F("distant metastasis", "rate", 12, 19.0), F("distant metastasis", "rate", 36, 37.5)]),
("Two patients (3.3%) died of treatment-related complications.",
 [F(("treatment-related mortality", "treatment-related death"), "proportion", None, 3.3)]),
("Nineteen patients (22.6%) developed distant metastases.",
 [F("distant metastasis", "proportion", None, 22.6)]),
("The ORR was 58.3% (95% CI 36.6–77.9), including complete response in 16.7%.",
 [F("ORR", "proportion", None, 58.3, ci=(36.6, 77.9)), F("CR", "proportion", None, 16.7)]),
("In patients with and without a KIT mutation, the 2-year PFS was 50% vs 23% (p = 0.04).",
 [F("PFS", "rate", 24, 50, g="with a KIT mutation", p=(0.04, "=")),
  F("PFS", "rate", 24, 23, g="without a KIT mutation", p=(0.04, "="))]),
("Patients aged ≥ 65 years had a 3-year OS of 38.9%, while younger patients had a 3-year OS of 60.7%.",
 [F("OS", "rate", 36, 38.9, g="≥ 65"), F("OS", "rate", 36, 60.7, g="younger")]),
("Ten-year DSS was 70.8% for well-differentiated and 43.1% for poorly differentiated tumours.",
 [F("DSS", "rate", 120, 70.8, g="well-differentiated"), F("DSS", "rate", 120, 43.1, g="poorly differentiated")]),
# negatives
("Earlier reports described 2-year OS rates near 40% for sinonasal mucosal melanoma [3, 9].", []),
("The median interval from symptom onset to diagnosis was 4 months.", []),
("The positive predictive value of MRI for perineural spread was 82.4%.", []),
("Overall, 67 patients (39.6%) were current smokers and 24 (14.2%) had diabetes.", []),
("Sixty-one percent of tumours arose in the nasal cavity.", []),
("The inter-rater reliability was high (ICC 0.88, 95% CI 0.81–0.93).", []),
]

TABLES = [
("""Table 3 Five-year outcomes by treatment group
Group   n   5-year LRC (%)   5-year OS (%)   P
Surgery + PORT   54   82.1   61.0   0.02
Surgery alone   38   60.5   47.4
P values by log-rank test""",
 [F("locoregional control", "rate", 60, 82.1, g="Surgery + PORT", p=(0.02, "=")),
  F("OS", "rate", 60, 61.0, g="Surgery + PORT", p=(0.02, "=")),
  F("locoregional control", "rate", 60, 60.5, g="Surgery alone", p=(0.02, "=")),
  F("OS", "rate", 60, 47.4, g="Surgery alone", p=(0.02, "="))]),
("""Table 2 Cox regression for overall survival
Variable   Univariable   Multivariable
HR (95% CI)   P   HR (95% CI)   P
N stage
N0   Ref      Ref
N1   1.71 (1.10–2.66)   0.017   1.55 (0.98–2.45)   0.061
N2   2.94 (1.80–4.80)   <0.001   2.41 (1.44–4.03)   0.001
Chemotherapy   0.80 (0.55–1.16)   0.24   –   –""",
 [F("OS", "HR", None, 1.71, g="N1", c="N0", var="N stage", a="univariate", ci=(1.10, 2.66), p=(0.017, "=")),
  F("OS", "HR", None, 1.55, g="N1", c="N0", var="N stage", a="multivariate", ci=(0.98, 2.45), p=(0.061, "=")),
  F("OS", "HR", None, 2.94, g="N2", c="N0", var="N stage", a="univariate", ci=(1.80, 4.80), p=(0.001, "<")),
  F("OS", "HR", None, 2.41, g="N2", c="N0", var="N stage", a="multivariate", ci=(1.44, 4.03), p=(0.001, "=")),
  F("OS", "HR", None, 0.80, var="Chemotherapy", a="univariate", ci=(0.55, 1.16), p=(0.24, "="))]),
("""Table 4 Multivariate analysis of progression-free survival
Factor
HR
95% CI
P
ECOG PS ≥2
2.05
1.31–3.21
0.002
LDH > ULN
1.62
1.04–2.52
0.033""",
 [F("PFS", "HR", None, 2.05, var="ECOG", a="multivariate", ci=(1.31, 3.21), p=(0.002, "=")),
  F("PFS", "HR", None, 1.62, var="LDH", a="multivariate", ci=(1.04, 2.52), p=(0.033, "="))]),
]

ALL = [(t, exp) for t, exp in CASES] + [("Outcomes are shown in the tables.\n\n" + t, exp) for t, exp in TABLES]
XFAIL: dict[str, str] = {}


@pytest.mark.parametrize("text,expected", ALL, ids=[t.replace("\n", " ")[:50] for t, _ in ALL])
def test_held_out_statement(text, expected):
    reason = next((r for k, r in XFAIL.items() if text.startswith(k) or ("\n\n" + k) in text), None)
    if reason:
        pytest.xfail(reason)
    exact, wrong, missed, spurious, notes = score_case(text, expected)
    assert (wrong, missed, spurious) == (0, 0, 0), notes


if __name__ == "__main__":
    tally(ALL)
