"""The verdict cache: hits, invalidation, corrupt entries, parallel writers."""

import json
from concurrent.futures import ThreadPoolExecutor

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
