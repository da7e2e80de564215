"""Small data: the UCI digits from ``fixtures/`` and seeded splits.  No downloads, ever."""

from __future__ import annotations

import functools
import os
from pathlib import Path

__all__ = ["fixtures_dir", "digits", "digits_split"]


def fixtures_dir() -> Path:
    candidates = [Path(os.environ["VERIFY_FIXTURES"])] if os.environ.get("VERIFY_FIXTURES") else []
    candidates += [Path.cwd() / "fixtures", Path(__file__).resolve().parents[3] / "fixtures"]
    for c in candidates:
        if (c / "digits" / "digits.npz").is_file():
            return c.resolve()
    raise FileNotFoundError("fixtures/digits/digits.npz not found in " + ", ".join(map(str, candidates))
                            + "; run from the repository root or set VERIFY_FIXTURES")


@functools.lru_cache(maxsize=None)
def digits():
    """(images, labels): float32 tensor (1797, 8, 8) scaled to [0, 1], int64 labels."""
    import numpy as np
    import torch

    with np.load(fixtures_dir() / "digits" / "digits.npz") as f:
        images = torch.from_numpy(f["images"].astype("float32") / 16.0)
        labels = torch.from_numpy(f["labels"].astype("int64"))
    return images, labels


@functools.lru_cache(maxsize=None)
def digits_split(seed: int, n_test: int = 597):
    """A stratified train/test split, the same for every caller with the same seed.

    Returns (x_train, y_train, x_test, y_test) with images still (N, 8, 8); flatten as needed.
    The default keeps 1,200 images for training and 597 for testing (about 60 per class).
    """
    import torch

    images, labels = digits()
    g = torch.Generator().manual_seed(seed)
    test_idx = []
    per_class = n_test / 10
    for c in range(10):
        idx = (labels == c).nonzero().flatten()
        idx = idx[torch.randperm(len(idx), generator=g)]
        take = int(round(per_class * (c + 1))) - int(round(per_class * c))
        test_idx.append(idx[:take])
    test = torch.cat(test_idx).sort().values
    mask = torch.ones(len(labels), dtype=torch.bool)
    mask[test] = False
    train = mask.nonzero().flatten()
    return images[train], labels[train], images[test], labels[test]
