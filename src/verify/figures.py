"""Figures for reports: verdict evidence drawn as PNG files.

A claim opts in to a figure by putting an entry of a known shape in its evidence; nothing else
changes.  The shapes, and the builders that make them from raw measurements (numpy/scipy only):

* ``"curve"`` -- a mean over seeds with a confidence band, per x level (:func:`curve`):
  ``{"x", "mean", "low", "high", "n", "level", "x_label", "y_label", "x_scale"}`` and optionally
  ``"breakpoint"`` (an x value marked with a vertical line) and ``"lines"`` (fitted segments);
* ``"samples_8x8"`` -- a few 8x8 images in [0, 1] drawn as a grid (:func:`image_samples`):
  ``{"images": [[[8 floats] x 8], ...], "title"}`` (a bare list of images also works).

:data:`PLOTTERS` maps each evidence key to the function that draws it; :func:`register` adds one.
matplotlib (the ``report`` extra) is imported only when a figure is drawn, always with the Agg
canvas; without it nothing is drawn and the report says so in one line.  torchvision's
``make_grid`` tiles the images where torchvision imports; elsewhere numpy does the same.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence
from urllib.parse import quote

__all__ = ["PLOTTERS", "register", "curve", "image_samples", "figure_keys", "matplotlib_missing",
           "render", "write_figures", "report_figures", "NO_MATPLOTLIB", "NO_OUTPUT"]

NO_MATPLOTLIB = "figures skipped: matplotlib not installed; pip install -e '.[report]'"
NO_OUTPUT = "figures skipped: the report went to stdout; give --output PATH to write them beside it"

PLOTTERS: dict[str, Callable[[Any, Any], None]] = {}


def register(key: str):
    """Decorator: draw the evidence entry ``key`` with ``fn(fig_or_subfigure, value)``."""
    def deco(fn):
        PLOTTERS[key] = fn
        return fn
    return deco


# --------------------------------------------------------------------------- evidence builders

def curve(x: Sequence[float], groups: Iterable[Sequence[float]], *, level: float = 0.95,
          x_label: str = "x", y_label: str = "y", x_scale: str = "linear", breakpoint: float | None = None,
          lines: Sequence[Mapping[str, Any]] = (), digits: int = 4) -> dict[str, Any]:
    """The ``"curve"`` evidence: per x level the mean of its group and a t-interval at ``level``.

    The interval is mean +- t_{(1+level)/2, n-1} * sd / sqrt(n) over the group (the seeds); a group
    of one value gets a zero-width band.
    """
    import numpy as np
    from scipy import stats as st

    mean, low, high, n = [], [], [], []
    for g in groups:
        a = np.asarray(g, float)
        m = float(a.mean())
        half = float(st.t.ppf((1 + level) / 2, len(a) - 1) * a.std(ddof=1) / math.sqrt(len(a))) if len(a) > 1 else 0.0
        mean.append(round(m, digits))
        low.append(round(m - half, digits))
        high.append(round(m + half, digits))
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


# --------------------------------------------------------------------------- plotters

def _ticks(xs: Sequence[float]) -> list[str]:
    return [f"{v:g}" for v in xs]


@register("curve")
def _plot_curve(fig, c: Mapping[str, Any]) -> None:
    ax = fig.add_subplot(1, 1, 1)
    x, mean, low, high = c["x"], c["mean"], c["low"], c["high"]
    n = sorted(set(c.get("n", [])))
    band = f"{c.get('level', 0.95):.0%} t-interval" + (f" over {n[0]} seeds" if len(n) == 1 else " over seeds")
    ax.fill_between(x, low, high, color="tab:blue", alpha=0.25, linewidth=0, label=band)
    ax.plot(x, mean, "o-", color="tab:blue", markersize=4, label="mean")
    for i, ln in enumerate(c.get("lines", [])):
        ax.plot(ln["x"], ln["y"], "--", color="tab:orange", linewidth=1.2,
                label=ln.get("label", "fitted lines" if i == 0 else None))
    if c.get("breakpoint") is not None:
        ax.axvline(c["breakpoint"], color="tab:red", linestyle=":", linewidth=1.2,
                   label=f"two-lines breakpoint ({c.get('x_label', 'x')}={c['breakpoint']:g})")
    if c.get("x_scale") == "log2":
        ax.set_xscale("log", base=2)
        ax.set_xticks(x, _ticks(x))
        ax.minorticks_off()
    ax.set_xlabel(c.get("x_label", "x") + (" (log2 scale)" if c.get("x_scale") == "log2" else ""))
    ax.set_ylabel(c.get("y_label", "y"))
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize=7)
    if c.get("breakpoint") is not None:  # the decision is about the limb after the breakpoint: zoom on it
        sel = [i for i, v in enumerate(x) if v >= c["breakpoint"]]
        lo, hi = (min(low[i] for i in sel), max(high[i] for i in sel)) if sel else (0.0, 0.0)
        # only where that limb is squeezed into under a quarter of the y range (a plateau)
        if len(sel) >= 2 and hi - lo < 0.25 * (max(high) - min(low)):
            pad = max(hi - lo, 1e-3) * 0.25
            ins = ax.inset_axes([0.55, 0.1, 0.4, 0.38])
            xs = [x[i] for i in sel]
            ins.fill_between(xs, [low[i] for i in sel], [high[i] for i in sel], color="tab:blue", alpha=0.25,
                             linewidth=0)
            ins.plot(xs, [mean[i] for i in sel], "o-", color="tab:blue", markersize=3)
            for ln in c.get("lines", []):
                if min(ln["x"]) >= c["breakpoint"]:
                    ins.plot(ln["x"], ln["y"], "--", color="tab:orange", linewidth=1.0)
            if c.get("x_scale") == "log2":
                ins.set_xscale("log", base=2)
                ins.set_xticks(xs, _ticks(xs))
                ins.minorticks_off()
            ins.set_ylim(lo - pad, hi + pad)
            ins.tick_params(labelsize=6)
            ins.set_title("from the breakpoint, zoomed", fontsize=6)
            ins.grid(True, alpha=0.3)


def _tile(images, pad_value: float = 0.5):
    """(N, 8, 8) images as one (H, W) array, 1-pixel grid lines: torchvision's make_grid if it imports."""
    import numpy as np

    a = np.asarray(images, float)
    per_row = math.ceil(math.sqrt(len(a)))
    try:  # any failure (absent, or a CUDA build whose import raises RuntimeError) falls back to numpy
        import torch
        from torchvision.utils import make_grid

        return make_grid(torch.as_tensor(a)[:, None], nrow=per_row, padding=1, pad_value=pad_value)[0].numpy()
    except Exception:
        pass
    rows = math.ceil(len(a) / per_row)
    h, w = a.shape[1:]
    grid = np.full((rows * (h + 1) + 1, per_row * (w + 1) + 1), pad_value)
    for i, img in enumerate(a):
        r, c = divmod(i, per_row)
        grid[1 + r * (h + 1):1 + r * (h + 1) + h, 1 + c * (w + 1):1 + c * (w + 1) + w] = img
    return grid


