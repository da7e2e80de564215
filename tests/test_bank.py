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
