"""verify stability: agreement rates across master seeds."""

from verify.stability import REQUIRED_AGREEMENT, StabilityReport, StabilityRow


def test_agreement_rate_and_requirement():
    """A claim agreeing in 19 of 20 master seeds meets the 95 % requirement; 18 of 20 does not."""
    ok = StabilityRow("a", "HOLDS", ("HOLDS",) * 19 + ("INCONCLUSIVE",), (1.0,) * 20)
    bad = StabilityRow("b", "HOLDS", ("HOLDS",) * 18 + ("REFUTED",) * 2, (1.0, 2.0) * 10)
    assert ok.agreement == 0.95 >= REQUIRED_AGREEMENT > bad.agreement
    report = StabilityReport((ok, bad), 20)
    assert not report.ok and "NOT MET" in report.text()
    assert report.to_json()["claims"][1]["statistic_sd"] > 0


def test_harness_errors_fail_stability_with_exit_3():
    """A claim that crashed under some master seed makes the report not ok, with exit code 3."""
    row = StabilityRow("a", "HOLDS", ("HOLDS",) * 20, (1.0,) * 20)
    assert StabilityReport((row,), 20).exit_code == 0
    broken = StabilityReport((row,), 20, harness_errors=("a",))
    assert not broken.ok and broken.exit_code == 3 and "HARNESS ERRORS" in broken.text()
    assert broken.to_json()["harness_errors"] == ["a"]