@register("samples_8x8")
def _plot_samples(fig, s) -> None:
    images = s["images"] if isinstance(s, Mapping) else s
    ax = fig.add_subplot(1, 1, 1)
    ax.imshow(_tile(images), cmap="gray_r", vmin=0.0, vmax=1.0, interpolation="nearest")
    ax.set_axis_off()
    title = s.get("title", "") if isinstance(s, Mapping) else ""
    ax.set_title(title or f"{len(images)} samples (8x8)", fontsize=8, wrap=True)


# --------------------------------------------------------------------------- drawing

def figure_keys(evidence: Mapping[str, Any]) -> list[str]:
    """The evidence entries this module can draw, in registry order."""
    return [k for k in PLOTTERS if evidence.get(k) is not None]


def matplotlib_missing() -> str:
    """'' when matplotlib imports, else the one-line note the report shows instead of figures."""
    try:
        import matplotlib  # noqa: F401
        from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: F401
    except ImportError:
        return NO_MATPLOTLIB
    return ""


def render(evidence: Mapping[str, Any], path: str | Path, *, title: str = "") -> Path | None:
    """Draw every known entry of ``evidence`` side by side into one PNG at ``path``; None if none."""
    keys = figure_keys(evidence)
    if not keys:
        return None
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    widths = [6.0 if k == "curve" else 3.6 for k in keys]
    fig = Figure(figsize=(sum(widths), 4.2), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)  # the Agg canvas: no display, no pyplot state
    subs = fig.subfigures(1, len(keys), width_ratios=widths) if len(keys) > 1 else [fig]
    for sub, key in zip(subs, keys):
        PLOTTERS[key](sub, evidence[key])
    if title:
        fig.suptitle(title, fontsize=9)
    path = Path(path)
    fig.savefig(path, format="png")
    return path


def _file_name(claim_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", claim_id).lstrip(".") + ".png"


def write_figures(verdicts: Iterable, folder: str | Path) -> dict[str, Path]:
    """One PNG per verdict with drawable evidence, named ``<claim id>.png``, inside ``folder`` only."""
    folder = Path(folder)
    out: dict[str, Path] = {}
    for v in verdicts:
        if v.claim in out or not figure_keys(v.evidence):
            continue
        path = folder / _file_name(v.claim)
        if path.resolve().parent != folder.resolve():  # a claim id can never place a file elsewhere
            raise ValueError(f"figure path {path} for claim {v.claim!r} leaves {folder}")
        folder.mkdir(parents=True, exist_ok=True)
        title = f"{v.claim}: {v.outcome.value}" + (" (under its falsifier)" if v.falsified else "")
        render(v.evidence, path, title=title)
        out[v.claim] = path
    return out


def report_figures(verdicts: Iterable, output: str | Path | None) -> tuple[dict[str, str], str]:
    """Figures for a Markdown report written to ``output``: (claim id -> relative link, note).

    They go to ``<output stem>_figures/`` beside ``output``; the links are relative to the report's
    folder.  Without ``output`` (stdout) or without matplotlib nothing is written and the note says why.
    """
    if output is None:
        return {}, NO_OUTPUT
    note = matplotlib_missing()
    if note:
        return {}, note
    output = Path(output)
    if output.is_dir():  # the caller refuses this path; write nothing for it
        return {}, ""
    folder = output.parent / f"{output.stem}_figures"
    paths = write_figures(verdicts, folder)
    return {cid: quote(f"{folder.name}/{p.name}") for cid, p in paths.items()}, ""
