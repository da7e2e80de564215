"""Words for matching: tokens, a light stemmer, stop words and negation cues.

Hand-written rather than a stemming package: the bank's vocabulary is small and technical, and
what matters is that "increases", "increasing" and "increase" meet, not linguistic accuracy.
"""

from __future__ import annotations

import re

__all__ = ["terms", "negated", "words", "ANTONYMS", "antonym_sides"]

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_STOP = frozenset("""
a an the and or of to in on at by for with from as is are was were be been being it its this that these
those there their they them we our you your he she his her i me my so than then thus also very much more
most such can could would should will may might must do does did doing done has have had having into over
under about up down out if while which who whom whose what when where why how all any each both few
other some own same just only too again further once here s t d ll m o re ve y one two first second use
used using like well even still quite rather instead because since therefore hence however although though
yet whether either per via let lets
not no never nor none nothing cannot without n't dont doesnt isnt arent wasnt werent cant wont
""".split())
_SUFFIXES = ("ational", "ization", "fulness", "iveness", "ations", "ation", "ments", "ment", "ities", "ity",
             "ness", "ings", "ing", "ies", "ied", "ive", "ers", "er", "es", "ed", "ly", "s")

# Cues that flip the polarity of a clause.  "rather than" / "instead of" negate what follows them,
# so a clause that starts with one denies its content.
_NEGATION = re.compile(
    r"\b(?:not|no|never|nor|neither|none|nothing|cannot|can't|won't|without|wrong|false|incorrect|"
    r"untrue|fails?\s+to|no\s+longer|\w+n't|rather\s+than|instead\s+of)\b", re.I)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("\u2019", "'"))


def _stem(word: str) -> str:
    if len(word) <= 4 or word.isdigit():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if len(word) > 4 and word[-1] == word[-2] and word[-1] not in "lsz":  # "stopp(ed)" -> "stop"
        word = word[:-1]
    return word.rstrip("e") if len(word) > 4 else word


def terms(text: str) -> list[str]:
    """Stemmed content words of ``text``: what the lexical model counts."""
    return [_stem(w) for w in words(text) if w not in _STOP and "'" not in w and len(w) > 1 or w.isdigit()]


def negated(text: str) -> bool:
    """Whether ``text`` carries an odd number of negation cues (a double negation asserts)."""
    return len(_NEGATION.findall(text)) % 2 == 1


# Opposite words: a clause that says "better" where the text says "worse" contradicts it as surely
# as a "not" does.  Words, not stems, so "less" never meets "lesson".
ANTONYMS = tuple((frozenset(a.split()), frozenset(b.split())) for a, b in (
    ("better improves improve improved", "worse hurts hurt degrades degrade"),
    ("more", "less fewer"),
    ("increase increases increased increasing rises rise rising grows grow", "decrease decreases decreased "
     "decreasing falls fall falling drops drop shrinks shrink"),
    ("higher larger bigger greater", "lower smaller"),
    ("faster quicker", "slower"),
    ("same identical equal unchanged", "different differs differ changes"),
    ("linear", "nonlinear"),
    ("positive", "negative"),
    ("possible", "impossible"),
    ("always", "sometimes"),
))


def antonym_sides(text: str) -> tuple[list[bool], list[bool]]:
    """Per antonym pair: whether ``text`` uses only its first side, and only its second."""
    present = set(words(text.replace("non-", "non")))
    first = [bool(a & present) and not (b & present) for a, b in ANTONYMS]
    second = [bool(b & present) and not (a & present) for a, b in ANTONYMS]
    return first, second
