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

import base64
import functools
import io
import math
import re
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence
from urllib.parse import quote

from .evidence import curve, image_samples  # the builders live below the experiments that call them

__all__ = ["PLOTTERS", "register", "curve", "image_samples", "figure_keys", "matplotlib_missing",
           "render", "write_figures", "report_figures", "embedded_figures", "figure_title", "data_uri",
           "NO_MATPLOTLIB", "NO_OUTPUT", "NO_TORCHVISION", "torchvision_missing"]

NO_MATPLOTLIB = "figures skipped: matplotlib not installed; pip install -e '.[report]'"
NO_OUTPUT = "figures skipped: the report went to stdout; give --output PATH to write them beside it"

PLOTTERS: dict[str, Callable[[Any, Any], None]] = {}


def register(key: str):
    """Decorator: draw the evidence entry ``key`` with ``fn(fig_or_subfigure, value)``."""
    def deco(fn):
        PLOTTERS[key] = fn
        return fn
    return deco


# --------------------------------------------------------------------------- plotters

def _ticks(xs: Sequence[float]) -> list[str]:
    return [f"{v:g}" for v in xs]


def _clip_to_side(ln: Mapping[str, Any], bp: float | None, xmin: float, xmax: float, log: bool):
    """A fitted limb restricted to its own side of the breakpoint (and to the measured x range)."""
    xs, ys = [float(v) for v in ln["x"]], [float(v) for v in ln["y"]]
    if len(xs) != 2 or xs[0] == xs[1]:
        return xs, ys
    t = (lambda v: math.log2(v)) if log else (lambda v: v)
    lo, hi = xmin, xmax
    if bp is not None:
        left = (xs[0] + xs[1]) / 2 <= bp if not log else math.sqrt(xs[0] * xs[1]) <= bp
        lo, hi = (xmin, bp) if left else (bp, xmax)
    a, b = max(min(xs), lo), min(max(xs), hi)
    slope = (ys[1] - ys[0]) / (t(xs[1]) - t(xs[0]))
    at = (lambda v: ys[0] + slope * (t(v) - t(xs[0])))
    return [a, b], [at(a), at(b)]


def _cap(xs, ys, top: float, log: bool):
    """Cut a segment where it crosses ``top`` (an accuracy above 1 is not a thing to draw)."""
    if max(ys) <= top:
        return xs, ys
    if min(ys) >= top:
        return [], []
    t = (lambda v: math.log2(v)) if log else (lambda v: v)
    (x0, x1), (y0, y1) = xs, ys
    u = t(x0) + (top - y0) / (y1 - y0) * (t(x1) - t(x0))
    xc = 2 ** u if log else u
    return ([x0, xc], [y0, top]) if y0 < top else ([xc, x1], [top, y1])


@register("curve")
def _plot_curve(fig, c: Mapping[str, Any]) -> None:
    """Mean with its band (the interval stored in the verdict), the fitted limbs each over its own
    side, the breakpoint; accuracy plots never draw above 1."""
    ax = fig.add_subplot(1, 1, 1)
    x, mean, low, high = c["x"], c["mean"], c["low"], c["high"]
    log = c.get("x_scale") == "log2"
    accuracy = "accuracy" in str(c.get("y_label", "")).lower()
    n = sorted(set(c.get("n", [])))
    band = f"{c.get('level', 0.95):.0%} interval of the mean" + (f" ({n[0]} seeds)" if len(n) == 1 else "")
    ax.fill_between(x, low, high, color="tab:blue", alpha=0.3, linewidth=0.8, edgecolor="tab:blue", label=band)
    ax.plot(x, mean, "o-", color="tab:blue", markersize=5, linewidth=1.8, label="mean over seeds")
    bp = c.get("breakpoint")
    for i, ln in enumerate(c.get("lines", [])):
        xs, ys = _clip_to_side(ln, bp, min(x), max(x), log)
        if accuracy:
            xs, ys = _cap(xs, ys, 1.0, log)
        if xs:
            ax.plot(xs, ys, "--", color="tab:orange", linewidth=2.0,
                    label=ln.get("label", "fitted line, each side" if i == 0 else None))
    if bp is not None:
        ax.axvline(bp, color="tab:red", linestyle=":", linewidth=1.5,
                   label=f"breakpoint ({c.get('x_label', 'x')} = {bp:g})")
    if log:
        ax.set_xscale("log", base=2)
        ax.set_xticks(x, _ticks(x))
        ax.minorticks_off()
    if accuracy:
        ax.set_ylim(top=min(ax.get_ylim()[1], 1.02))
    ax.set_xlabel(c.get("x_label", "x") + (" (log scale)" if log else ""), fontsize=11)
    ax.set_ylabel(c.get("y_label", "y"), fontsize=11)
    ax.tick_params(labelsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize=8, framealpha=0.9)


