"""The labelled corpus (shared cases plus our own in extra/) and what classify must say of each.

The expected values are derived here from labels.csv, never from the code under test.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"
_FOLDER_CATEGORY = {
    "ms_otp": "ms_code",
    "phishing": "phishing",
    "other_otp": "other_code",
    "benign": "none",
    "benign_ms": "none",
}


@dataclass(frozen=True)
class Case:
    file: str
    category: str
    codes: list
    account_hint: str | None
    template: str
    language: str  # primary tag

    @property
    def path(self) -> Path:
        return CORPUS / self.file


def expected_category(row: dict) -> str:
    folder = row.get("category") or row["file"].split("/")[0]
    if folder in ("ms_security", "edge"):
        if row["is_microsoft_otp"] == "true":
            return "ms_code"
        return "ms_alert" if folder == "ms_security" else "none"
    return _FOLDER_CATEGORY[folder]


def load_cases() -> list[Case]:
    cases = []
    for labels in (CORPUS / "labels.csv", CORPUS / "extra" / "labels.csv"):
        with labels.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                cases.append(
                    Case(
                        file=row["file"],
                        category=expected_category(row),
                        codes=[c for c in row["code"].split(";") if c],
                        account_hint=row["account_hint"] or None,
                        template=row["template"],
                        language=row["language"].split("-")[0],
                    )
                )
    return cases
