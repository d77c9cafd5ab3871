"""Whatever the bytes, the detector answers and never raises (property tests with hypothesis)."""

import os
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detect import CATEGORIES, detect
from detect.finding import SENDER_AUTH
from tests.corpus_labels import load_cases

SAMPLES = [case.path.read_bytes() for case in load_cases() if case.path.stat().st_size < 60_000]
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def assert_sane(raw: bytes) -> None:
    finding = detect(raw)
    assert finding.category in CATEGORIES
    assert finding.sender_auth in SENDER_AUTH
    assert "internal error" not in (finding.error or ""), finding.error
    assert all(isinstance(code, str) and code for code in finding.codes)
    finding.to_dict()


@FUZZ
@given(st.binary(max_size=5000))
def test_arbitrary_bytes(raw):
    assert_sane(raw)


@FUZZ
@given(st.sampled_from(SAMPLES), st.integers(min_value=0), st.integers(min_value=0, max_value=2**32))
def test_mutated_messages(sample, cut, seed):
    rng = random.Random(seed)
    data = bytearray(sample[: cut % (len(sample) + 1)] if rng.random() < 0.3 else sample)
    for _ in range(rng.randint(1, 40)):
        if not data:
            break
        where = rng.randrange(len(data))
        action = rng.random()
        if action < 0.4:
            data[where] = rng.randrange(256)
        elif action < 0.7:
            data[where:where] = rng.choice(
                [b"=?utf-8?B?", b"?=", b"\r\n", b"--", b"boundary=", b"\xe4\xb8", b":", b"\n\n"]
            )
        else:
            del data[where : where + rng.randint(1, 200)]
    assert_sane(bytes(data))


@FUZZ
@given(st.sampled_from(SAMPLES), st.sampled_from(["iso-2022-jp", "utf-16", "x-unknown", "", "koi8-r", "gb18030"]))
def test_wrong_charsets(sample, charset):
    assert_sane(sample.replace(b"charset=utf-8", f"charset={charset}".encode()))


@FUZZ
@given(st.text(max_size=300))
def test_arbitrary_text_in_headers_and_body(text):
    raw = f"From: {text}\nSubject: {text}\nAuthentication-Results: {text}\nDate: {text}\n\n{text}"
    assert_sane(raw.encode("utf-8", "surrogatepass"))