NO_TORCHVISION = "sample grids tiled with numpy: torchvision does not import here ({})"


@functools.lru_cache(maxsize=1)
def torchvision_missing() -> str:
    """'' when torchvision's make_grid imports, else the one-line note a report shows once.  (Every
    torchvision wheel on some machines is a CUDA build whose import raises RuntimeError, not
    ImportError, beside a CPU torch: any failure counts as missing.)"""
    try:
        from torchvision.utils import make_grid  # noqa: F401
    except Exception as exc:  # noqa: BLE001 -- see the docstring
        return NO_TORCHVISION.format(f"{type(exc).__name__}: {str(exc)[:80]}")
    return ""


def _tile_torchvision(a, per_row: int, pad_value: float):
    import torch
    from torchvision.utils import make_grid

    return make_grid(torch.as_tensor(a)[:, None], nrow=per_row, padding=1, pad_value=pad_value)[0].numpy()


def _tile_numpy(a, per_row: int, pad_value: float):
    """The same grid as make_grid(nrow=per_row, padding=1) of one-channel images, in numpy."""
    import numpy as np

    rows = math.ceil(len(a) / per_row)
    h, w = a.shape[1:]
    grid = np.full((rows * (h + 1) + 1, per_row * (w + 1) + 1), pad_value)
    for i, img in enumerate(a):
        r, c = divmod(i, per_row)
        grid[1 + r * (h + 1):1 + r * (h + 1) + h, 1 + c * (w + 1):1 + c * (w + 1) + w] = img
    return grid


def _tile(images, pad_value: float = 0.5, per_row: int | None = None):
    """(N, 8, 8) images as one (H, W) array, 1-pixel grid lines: torchvision's make_grid where it
    imports, else the same grid in numpy (:func:`torchvision_missing` says why)."""
    import numpy as np

    a = np.asarray(images, float).reshape(-1, 8, 8)
    per_row = per_row or math.ceil(math.sqrt(len(a)))
    if not torchvision_missing():
        return _tile_torchvision(a, per_row, pad_value)
    return _tile_numpy(a, per_row, pad_value)


def _real_digits(n: int):
    """``n`` real digits (one per class while they last), for the row beside generated samples."""
    try:
        from .lab.data import digits

        images, labels = digits()
        first = [int((labels == k).nonzero()[0]) for k in range(10)]
        return images[first[:n]].numpy()
    except Exception:  # no data, no torch: the grid shows the samples alone
        return None


@register("samples_8x8")
def _plot_samples(fig, s) -> None:
    """Generated samples, with a row of real digits above them (evidence ``real``, else the fixture)."""
    images = s["images"] if isinstance(s, Mapping) else s
    real = s.get("real") if isinstance(s, Mapping) else None
    per_row = math.ceil(math.sqrt(len(images)))
    real = _real_digits(per_row) if real is None else real
    axes = fig.subplots(2, 1, height_ratios=[1, per_row]) if real is not None and len(real) else [None, fig.add_subplot(1, 1, 1)]
    if axes[0] is not None:
        axes[0].imshow(_tile(real, per_row=per_row), cmap="gray_r", vmin=0.0, vmax=1.0, interpolation="nearest")
        axes[0].set_axis_off()
        axes[0].set_title("real digits", fontsize=10)
    ax = axes[1]
    ax.imshow(_tile(images, per_row=per_row), cmap="gray_r", vmin=0.0, vmax=1.0, interpolation="nearest")
    ax.set_axis_off()
    title = s.get("title", "") if isinstance(s, Mapping) else ""
    ax.set_title(title or f"{len(images)} generated samples (8x8)", fontsize=10, wrap=True)


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


