"""Many fixed phrases found in one pass over a text, however many there are.

Python's `re` tries every branch of a long alternation at every position of the text: the names of
a one-time code in twenty languages cost about 5 ms per everyday mail. An Aho-Corasick automaton
(pyahocorasick) reads the text once. The phrases stay written as the lexicon writes them, in the
small part of regular-expression syntax that describes a finite set of strings (literals, `(?:a|b)`
groups, `?` after a character or group, character classes of literals, `\\b` at either end), and
are expanded here; anything else is refused when the module loads, so a pattern that grows past
that subset fails loudly instead of matching differently.
"""

from __future__ import annotations

import itertools

import ahocorasick

_BOUNDARY = "\x00"  # marks a phrase that must start or end at a word boundary
_ESCAPES = {"s": " ", ".": ".", "-": "-", "(": "(", ")": ")", "'": "'", "/": "/", "+": "+"}
_MAX_STRINGS = 2000  # a phrase set this large is a pattern outside the subset


class NotFinite(ValueError):
    """A pattern outside the subset this module expands."""


def expand(pattern: str) -> list[str]:
    """Every string the pattern matches, in the subset described above; NotFinite otherwise."""
    strings, end = _sequence(pattern, 0)
    if end != len(pattern):
        raise NotFinite(f"unbalanced ')' at {end} in {pattern[:60]!r}")
    return strings


def _sequence(pattern: str, i: int) -> tuple[list[str], int]:
    """Alternatives separated by '|' up to a closing ')' or the end."""
    branches, current = [], [""]
    while i < len(pattern) and pattern[i] != ")":
        if pattern[i] == "|":
            branches += current
            current, i = [""], i + 1
            continue
        atom, i = _atom(pattern, i)
        if i < len(pattern) and pattern[i] == "?":
            atom, i = ["", *atom], i + 1
        elif i < len(pattern) and pattern[i] in "*+{":
            raise NotFinite(f"repetition at {i} in {pattern[:60]!r}")
        current = [a + b for a, b in itertools.product(current, atom)]
        if len(current) > _MAX_STRINGS:
            raise NotFinite(f"more than {_MAX_STRINGS} strings in {pattern[:60]!r}")
    return branches + current, i


def _atom(pattern: str, i: int) -> tuple[list[str], int]:
    char = pattern[i]
    if pattern.startswith("(?:", i):
        inner, end = _sequence(pattern, i + 3)
        if end >= len(pattern) or pattern[end] != ")":
            raise NotFinite(f"unclosed group at {i} in {pattern[:60]!r}")
        return inner, end + 1
    if char == "(":
        raise NotFinite(f"a capturing or special group at {i} in {pattern[:60]!r}")
    if char == "[":
        end = pattern.index("]", i + 1)
        members = pattern[i + 1 : end]
        if not members or members[0] == "^" or "\\" in members or "-" in members[1:-1]:
            raise NotFinite(f"a class other than a list of characters at {i} in {pattern[:60]!r}")
        return list(members), end + 1
    if char == "\\":
        code = pattern[i + 1]
        if code == "b":
            return [_BOUNDARY], i + 2
        if code in _ESCAPES:
            return [_ESCAPES[code]], i + 2
        raise NotFinite(f"escape \\{code} at {i} in {pattern[:60]!r}")
    if char in ".^$*+{}":
        raise NotFinite(f"{char!r} at {i} in {pattern[:60]!r}")
    return [char], i + 1


def _word(char: str) -> bool:
    return char.isalnum() or char == "_"


