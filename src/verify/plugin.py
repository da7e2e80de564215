"""The pytest plugin: a thin shell over verify.bank and verify.runner.

- collects every claim module under ``claims/`` (files ``qNN*.py``), one test item per claim;
  the item passes iff the claim's verdict equals its expected verdict;
- ``--falsify`` runs each claim under its falsifier instead (the item passes iff the verdict flips);
- ``--master-seed N`` reruns the bank under another master seed;
- registers the Hypothesis profiles ``ci`` (derandomised) and ``dev``;
- prints every verdict in the terminal summary.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from . import bank



def pytest_addoption(parser):
    group = parser.getgroup("verify", "claim verification")
    group.addoption("--falsify", action="store_true", help="run every claim under its falsifier; pass iff the verdict flips")
    group.addoption("--master-seed", type=int, default=0, help="master seed every claim derives its seeds from (default 0)")
    group.addoption("--no-verify-cache", action="store_true", help="recompute every verdict, ignoring the verdict cache")
    group.addoption("--answers", metavar="KEY.toml", default=None,
                    help="grade the answer document of KEY.toml: one test per statement")


def _register_hypothesis_profiles() -> None:
    from hypothesis import HealthCheck, settings

    # ci: derandomised and without an example database, so a run is a pure function of the code.
    settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True,
                              suppress_health_check=[HealthCheck.too_slow])
    settings.register_profile("dev", deadline=None, max_examples=50)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_configure(config):
    _register_hypothesis_profiles()
    config.addinivalue_line("markers", "claim: a claim of the verify bank (collected from claims/)")
    config.addinivalue_line("markers", "slow: trains models for more than about a second")
    # pytest-xdist's --dist loadfile hands out files biggest-first by *test count*; the claim modules
    # are already ordered by training work (see _heaviest_modules_first), so keep the collection order
    # unless the user asked for xdist's.
    if getattr(config.option, "loadscopereorder", None) and "--loadscope-reorder" not in config.invocation_params.args:
        config.option.loadscopereorder = False


def _is_claim_file(path: Path) -> bool:
    return path.parent.name == "claims" and bank.is_claim_module(path)


def pytest_collect_file(file_path: Path, parent):
    # A file named on the command line is also offered to the python plugin, which asks
    # pytest_pycollect_makemodule below: answer there only, or the module would be imported twice.
    if _is_claim_file(file_path) and not parent.session.isinitpath(file_path):
        return ClaimFile.from_parent(parent, path=file_path)
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(module_path: Path, parent):
    if _is_claim_file(module_path):
        return ClaimFile.from_parent(parent, path=module_path)
    return None


class ClaimFile(pytest.File):
    def collect(self):
        from .claim import registry

        module = bank.load_module(self.path)
        for c in registry:
            if c.module == module.__name__:
                yield ClaimItem.from_parent(self, name=c.id, claim=c)


class ClaimItem(pytest.Item):
    def __init__(self, *, claim, **kwargs):
        super().__init__(**kwargs)
        self.claim = claim
        self.add_marker(pytest.mark.claim)
        if claim.kind.value == "empirical":
            self.add_marker(pytest.mark.slow)

    def runtest(self):
        from .cache import cached_evaluate

        cfg = self.config
        verdict = cached_evaluate(self.claim, falsified=cfg.getoption("falsify"),
                                  master_seed=cfg.getoption("master_seed"),
                                  use_cache=not cfg.getoption("no_verify_cache"))
        mark = "ok  " if verdict.as_expected else "FAIL"
        # The summary line travels in user_properties, so it reaches the controller under xdist.
        self.user_properties.append(("verify_line", f"{mark} {verdict.outcome.value:<12} {verdict.claim:<58} "
                                     f"{verdict.seconds:7.2f}s  {verdict.summary()}"))
        self.user_properties.append(("verdict", verdict.outcome.value))
        verdict.assert_expected()

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, (AssertionError, RuntimeError)):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, f"claim {self.claim.id} [{self.claim.kind.value}, expected {self.claim.expected.value}]"


def pytest_runtest_logreport(report):
    if report.when == "call":
        for name, value in report.user_properties:
            if name == "verify_line":
                _LINES.append(value)


_LINES: list[str] = []


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not _LINES:
        return
    tr = terminalreporter
    title = "verify: verdicts under falsifiers" if config.getoption("falsify") else "verify: verdicts"
    tr.write_sep("=", title)
    for line in sorted(_LINES, key=lambda l: l.split()[2]):
        tr.write_line(line)
    _LINES.clear()


class StatementItem(pytest.Item):
    """One statement of a graded answer document: fails where the stance disagrees with a verdict."""

    def __init__(self, *, statement, claims, **kwargs):
        super().__init__(**kwargs)
        self.statement = statement
        self.claims = claims

    def runtest(self):
        from .cache import cached_evaluate
        from .grade import _grade_statement

        cfg = self.config
        verdicts = {cid: cached_evaluate(self.claims[cid], master_seed=cfg.getoption("master_seed"),
                                         use_cache=not cfg.getoption("no_verify_cache"))
                    for cid in self.statement.claims}
        g = _grade_statement(self.statement, verdicts)
        self.user_properties.append(("outcome", g.outcome))
        self.user_properties.append(("score", g.score))
        if g.outcome != "correct":
            lines = [f"{g.outcome}: the student {self.statement.stance} \"{self.statement.quote}\""]
            lines += [f"  {v.claim}: {v.outcome.value} ({g.agreement(v)}); {v.summary()}; "
                      f"reproduce: {v.reproduce_command()}" for v in g.verdicts]
            raise AssertionError("\n".join(lines))

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, AssertionError):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, self.statement.line, f"{self.statement.part} statement {self.statement.index}"


def _heaviest_modules_first(items) -> None:
    """Claim modules with the most statistical (training) claims first, other items after them in
    their order: with ``pytest -n auto --dist loadfile`` the long modules start at once instead of
    last (measured on 2 cores, cold bank: 57 s in xdist's order, 51 s in this one)."""
    weight: dict[str, tuple[int, int]] = {}
    for it in items:
        if isinstance(it, ClaimItem):
            st, n = weight.get(it.claim.module, (0, 0))
            weight[it.claim.module] = (st + it.claim.statistical, n + 1)
    if not weight:
        return
    pos = {id(it): i for i, it in enumerate(items)}

    def key(it):
        if isinstance(it, ClaimItem):
            st, n = weight[it.claim.module]
            return (0, -st, -n, it.claim.module, pos[id(it)])
        return (1, 0, 0, "", pos[id(it)])

    items.sort(key=key)


def pytest_collection_modifyitems(session, config, items):
    key_path = config.getoption("answers")
    if not key_path:
        _heaviest_modules_first(items)
        return
    from .answers import load_key
    from .errors import AnswerKeyError

    claims = {c.id: c for c in bank.load_bank()}
    try:
        key = load_key(key_path, known_claims=set(claims))
    except AnswerKeyError as exc:
        raise pytest.UsageError(str(exc)) from None
    graded = []
    for st in key.statements:
        name = f"{st.part}::statement{st.index:03d}"
        graded.append(StatementItem.from_parent(session, name=name, statement=st, claims=claims))
    items[:] = graded