def render(evidence: Mapping[str, Any], path: str | Path | io.BytesIO, *, title: str = "",
           dpi: int = 100) -> Path | io.BytesIO | None:
    """Draw every known entry of ``evidence`` side by side into one PNG at ``path``; None if none."""
    keys = figure_keys(evidence)
    if not keys:
        return None
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    widths = [6.4 if k == "curve" else 3.8 for k in keys]
    fig = Figure(figsize=(sum(widths), 4.6), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)  # the Agg canvas: no display, no pyplot state
    subs = fig.subfigures(1, len(keys), width_ratios=widths) if len(keys) > 1 else [fig]
    for sub, key in zip(subs, keys):
        PLOTTERS[key](sub, evidence[key])
    if title:
        fig.suptitle(title, fontsize=11, wrap=True)
    target = path if isinstance(path, io.BytesIO) else Path(path)
    fig.savefig(target, format="png")
    return target


ANSWER = {"HOLDS": "Yes", "REFUTED": "No", "INCONCLUSIVE": "Not decided"}


def figure_title(v, statements: Mapping[str, str] | None = None) -> str:
    """What was tested and what came out, e.g. "Does accuracy fall at large h? No".

    The question comes from the evidence (``question``) when the claim gives one, else from the
    claim's statement ("Tested: ... -> No")."""
    outcome = v.outcome.value if hasattr(v.outcome, "value") else str(v.outcome)
    answer = ANSWER.get(outcome, outcome) + (" (under its falsifier)" if v.falsified else "")
    question = next((e.get("question") for e in v.evidence.values() if isinstance(e, Mapping) and e.get("question")), "")
    if question:
        return f"{question} {answer}"
    statement = (statements or {}).get(v.claim, "")
    if statement:
        text = statement if len(statement) <= 110 else statement[:107] + "..."
        return f"Tested: {text}\nHolds? {answer}"
    return f"Holds? {answer}"


def _file_name(claim_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", claim_id).lstrip(".") + ".png"


def write_figures(verdicts: Iterable, folder: str | Path,
                  titles: Mapping[str, str] | None = None) -> dict[str, Path]:
    """One PNG per verdict with drawable evidence, named ``<claim id>.png``, inside ``folder`` only.
    ``titles`` maps claim ids to their statements (the figure's title says what was tested)."""
    folder = Path(folder)
    out: dict[str, Path] = {}
    for v in verdicts:
        if v.claim in out or not figure_keys(v.evidence):
            continue
        path = folder / _file_name(v.claim)
        if path.resolve().parent != folder.resolve():  # a claim id can never place a file elsewhere
            raise ValueError(f"figure path {path} for claim {v.claim!r} leaves {folder}")
        folder.mkdir(parents=True, exist_ok=True)
        render(v.evidence, path, title=figure_title(v, titles))
        out[v.claim] = path
    return out


def report_figures(verdicts: Iterable, output: str | Path | None,
                   titles: Mapping[str, str] | None = None) -> tuple[dict[str, str], str]:
    """Figures for a Markdown report written to ``output``: (claim id -> relative link, note).

    They go to ``<output stem>_figures/`` beside ``output``; the links are relative to the report's
    folder.  Without ``output`` (stdout) or without matplotlib nothing is written and the note says why.
    """
    verdicts = list(verdicts)
    if output is None:
        return {}, NO_OUTPUT
    note = matplotlib_missing()
    if note:
        return {}, note
    output = Path(output)
    if output.is_dir():  # the caller refuses this path; write nothing for it
        return {}, ""
    folder = output.parent / f"{output.stem}_figures"
    paths = write_figures(verdicts, folder, titles)
    grids = any("samples_8x8" in getattr(v, "evidence", {}) for v in verdicts if v.claim in paths)
    return {cid: quote(f"{folder.name}/{p.name}") for cid, p in paths.items()}, (torchvision_missing() if grids else "")


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def embedded_figures(verdicts: Iterable, titles: Mapping[str, str] | None = None, *,
                     budget: int = 700 * 1024, dpi: int = 72) -> tuple[dict[str, str], str]:
    """Figures as data URIs (claim id -> URI, note), for a page that must stand alone (a CI job
    summary, a student's feedback).  They stop before ``budget`` bytes of URI; the note says so."""
    note = matplotlib_missing()
    if note:
        return {}, note
    out: dict[str, str] = {}
    used, left_out = 0, 0
    for v in verdicts:
        if v.claim in out or not figure_keys(v.evidence):
            continue
        buf = render(v.evidence, io.BytesIO(), title=figure_title(v, titles), dpi=dpi)
        uri = data_uri(buf.getvalue())
        if used + len(uri) > budget:
            left_out += 1
            continue
        out[v.claim] = uri
        used += len(uri)
    return out, (f"{left_out} figure(s) left out: the page would exceed GitHub's 1 MiB job-summary limit"
                 if left_out else "")
