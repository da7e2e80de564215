import pytest

# pytester's in-process runs restore sys.modules afterwards; torch must already be imported, because
# a second import of torch in one process crashes.  hypothesis and scipy likewise.
import scipy.stats  # noqa: F401
import torch  # noqa: F401

pytest_plugins = ["pytester"]


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Every library test writes its verdict cache into a fresh folder."""
    monkeypatch.setenv("VERIFY_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    yield
