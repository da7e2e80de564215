"""The README's worked example of adding a claim runs as written: HOLDS, and flips under its falsifier."""

import re
from pathlib import Path

from verify.bank import load_module
from verify.claim import registry
from verify.runner import evaluate

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_claim_example_holds_and_flips(tmp_path, monkeypatch):
    """The example's measurement, added to the module it names, and its declaration, saved as a claim
    module, give HOLDS, and the falsifier gives REFUTED."""
    import verify.experiments.autograd_measures as measures

    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Adding a claim"):]
    measure_code, declaration = re.findall(r"```python\n(.*?)```", section, re.S)[:2]
    namespace: dict = {}
    exec(compile(measure_code, "README measure", "exec"), namespace)
    monkeypatch.setattr(measures, "relu_gradient_at_negatives", namespace["relu_gradient_at_negatives"],
                        raising=False)
    (tmp_path / "claims").mkdir()
    path = tmp_path / "claims" / "q05_readme_example.py"
    path.write_text(declaration)
    load_module(path)
    claim = registry["q05.relu.zero_grad_negative"]
    assert claim.rule == "exact: HOLDS iff |the largest gradient magnitude at x < 0| <= 0"
    assert evaluate(claim).outcome.value == "HOLDS"
    assert evaluate(claim, falsified=True).outcome.value == "REFUTED"


def test_readme_key_example_names_real_claims():
    """Every claim id in the README's answer-key example exists in the bank."""
    from verify.bank import load_bank

    text = README.read_text(encoding="utf-8")
    block = re.search(r"## Answer keys\n\n```toml\n(.*?)```", text, re.S).group(1)
    ids = set(re.findall(r'"(q\d\d[a-d.0-9]*\.[a-z0-9_.]+)"', block))
    known = {c.id for c in load_bank()}
    assert ids and ids <= known, ids - known
