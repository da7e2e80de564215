import pytest

# pytester's in-process runs restore sys.modules afterwards; torch must already be imported, because
# a second import of torch in one process crashes.  hypothesis and scipy likewise.
import scipy.stats  # noqa: F401
import torch  # noqa: F401

pytest_plugins = ["pytester"]


def pytest_configure(config):
    config.addinivalue_line("markers", "bank_cache: uses the run's verdict cache (runs real claims of the bank)")


@pytest.fixture(autouse=True)
def _isolated_cache(request, tmp_path_factory, monkeypatch):
    """Every library test writes its verdict cache into a fresh folder, except tests that grade with
    the real bank: they share the run's cache, so the bank's claims run once per test session."""
    if request.node.get_closest_marker("bank_cache") is None:
        monkeypatch.setenv("VERIFY_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    yield
