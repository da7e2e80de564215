"""Evidence records that reports draw as figures, built by the experiments that measure them.

* ``"curve"`` -- a mean over seeds with a confidence band, per x level (:func:`curve`);
* ``"samples_8x8"`` -- a few 8x8 images in [0, 1] drawn as a grid (:func:`image_samples`).

Built here (numpy/scipy only) so that the band stored in a verdict is the one drawn, and so that
experiments need nothing from the report layer (:mod:`verify.figures` draws these records).
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Mapping, Sequence

__all__ = ["curve", "image_samples"]


def curve(x: Sequence[float], groups: Iterable[Sequence[float]], *, level: float = 0.95,
          x_label: str = "x", y_label: str = "y", x_scale: str = "linear", breakpoint: float | None = None,
          lines: Sequence[Mapping[str, Any]] = (), digits: int = 4,
          intervals: Sequence[tuple[float, float]] | None = None) -> dict[str, Any]:
    """The ``"curve"`` evidence: per x level the mean of its group and a t-interval at ``level``.

    The claim's experiment calls this when it decides, so the band is stored in the verdict and the
    plotter only draws it.  ``intervals`` (one (low, high) per level) are taken as given when the
    experiment computed its own; otherwise the interval is mean +- t_{(1+level)/2, n-1} * sd / sqrt(n)
    over the group (the seeds), and a group of one value gets a zero-width band.
    """
    import numpy as np
    from scipy import stats as st

    mean, low, high, n = [], [], [], []
    for g in groups:
        a = np.asarray(g, float)
        m = float(a.mean())
        half = float(st.t.ppf((1 + level) / 2, len(a) - 1) * a.std(ddof=1) / math.sqrt(len(a))) if len(a) > 1 else 0.0
        lo, hi = intervals[len(mean)] if intervals is not None else (m - half, m + half)
        mean.append(round(m, digits))
        low.append(round(float(lo), digits))
        high.append(round(float(hi), digits))
        n.append(len(a))
    out: dict[str, Any] = {"x": [float(v) for v in x], "mean": mean, "low": low, "high": high, "n": n,
                           "level": level, "x_label": x_label, "y_label": y_label, "x_scale": x_scale}
    if len(out["x"]) != len(mean):
        raise ValueError(f"curve: {len(out['x'])} x levels but {len(mean)} groups")
    if breakpoint is not None:
        out["breakpoint"] = float(breakpoint)
    if lines:
        out["lines"] = [{"x": [float(v) for v in ln["x"]], "y": [round(float(v), digits) for v in ln["y"]],
                         **({"label": ln["label"]} if "label" in ln else {})} for ln in lines]
    return out


def image_samples(images, *, title: str = "", decimals: int = 3) -> dict[str, Any]:
    """The ``"samples_8x8"`` evidence: images (N, 64) or (N, 8, 8) in [0, 1] as nested lists."""
    import numpy as np

    a = np.asarray(images.detach().cpu() if hasattr(images, "detach") else images, float).reshape(-1, 8, 8)
    return {"images": np.round(a, decimals).tolist(), "title": title}
