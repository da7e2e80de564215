"""The README's worked example of adding a claim runs as written: HOLDS, and flips under its falsifier."""

import re
from pathlib import Path

from verify.bank import load_module
from verify.claim import registry
from verify.runner import evaluate

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_claim_example_holds_and_flips(tmp_path):
    """The example claim block, saved as a claim module, HOLDS and its falsifier REFUTES it."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Adding a claim"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    (tmp_path / "claims").mkdir()
    path = tmp_path / "claims" / "q05_readme_example.py"
    path.write_text(code)
    load_module(path)
    claim = registry["q05.relu.zero_grad_negative"]
    assert evaluate(claim).outcome.value == "HOLDS"
    assert evaluate(claim, falsified=True).outcome.value == "REFUTED"
