"""The detector is exact on every labelled message: the 72 shared ones and our own."""

import pytest

from detect import detect
from tests.corpus_labels import load_cases

CASES = load_cases()


def test_corpus_is_complete():
    assert len([c for c in CASES if not c.file.startswith("extra/")]) == 72
    assert all(case.path.is_file() for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.file for c in CASES])
def test_category_codes_and_hint(case):
    finding = detect(case.path.read_bytes()).to_dict(show_codes=True)
    assert finding["category"] == case.category
    assert finding["codes"] == case.codes
    assert finding["account_hint"] == case.account_hint
    assert "error" not in finding or case.file.startswith("edge/truncated")


@pytest.mark.parametrize("case", [c for c in CASES if c.category != "none"], ids=lambda c: c.file)
def test_language(case):
    assert detect(case.path.read_bytes()).language == case.language


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.category in ("ms_code", "ms_alert", "other_code")], ids=lambda c: c.file
)
def test_template(case):
    assert detect(case.path.read_bytes()).template == case.template


@pytest.mark.parametrize("case", [c for c in CASES if c.category != "none"], ids=lambda c: c.file)
def test_every_verdict_explains_itself(case):
    assert detect(case.path.read_bytes()).reasons
