"""The real claim bank: well-formed declarations, verbatim quotes, and the declared family size."""

import ast
from pathlib import Path

import pytest

from verify import stats
from verify.bank import claims_dir, load_bank

ROOT = Path(__file__).resolve().parents[1]
SEED = (ROOT / "fixtures" / "seed" / "answers.txt").read_text(encoding="utf-8")
PARTS = ["q01", "q02a", "q02b", "q03a", "q03b", "q04", "q05", "q06a", "q06b", "q06c", "q07.1", "q07.2",
         "q08a", "q08b", "q08c", "q08d", "q09.1", "q09.2", "q09.3", "q10a", "q10b"]


@pytest.fixture(scope="module")
def bank():
    return load_bank(ROOT / "claims")


def test_statistical_claims_fit_the_declared_family(bank):
    """The family-wise alpha holds only while the bank has at most the declared number of statistical claims."""
    n = sum(c.statistical for c in bank)
    assert n <= stats.DECLARED_FAMILY_SIZE, (
        f"{n} statistical claims exceed the declared family size {stats.DECLARED_FAMILY_SIZE}: raise it "
        "in verify/stats.py (which lowers every claim's alpha) and recheck the power comments")


def test_quotes_are_verbatim_in_the_seed(bank):
    """Every quote a claim carries appears verbatim (up to whitespace) in the seed answers."""
    from verify.answers import find_quote

    missing = [c.id for c in bank if c.quote and find_quote(SEED, c.quote) is None]
    assert not missing


def test_every_part_has_claims_and_alternatives(bank):
    """Each question part has the student's claims plus at least three alternatives (claims without a quote)."""
    by_part = {p: [c for c in bank if c.question == p] for p in PARTS}
    thin = {p: len(cs) for p, cs in by_part.items() if len([c for c in cs if not c.quote]) < 3}
    assert not thin, f"parts with fewer than three alternatives: {thin}"


def test_claim_modules_have_docstrings_and_no_top_level_torch():
    """Claim modules state their question and import torch only inside functions (lean `verify list`)."""
    for path in sorted(claims_dir(ROOT / "claims").glob("q*.py")):
        tree = ast.parse(path.read_text())
        assert ast.get_docstring(tree), f"{path.name} has no docstring (the reconstructed question)"
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                assert not any(n.split(".")[0] in {"torch", "numpy", "scipy"} for n in names), (
                    f"{path.name} imports {names} at module level")


def test_every_claim_declares_rule_rationale_and_falsifier(bank):
    """No claim lacks a rule, a rationale or a falsifier that changes the protocol."""
    for c in bank:
        assert c.rule and c.rationale and c.falsifier.name
        assert c.falsifier.overrides, f"{c.id}: a falsifier must perturb the protocol"


def test_explicit_claims_folder_is_the_only_one_searched(tmp_path, monkeypatch):
    """A --claims folder that is missing or holds no claim modules raises, even where ./claims exists."""
    monkeypatch.chdir(ROOT)
    with pytest.raises(FileNotFoundError, match="no such folder"):
        claims_dir(tmp_path / "missing")
    with pytest.raises(FileNotFoundError, match="holds no claim modules"):
        claims_dir(tmp_path)


def test_question_number_matches_its_parts():
    """'q06' names q06a/q06b/q06c claims and 'q07' q07.1 claims; 'q0' and 'q06.x' name none of them."""
    from dataclasses import replace

    from verify.bank import matches
    from tests.helpers import make_claim, toy

    c = replace(make_claim(toy, id="q06b.shift.x"), question="q06b")
    assert matches(c, "q06") and matches(c, "q06b") and matches(c, "q06b.shift")
    assert not matches(c, "q0") and not matches(c, "q06.x") and not matches(c, "q07")


def test_claim_module_that_does_not_import_is_a_definition_error(tmp_path):
    """A claim module with a syntax error raises ClaimDefinitionError naming the file and line."""
    from verify.errors import ClaimDefinitionError

    (tmp_path / "q98_broken.py").write_text('"""broken"""\n\ndef f(:\n    pass\n')
    with pytest.raises(ClaimDefinitionError, match=r"q98_broken.py \(line 3\) does not import: SyntaxError"):
        load_bank(tmp_path)


def test_every_claim_explains_itself_to_a_student(bank):
    """Every claim has a plain-language explain (one or two sentences, no claim id, no statistics
    jargon) and phrasings on both sides for drafting."""
    import re

    jargon = re.compile(r"\b(p-value|p =|HOLDS|REFUTED|INCONCLUSIVE|verify \w+)\b|q\d\d[a-d]?\.\w")
    bad = [c.id for c in bank if not c.explain or len(c.explain) > 400 or jargon.search(c.explain)]
    assert not bad, bad
    assert all(c.phrasings.get("asserts") and c.phrasings.get("denies") for c in bank)


def test_every_claim_is_a_declaration_with_a_falsifier_kind(bank):
    """Every claim names its measurement, and every falsifier says what it changes."""
    assert all(c.falsifier.kind in ("regime", "control", "mutation") for c in bank)
    assert all(isinstance(c.measure, str) or c.decision is None or callable(c.measure) for c in bank)
    declared = sum(isinstance(c.measure, str) for c in bank)
    assert declared >= 0.95 * len(bank), f"only {declared} of {len(bank)} claims name a measure"