class Phrases:
    """A set of phrases (one pattern in the subset, for lower-case text) and where they end in a text:
    leftmost, longest and not overlapping, as `re.finditer` over the alternation finds them in
    practice (its branches are tried in order; here the longest wins, which can only name more)."""

    def __init__(self, pattern: str, anchors: tuple[str, ...] = ()):
        """anchors: short strings of which every phrase holds one (checked here, on the expanded
        phrases, so the two cannot drift apart). With them, ends() reads only the stretches of text
        around each anchor: an everyday mail of 20 KB mentions a "code" once or twice, and str's own
        search finds that far faster than the automaton reads 20 KB."""
        needs: dict[str, tuple[bool, bool]] = {}
        for phrase in expand(pattern):
            word = phrase.strip(_BOUNDARY)
            if not word or _BOUNDARY in word:
                raise NotFinite(f"a word boundary inside a phrase: {phrase!r}")
            starts, ends = phrase.startswith(_BOUNDARY), phrase.endswith(_BOUNDARY)
            if word in needs:  # the same words with and without a boundary: the looser need wins
                starts, ends = starts and needs[word][0], ends and needs[word][1]
            needs[word] = (starts, ends)
        for word in needs if anchors else ():
            if not any(anchor in word for anchor in anchors):
                raise ValueError(f"the phrase {word!r} holds none of the anchors")
        self.anchors = tuple(anchors)
        # An ASCII text (nearly every mail's text) can hold only the ASCII anchors: fewer to look for.
        self.ascii_anchors = tuple(anchor for anchor in anchors if anchor.isascii())
        self.longest = max(map(len, needs), default=0)
        self.automaton = ahocorasick.Automaton()
        for word, (starts, ends) in needs.items():
            self.automaton.add_word(word, (len(word), starts, ends))
        self.automaton.make_automaton()

    def ends(self, text: str, limit: int) -> list[int]:
        """End positions (exclusive) of up to `limit` phrases found in `text`."""
        found = []
        for start, stop in self._stretches(text) if text else ():
            for last, (length, starts, ends) in self.automaton.iter_long(text, start, stop):
                end = last + 1
                if ends and end < len(text) and _word(text[end]):
                    continue
                if starts and end - length > 0 and _word(text[end - length - 1]):
                    continue
                found.append(end)
                if len(found) >= limit:
                    return found
        return found

    def _stretches(self, text: str) -> list[tuple[int, int]]:
        """The parts of the text a phrase can lie in, in order and apart: each anchor found with as
        much on either side as the longest phrase, overlapping ones merged. The whole text without
        anchors. Every phrase holds an anchor, so none lies across the edge of its stretch."""
        if not self.anchors:
            return [(0, len(text))]
        reach, spans = self.longest, []
        for anchor in self.ascii_anchors if text.isascii() else self.anchors:
            at = text.find(anchor)
            while at != -1:
                spans.append((max(0, at - reach), min(len(text), at + len(anchor) + reach)))
                if len(spans) > 1000:  # a text made of anchors: reading it whole costs less
                    return [(0, len(text))]
                at = text.find(anchor, at + 1)
        merged: list[tuple[int, int]] = []
        for start, stop in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], stop))
            else:
                merged.append((start, stop))
        return merged


class ByteStems:
    """Stems of words found in bytes in one pass: each stem with whether a Latin letter may come
    right before it (a stem at a word's start) and whether a word character may follow (a whole
    word). The bytes are read as Latin-1, one character per byte, so positions are byte positions
    and a UTF-8 or KOI8-R stem is matched byte for byte."""

    def __init__(self, stems: list[tuple[bytes, bool, bool]], hints: tuple[bytes, ...] = ()):
        """stems: (stem, at a word's start, a whole word). hints: bytes that count anywhere, found in
        the same pass (see found())."""
        self.automaton = ahocorasick.Automaton()
        for stem, at_word_start, whole_word in stems:
            self.automaton.add_word(stem.decode("latin-1"), (len(stem), at_word_start, whole_word, False))
        for hint in hints:
            self.automaton.add_word(hint.decode("latin-1"), (len(hint), False, False, True))
        self.automaton.make_automaton()

    def _valid(self, text: str, last: int, length: int, at_word_start: bool, whole_word: bool) -> bool:
        start, end = last + 1 - length, last + 1
        if at_word_start and start > 0 and "a" <= text[start - 1] <= "z":
            return False
        return not (
            whole_word and end < len(text) and text[end].isascii() and (text[end].isalnum() or text[end] == "_")
        )

    def first(self, text: str, at: int = 0) -> int:
        """The start of the first stem found at or after `at` in Latin-1 text; -1 when none."""
        for last, (length, at_word_start, whole_word, hint) in self.automaton.iter(text, at):
            if not hint and self._valid(text, last, length, at_word_start, whole_word):
                return last + 1 - length
        return -1

    def found(self, text: str) -> tuple[bool, bool]:
        """(a hint is in the text, a stem is): one pass, stopped at the first hint."""
        stem = False
        for last, (length, at_word_start, whole_word, hint) in self.automaton.iter(text):
            if hint:
                return True, stem
            stem = stem or self._valid(text, last, length, at_word_start, whole_word)
        return False, stem
