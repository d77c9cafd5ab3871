"""make bench-detect: the detector over the corpus repeated to >= 5,000 messages.

Prints messages per second, peak memory, and last `ratio_vs_stdlib_parse=X`: the detector's time
divided by the time of only parsing the same bytes with BytesParser(policy=email.policy.default).
Each side is timed three times, interleaved, and the fastest run counts (less noise from a shared machine).
"""

from __future__ import annotations

import resource
import sys
import time
from email import policy
from email.parser import BytesParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from detect import detect  # noqa: E402

TARGET = 5000
ROUNDS = 3


def load() -> list[bytes]:
    corpus = sorted((ROOT / "tests" / "corpus").rglob("*.eml"))
    raws = [p.read_bytes() for p in corpus]
    repeats = -(-TARGET // len(raws))
    return raws * repeats, len(raws), repeats


def timed(func, messages: list[bytes]) -> float:
    start = time.perf_counter()
    for raw in messages:
        func(raw)
    return time.perf_counter() - start


def main() -> None:
    messages, files, repeats = load()
    parser = BytesParser(policy=policy.default)
    detect(messages[0])  # import-time and first-call caches are not the steady state
    parse_times, detect_times = [], []
    for _ in range(ROUNDS):
        parse_times.append(timed(parser.parsebytes, messages))
        detect_times.append(timed(detect, messages))
    parse_s, detect_s = min(parse_times), min(detect_times)
    total_mb = sum(len(m) for m in messages) / 1e6
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"messages={len(messages)} corpus_files={files} repeats={repeats} bytes_mb={total_mb:.1f}")
    print(f"stdlib_parse_s={parse_s:.3f} detect_s={detect_s:.3f}")
    print(f"detect_messages_per_s={len(messages) / detect_s:.0f}")
    print(f"peak_rss_mb={peak_mb:.1f}")
    print(f"ratio_vs_stdlib_parse={detect_s / parse_s:.2f}")


if __name__ == "__main__":
    main()
