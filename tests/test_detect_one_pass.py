"""The faster readings of detection (issue 28) are held to the slower ones they replace: one pass of an
Aho-Corasick automaton for the names of a code, whole-text white space, and link finding without a
leading \\b. Hypothesis writes the text, with the characters that make those readings differ."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detect import message, other
from detect.phrases import NotFinite, Phrases, expand
from tests.corpus_labels import CORPUS

SPACEY = st.text(
    alphabet=st.sampled_from(list("ab \t\n\r\x0b\x0c\x1c\u00a0\u2028\u200b\ufeff\u3000\u200fé:")), max_size=80
)
_REFERENCE_URL = re.compile(r"""\b(?:https?://|www\.)[^\s<>"')\]]+""", re.I)


def reference_normalise(text: str) -> str:
    """The per-line substitution normalise() replaced."""
    import unicodedata

    text = unicodedata.normalize("NFKC", text.replace("\r\n", "\n").replace("\r", "\n").translate(message._NO_BIDI))
    return "\n".join(message._SPACES.sub(" ", line).strip() for line in text.split("\n"))


@settings(max_examples=400, deadline=None)
@given(SPACEY)
def test_normalise_gives_what_the_per_line_substitution_gave(text):
    assert message.normalise(text) == reference_normalise(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ahtps:/w.x_é <>\"')]\n1HTPWİ")), max_size=60))
def test_links_are_found_where_the_bounded_pattern_found_them(text):
    assert message.find_urls(text) == _REFERENCE_URL.findall(text)


def test_every_phrase_is_a_string_of_the_pattern_and_none_is_missing():
    phrases = expand(other._OTP_WORDS)
    pattern = re.compile(other._OTP_WORDS)
    for phrase in phrases:
        assert pattern.fullmatch(phrase.replace("\x00", "")), phrase
    assert len(set(phrases)) > 100
    assert "one-time passcode" in phrases and "one time code" in phrases and "\x00otp\x00" in phrases


@pytest.mark.parametrize(
    "pattern", [r"codes*", r"a+b", r"(x)", r"[a-z]", r"\d", r"a{2}", r"code.", r"[^a]", r"(?=x)a", r"a\bb"]
)
def test_a_pattern_outside_the_finite_subset_is_refused(pattern):
    with pytest.raises(NotFinite):
        Phrases(pattern)


def test_word_boundaries_hold():
    names = Phrases(r"\botp\b|verification code")
    text = "xotp otp otpx verification codes"
    assert [text[:end] for end in names.ends(text, 10)] == ["xotp otp", "xotp otp otpx verification code"]


def test_the_automaton_finds_the_names_the_alternation_found_in_the_corpora():
    """On every text of both corpora, lower-cased: every name the alternation found ends where it did."""
    alternation = re.compile(other._OTP_WORDS, re.M)
    compared = 0
    for path in sorted(CORPUS.rglob("*.eml")) + sorted((CORPUS.parent / "corpus2").rglob("*.eml")):
        body = message.read_body(message.parse(path.read_bytes()))
        low = body.text.lower()
        old = [m.end() for m in alternation.finditer(low)][:50]
        new = other._OTP_PHRASES.ends(low, 50)
        assert set(old) <= set(new), (path, sorted(set(old) - set(new)))
        compared += 1
    assert compared > 140


# The pre-filter's code-name pattern as it was before its stems went into an automaton (the reference).
_REFERENCE_CODE_NAME = re.compile(
    rb"(?<![a-z])(?:cod|c\xc3\xb3d|c\xf3d|kod|k\xc3\xb3d|k\xf3d|otp|pin\b|token|verif|passw|passcode|tan\b|m-?tan\b|"
    rb"einmal|sicherheits|security|s\xc3\xa9cur|segur|sicur|bezpe|vahvist|bekr\xc3\xa6ft|bekr\xe6ft)"
    + "|код|碼|码|コード|コード|번호|รหัส|קוד|رمز|κωδικ".encode()
    + rb"|%3!<%i|\xcb\xcf\xc4"
)
_STEM_PIECES = [b"cod", b"xcod", b"pin", b"pins", b"pin_", b"pin.", b"m-tan", b"mtan ", b"tan1", b"k\xc3\xb3d",
                "код".encode(), "コード".encode(), b"%3!<%i", b"\xcb\xcf\xc4", b"a", b" ", b"\x00", b"\xc3", b"9",
                b"verif", b"bekr\xe6ft", b"zotp"]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_STEM_PIECES), max_size=12), st.integers(min_value=0, max_value=20))
def test_the_code_name_stems_are_found_where_the_pattern_found_them(pieces, at):
    from detect.engine import _BODY_WORDS

    data = b"".join(pieces)
    at = min(at, len(data))
    expected = _REFERENCE_CODE_NAME.search(data, at)
    found = _BODY_WORDS.first(data.decode("latin-1"), at)
    assert (found >= 0) == (expected is not None)
    if expected is not None:
        # The automaton reports stems by where they end; the pattern by where they start. Either lies in
        # the same piece of a joined batch, which is all the pre-filter asks.
        assert found >= at


# --- reading only around the anchors (every phrase holds one) ---------------------------------------

