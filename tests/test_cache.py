"""The verdict cache: hits, invalidation, corrupt, odd and forged entries, parallel writers."""

import json
import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from verify import cache
from verify.claim import Protocol

from tests.helpers import make_claim, toy


def test_second_evaluation_is_a_cache_hit():
    """The same claim twice: the second verdict comes from the cache."""
    c = make_claim(toy)
    assert not cache.cached_evaluate(c).cached
    assert cache.cached_evaluate(c).cached


def test_changed_protocol_changes_the_key():
    """Editing a protocol parameter invalidates the entry."""
    c = make_claim(toy)
    d = make_claim(toy, protocol={"flip": False, "extra": 1})
    assert cache.cache_key(c, falsified=False, master_seed=0) != cache.cache_key(d, falsified=False, master_seed=0)
    assert cache.cache_key(c, falsified=False, master_seed=0) != cache.cache_key(c, falsified=True, master_seed=0)
    assert cache.cache_key(c, falsified=False, master_seed=0) != cache.cache_key(c, falsified=False, master_seed=1)


def test_corrupt_entry_is_recomputed():
    """A truncated cache file is ignored and rewritten."""
    c = make_claim(toy)
    cache.cached_evaluate(c)
    for f in cache.cache_dir().glob("*.json"):
        f.write_text("{not json")
    v = cache.cached_evaluate(c)
    assert not v.cached
    assert cache.cached_evaluate(c).cached


def test_entry_for_another_key_is_not_trusted():
    """An entry whose stored key differs (e.g. copied from another version) is ignored."""
    c = make_claim(toy)
    cache.cached_evaluate(c)
    for f in cache.cache_dir().glob("*.json"):
        data = json.loads(f.read_text())
        data["key"] = "0" * 64
        f.write_text(json.dumps(data))
    assert not cache.cached_evaluate(c).cached


def test_parallel_writers_leave_a_readable_entry():
    """Many concurrent stores of the same verdict leave one valid file and no temp files."""
    c = make_claim(toy)
    v = cache.cached_evaluate(c, use_cache=False)
    with ThreadPoolExecutor(8) as ex:
        list(ex.map(lambda _: cache.store(c, v), range(32)))
    files = list(cache.cache_dir().iterdir())
    assert len(files) == 1 and not files[0].name.startswith(".tmp")
    assert cache.lookup(c) is not None


def test_no_cache_bypasses():
    """use_cache=False never reads nor writes."""
    c = make_claim(toy)
    cache.cached_evaluate(c, use_cache=False)
    assert not cache.cache_dir().exists() or not list(cache.cache_dir().glob("*.json"))


def _entry_path(c):
    return cache._path(cache.cache_key(c, falsified=False, master_seed=0), c)


def _forge(c, **verdict_fields):
    """A well-keyed entry whose verdict has ``verdict_fields`` replaced."""
    v = cache.cached_evaluate(c, use_cache=False).to_json()
    v.update(verdict_fields)
    path = _entry_path(c)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"key": cache.cache_key(c, falsified=False, master_seed=0), "verdict": v}))


@pytest.mark.parametrize("kind", ["fifo", "symlink", "directory", "huge", "deep", "list", "not_utf8"])
def test_odd_entries_are_recomputed_never_read(kind, tmp_path):
    """A FIFO, a symlink, a folder, an oversized file, absurdly nested JSON, a JSON list or bytes that
    are not UTF-8 at an entry's path: the claim is recomputed, nothing hangs or raises."""
    c = make_claim(toy)
    path = _entry_path(c)
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "fifo":
        os.mkfifo(path)   # reading it would block forever without O_NONBLOCK
    elif kind == "symlink":
        target = tmp_path / "elsewhere.json"
        target.write_text(json.dumps({"key": cache.cache_key(c, falsified=False, master_seed=0),
                                      "verdict": cache.cached_evaluate(c, use_cache=False).to_json()}))
        path.symlink_to(target)
    elif kind == "directory":
        path.mkdir()
    elif kind == "huge":
        path.write_bytes(b" " * (cache.MAX_ENTRY_BYTES + 1))
    elif kind == "deep":
        path.write_text("[" * 100_000 + "]" * 100_000)
    elif kind == "list":
        path.write_text("[1, 2, 3]")
    else:
        path.write_bytes(b"\xff\xfe{}")
    assert cache.lookup(c) is None
    v = cache.cached_evaluate(c)
    assert not v.cached and v.outcome.value == "HOLDS"


@pytest.mark.parametrize("fields", [{"statistic": "1e9"}, {"outcome": "PASSED"}, {"seeds": ["x"]},
                                    {"falsified": True}, {"claim": "q99.test.other"}, {"evidence": []},
                                    {"unexpected": 1}, {"ci": [1]}, {"master_seed": 7}])
def test_forged_entries_of_the_wrong_shape_are_not_trusted(fields):
    """An entry under the right key whose verdict has a wrong type, an unknown outcome, another claim,
    seed or falsifier flag, or an unknown field is ignored."""
    c = make_claim(toy)
    _forge(c, **fields)
    assert cache.lookup(c) is None


def test_the_key_covers_the_numeric_stack_and_the_data():
    """The key changes with numpy/scipy/hypothesis versions and the digits file (through their digest)."""
    digest = cache._environment_digest()
    assert "numpy=" in digest and "scipy=" in digest and "hypothesis=" in digest
    assert "no-digits" not in digest
