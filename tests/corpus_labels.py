"""The labelled corpus (shared cases plus our own in extra/) and what classify must say of each.

The expected values are derived here from labels.csv, never from the code under test.
"""

import csv
import mailbox
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"
# The second shared corpus (../shared/corpus2, copied): new receivers, languages and layouts.
CORPUS2 = Path(__file__).parent / "corpus2"
_FOLDER_CATEGORY = {
    "ms_otp": "ms_code",
    "phishing": "phishing",
    "other_otp": "other_code",
    "benign": "none",
    "benign_ms": "none",
    "unverified": "unverified",  # our own rows: a Microsoft code nobody vouched for
}


@dataclass(frozen=True)
class Case:
    file: str
    category: str
    codes: list
    account_hint: str | None
    template: str
    language: str  # primary tag
    root: Path = CORPUS
    genuine_sender: bool = True
    notes: str = ""

    @property
    def path(self) -> Path:
        return self.root / self.file.partition("#")[0]

    def raw(self) -> bytes:
        """The message's bytes; a row named FILE.mbox#N is the N-th message of that mbox."""
        name, _, number = self.file.partition("#")
        if not number:
            return self.path.read_bytes()
        return mailbox.mbox(str(self.path))[int(number) - 1].as_bytes()


def expected_category(row: dict) -> str:
    folder = row.get("category") or row["file"].split("/")[0]
    if folder in ("ms_security", "edge"):
        if row["is_microsoft_otp"] == "true":
            return "ms_code"
        if folder == "ms_security":
            return "ms_alert"
        # An edge case that is no Microsoft code but carries a code is another provider's code
        # (corpus2's code written one digit per cell); without one it is nothing to report.
        return "other_code" if (row.get("code") or row.get("codes")) else "none"
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
                        genuine_sender=row["is_genuine_sender"] == "true",
                        notes=row["notes"],
                    )
                )
    return cases


def load_second_corpus() -> list[Case]:
    with (CORPUS2 / "labels.csv").open(newline="", encoding="utf-8") as handle:
        return [
            Case(
                file=row["file"],
                category=expected_category(row),
                codes=[c for c in row["codes"].split(";") if c],
                account_hint=row["account_hint"] or None,
                template=row["template"],
                language=row["language"].split("-")[0],
                root=CORPUS2,
                genuine_sender=row["is_genuine_sender"] == "true",
                notes=row["notes"],
            )
            for row in csv.DictReader(handle)
        ]
