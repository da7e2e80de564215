"""The pytest plugin: a thin shell over verify.session (and verify.grade for ``--answers``).

- collects every claim module under ``claims/`` (files ``qNN*.py``), one test item per claim;
  the item passes iff the claim's verdict equals its expected verdict;
- ``--falsify`` runs each claim under its falsifier instead (the item passes iff the verdict flips);
- ``--master-seed N`` reruns the bank under another master seed;
- ``--answers KEY.toml`` turns the run into a grading run: only the key's statements are collected,
  one test per statement, named ``<part>: <short quote>``;
- under pytest-xdist each claim runs under the worker's hard limits (:mod:`verify.worker`);
- registers the Hypothesis profiles ``ci`` (derandomised) and ``dev``;
- prints every verdict in the terminal summary.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from . import bank

_KEY = pytest.StashKey[object]()        # the loaded answer key of a grading run
_VERDICTS = pytest.StashKey[dict]()     # claim id -> Verdict, filled once per grading run
_OWN_RUN_DIR = pytest.StashKey[str]()   # the run folder this controller made for its xdist workers


def pytest_addoption(parser):
    group = parser.getgroup("verify", "claim verification")
    group.addoption("--falsify", action="store_true", help="run every claim under its falsifier; pass iff the verdict flips")
    group.addoption("--master-seed", type=int, default=0, help="master seed every claim derives its seeds from (default 0)")
    group.addoption("--no-verify-cache", action="store_true", help="recompute every verdict, ignoring the verdict cache")
    group.addoption("--answers", metavar="KEY.toml", default=None,
                    help="grade the answer document of KEY.toml: one test per statement (collects nothing else)")
    # Set by verify.session for the runs it starts: the folder it shares with its workers.
    group.addoption("--verify-run-dir", default=None, help=argparse.SUPPRESS)


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
    config.pluginmanager.register(_Summary(config), "verify-summary")
    # pytest-xdist's --dist loadfile hands out files biggest-first by *test count*; the claim modules
    # are already ordered by training work (see _heaviest_modules_first), so keep the collection order
    # unless the user asked for xdist's.
    if getattr(config.option, "loadscopereorder", None) and "--loadscope-reorder" not in config.invocation_params.args:
        config.option.loadscopereorder = False
    if config.getoption("answers"):
        _configure_grading(config)


def pytest_unconfigure(config):
    own = config.stash.get(_OWN_RUN_DIR, None)
    if own:
        shutil.rmtree(own, ignore_errors=True)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """xdist controller: share one run folder with the workers, so a claim that ends its worker
    becomes a harness-error verdict on the next one instead of crashing it too."""
    config = node.config
    run_dir = config.getoption("verify_run_dir")
    if not run_dir:
        run_dir = config.stash.get(_OWN_RUN_DIR, None)
        if run_dir is None:
            run_dir = config.stash[_OWN_RUN_DIR] = tempfile.mkdtemp(prefix="verify-run-")
    node.workerinput["verify_run_dir"] = run_dir


@pytest.hookimpl(optionalhook=True)
def pytest_handlecrashitem(crashitem, report, sched):
    """xdist controller, after a worker died: drop the finished modules it re-queued.

    xdist 3.x puts *every* module of the dead worker back in the queue, finished ones included; a
    fresh worker handed a finished module is sent no tests, so nothing ever asks it for more and the
    run hangs.  The crashed module itself stays queued: its crashed claim reruns as a harness error
    (``.started`` in the run folder) and its other claims run on the fresh worker."""
    queue = getattr(sched, "workqueue", None)
    if isinstance(queue, dict):
        for scope in [s for s, unit in queue.items() if isinstance(unit, dict) and unit and all(unit.values())]:
            del queue[scope]


def _run_dir(config) -> str | None:
    return config.getoption("verify_run_dir") or getattr(config, "workerinput", {}).get("verify_run_dir")


def _is_claim_file(path: Path) -> bool:
    return path.parent.name == "claims" and bank.is_claim_module(path)


def pytest_collect_file(file_path: Path, parent):
    key = parent.config.stash.get(_KEY, None)
    if key is not None:
        return AnswersFile.from_parent(parent, path=file_path) if file_path == Path(key.path).resolve() else None
    # A file named on the command line is also offered to the python plugin, which asks
    # pytest_pycollect_makemodule below: answer there only, or the module would be imported twice.
    if _is_claim_file(file_path) and not parent.session.isinitpath(file_path):
        return ClaimFile.from_parent(parent, path=file_path)
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(module_path: Path, parent):
    # A claim module named on the command line is collected wherever its folder is (`--claims DIR`).
    if _is_claim_file(module_path) or (bank.is_claim_module(module_path) and parent.session.isinitpath(module_path)):
        return ClaimFile.from_parent(parent, path=module_path)
    return None


class ClaimFile(pytest.File):
    def collect(self):
        from .claim import registry

        module = bank.load_module(self.path)
        for c in registry:
            if c.module == module.__name__:
                yield ClaimItem.from_parent(self, name=c.id, claim=c)


def _verdict(claim, config):
    """The claim's verdict: under the worker's hard limits in an xdist worker, else in this process."""
    from . import session

    kw = dict(falsified=config.getoption("falsify"), master_seed=config.getoption("master_seed"),
              cache=not config.getoption("no_verify_cache"))
    run_dir = _run_dir(config)
    if run_dir and hasattr(config, "workerinput"):
        from .worker import evaluate_in_worker, limit_memory

        limit_memory()  # once per worker, and only in workers that run claims
        return evaluate_in_worker(claim, run_dir=Path(run_dir), **kw)
    return session.evaluate_one(claim, **kw)


class ClaimItem(pytest.Item):
    def __init__(self, *, claim, **kwargs):
        super().__init__(**kwargs)
        self.claim = claim
        self.add_marker(pytest.mark.claim)
        if claim.kind.value == "empirical":
            self.add_marker(pytest.mark.slow)

    def runtest(self):
        from .session import VERDICT_PROPERTY

        verdict = _verdict(self.claim, self.config)
        # The verdict travels in user_properties, so it reaches the controller under xdist (Python's
        # json carries an infinite statistic there and back; only the command's output drops it).
        self.user_properties.append((VERDICT_PROPERTY, json.dumps(verdict.to_json())))
        self.user_properties.append(("verdict", "HARNESS-ERROR" if verdict.error else verdict.outcome.value))
        verdict.assert_expected()

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, (AssertionError, RuntimeError)):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, f"claim {self.claim.id} [{self.claim.kind.value}, expected {self.claim.expected.value}]"


class _Summary:
    """Every verdict of the run, printed once at the end (also under xdist, from the reports)."""

    def __init__(self, config):
        self.config = config
        self.lines: list[tuple[str, str]] = []

    def pytest_runtest_logreport(self, report):
        from .session import VERDICT_PROPERTY, verdict_line
        from .verdict import Verdict

        if report.when != "call":
            return
        for name, value in report.user_properties:
            if name == VERDICT_PROPERTY:
                v = Verdict.from_json(json.loads(value))
                self.lines.append((v.claim, verdict_line(v)))

    def pytest_terminal_summary(self, terminalreporter):
        if not self.lines:
            return
        falsify = self.config.getoption("falsify")
        terminalreporter.write_sep("=", "verify: verdicts under falsifiers" if falsify else "verify: verdicts")
        for _, line in sorted(self.lines):
            terminalreporter.write_line(line)


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
    run_dir = config.getoption("verify_run_dir")
    if run_dir:  # a session run: only the claims it asked for (their modules hold others too)
        from .session import REQUEST_FILE

        wanted = set(json.loads(Path(run_dir, REQUEST_FILE).read_text(encoding="utf-8")))
        keep = [it for it in items if isinstance(it, ClaimItem) and it.claim.id in wanted]
        dropped = [it for it in items if not (isinstance(it, ClaimItem) and it.claim.id in wanted)]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
        items[:] = keep
    _heaviest_modules_first(items)


# ------------------------------------------------------------------------------ grading runs

def _configure_grading(config) -> None:
    """Load the key before collection (bad input stops the run as a usage error, exit 4) and make
    it the only thing collected."""
    from .answers import load_key
    from .errors import AnswerKeyError, UnknownClaimError

    key_path = config.getoption("answers")
    try:
        claims = {c.id: c for c in bank.load_bank()}
        key = load_key(key_path, known_claims=set(claims))
    except (AnswerKeyError, UnknownClaimError, FileNotFoundError) as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[_KEY] = key
    config.args[:] = [str(Path(key.path).resolve())]


def _short(quote: str, width: int = 48) -> str:
    text = " ".join(quote.split()).replace("::", ":")
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


class AnswersFile(pytest.File):
    """The answer key: one item per statement."""

    def collect(self):
        key = self.config.stash[_KEY]
        claims = {c.id: c for c in bank.load_bank()}
        seen: set[str] = set()
        for st in key.statements:
            name = f"{st.part}: {_short(st.quote)}"
            if name in seen:  # two statements may start alike; node ids must stay unique
                name = f"{name} (statement {st.index})"
            seen.add(name)
            yield StatementItem.from_parent(self, name=name, statement=st, claims=claims)


def _grading_verdicts(config, claims) -> dict:
    """Every verdict the key needs, from one session run (parallel, cached), on first use."""
    got = config.stash.get(_VERDICTS, None)
    if got is None:
        from . import session

        key = config.stash[_KEY]
        result = session.run([claims[c] for c in key.claim_ids()], master_seed=config.getoption("master_seed"),
                             cache=not config.getoption("no_verify_cache"))
        got = config.stash[_VERDICTS] = dict(result.verdicts)
    return got


class StatementItem(pytest.Item):
    """One statement of a graded answer document: fails where the stance disagrees with a verdict."""

    def __init__(self, *, statement, claims, **kwargs):
        super().__init__(**kwargs)
        self.statement = statement
        self.claims = claims

    def runtest(self):
        from . import grade

        verdicts = _grading_verdicts(self.config, self.claims)
        g = grade.grade_statement(self.statement, verdicts)
        for v in g.verdicts:
            self.user_properties.append(("claim", v.claim))
            self.user_properties.append(("verdict", "HARNESS-ERROR" if v.error else v.outcome.value))
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