_WHOLE = Phrases(other._OTP_WORDS)  # the same phrases read over the whole text: the reference
_ANCHOR_PIECES = ["verification code", "security", " code", "cod", "otp", "tan", " ", "x", "\n", "é", "код подтверждения",
                  "one-time passcode", "passwort", "einmal", "verif", "ication", "z"]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_ANCHOR_PIECES), max_size=30), st.integers(min_value=1, max_value=6))
def test_reading_around_the_anchors_finds_what_reading_the_whole_text_finds(pieces, limit):
    text = "".join(pieces)
    assert other._OTP_PHRASES.ends(text, limit) == _WHOLE.ends(text, limit)


def test_reading_around_the_anchors_matches_the_whole_reading_on_the_corpora_and_edges():
    texts = [
        message.read_body(message.parse(path.read_bytes())).text.lower()
        for path in sorted(CORPUS.rglob("*.eml")) + sorted((CORPUS.parent / "corpus2").rglob("*.eml"))
    ]
    long_gap = "security code" + "x" * 5000 + "verification code" + " filler" * 3000 + " otp"
    many = "cod " * 3000 + "login code"  # more anchors than stretches are worth: read whole
    edges = ["code", "otp", "security code", "verification codes", " otp", "tan", "", long_gap, many]
    for text in texts + edges:
        assert other._OTP_PHRASES.ends(text, 50) == _WHOLE.ends(text, 50), text[:80]
    assert len(texts) > 140 and len(_WHOLE.ends(long_gap, 50)) == 3


def test_a_phrase_without_an_anchor_is_refused_when_the_set_is_built():
    with pytest.raises(ValueError, match="none of the anchors"):
        Phrases(r"security code|one-time password", anchors=("code",))


# --- the quick needles before the Microsoft-account alternation -------------------------------------
# re's own parser (an internal module: this fails loudly when it moves) reads the patterns, so the
# needles are proven against the lexicon as written, whatever is added to it.
from re import _constants as sre  # noqa: E402
from re import _parser as sre_parser  # noqa: E402


def _chars(op, value) -> list[str] | None:
    """The characters a literal or a class of literals matches; None for anything else."""
    if op is sre.LITERAL:
        return [chr(value)]
    if op is sre.IN and all(kind is sre.LITERAL for kind, _ in value):
        return [chr(code) for _, code in value]
    return None


def always_holds(items, needles: tuple[str, ...]) -> bool:
    """Whether every string the parsed pattern matches holds one of the needles: some run of literals
    (each of its spellings) holds one, or some part that must match does."""
    runs, current = [], [""]
    for op, value in items:
        chars = _chars(op, value)
        if chars is not None and len(current) * len(chars) <= 4096:
            current = [run + char for run in current for char in chars]
            continue
        runs.append(current)
        current = [""]
        if op is sre.SUBPATTERN and always_holds(value[-1], needles):
            return True
        if op is sre.BRANCH and all(always_holds(branch, needles) for branch in value[1]):
            return True
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and value[0] >= 1 and always_holds(value[2], needles):
            return True
    runs.append(current)
    return any(run != [""] and all(any(n in s for n in needles) for s in run) for run in runs)


def test_every_microsoft_account_phrase_holds_a_needle():
    from detect import engine, lexicon

    for phrase in lexicon.MICROSOFT_ACCOUNT:
        assert always_holds(sre_parser.parse(phrase), engine._MS_ACCOUNT_NEEDLES), phrase
    assert always_holds(sre_parser.parse(engine._MS_ACCOUNT_LOWER.pattern), engine._MS_ACCOUNT_NEEDLES)


@pytest.mark.parametrize(
    "pattern, holds",
    [
        (r"micro?s[o0]ft", True),
        (r"(?:microsoft )?konto", False),  # the needle in an optional part proves nothing
        (r"konto (?:microsoft|майкрософт)", True),
        (r"konto (?:microsoft|ms)", False),
        (r"x(?:microsoft)+", True),
        (r"x(?:microsoft)*", False),
        (r"micro[sz]oft", False),  # one spelling without the needle
    ],
)
def test_the_needle_proof_can_say_no(pattern, holds):
    assert always_holds(sre_parser.parse(pattern), ("soft", "s0ft", "майкрософт")) is holds


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["microsoft account", "micros0ft konto", "compte ", "microsoft", "soft", "x", " ",
                                 "учетная запись майкрософт", "účtu microsoft", "\n"]), max_size=12))  # fmt: skip
def test_the_needles_change_no_answer(pieces):
    from detect import engine

    text = "".join(pieces)
    assert engine._names_a_microsoft_account(text) == (engine._MS_ACCOUNT_LOWER.search(text) is not None)


# The pre-filter's code shape as it was written before it started with its first digit (the reference).
_REFERENCE_CODE_SHAPE = re.compile(rb"(?<![\d.,/:-])(?:\d{6,8}|\d{3} \d{3})(?![\d,/:-]|\.\d)")


@settings(max_examples=1000, deadline=None)
@given(st.binary(max_size=40).map(lambda b: bytes(b"0123 .,/:-x\n"[byte % 12] for byte in b)))
def test_the_code_shape_is_found_where_the_reference_found_it(data):
    from detect.engine import _CODE_SHAPE

    expected = _REFERENCE_CODE_SHAPE.search(data)
    found = _CODE_SHAPE.search(data)
    assert (found and found.span()) == (expected and expected.span())
