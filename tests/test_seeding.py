"""Seeding: derived seeds are stable; one call seeds torch, numpy and random."""

import random

import numpy as np
import pytest
import torch

from verify.seeding import derive_seed, generator, seed_everything


def test_derive_seed_is_stable_and_distinct():
    """The same parts give the same seed; different parts differ."""
    assert derive_seed(0, "a", "b") == derive_seed(0, "a", "b") != derive_seed(1, "a", "b")
    assert 0 <= derive_seed(0, "a", "b") < 2**63


def test_seed_everything_seeds_all_sources():
    """After seed_everything(s) the three generators repeat their draws."""
    seed_everything(5)
    a = (random.random(), np.random.rand(), torch.rand(1).item())
    seed_everything(5)
    assert a == (random.random(), np.random.rand(), torch.rand(1).item())


def test_generator_is_explicit_and_reproducible():
    """Two generators with one seed draw the same numbers."""
    assert torch.equal(torch.rand(3, generator=generator(7)), torch.rand(3, generator=generator(7)))


def test_pin_threads_sets_up_the_evaluating_process():
    """One thread, deterministic algorithms (warn-only), no NaN fill of new tensors, and the
    compiler stack not imported just to set its flag."""
    import subprocess
    import sys

    code = ("import sys, torch\n"
            "from verify.seeding import pin_threads, keep_freed_memory\n"
            "pin_threads()\n"
            "assert torch.get_num_threads() == 1\n"
            "assert torch.are_deterministic_algorithms_enabled()\n"
            "assert torch.is_deterministic_algorithms_warn_only_enabled()\n"
            "assert torch.utils.deterministic.fill_uninitialized_memory is False\n"
            "assert 'torch._inductor.config' not in sys.modules\n"
            "import platform\n"
            "assert keep_freed_memory() == (sys.platform.startswith('linux') and platform.libc_ver()[0] == 'glibc')\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env={**__import__("os").environ, "VERIFY_THREADS": "1"})
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("value", ["0", "-1", "abc", "1.5", "100000"])
def test_bad_thread_counts_are_configuration_errors(monkeypatch, value):
    """VERIFY_THREADS that is not a whole number from 1 to 256 raises a ConfigurationError naming it."""
    from verify.errors import ConfigurationError
    from verify.seeding import thread_count

    monkeypatch.setenv("VERIFY_THREADS", value)
    with pytest.raises(ConfigurationError, match="VERIFY_THREADS"):
        thread_count()
