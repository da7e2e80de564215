"""Figures: evidence shapes to PNG files, the optional matplotlib, and the Markdown report's links."""

import re
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from verify import figures as F
from verify.answers import load_key
from verify.grade import grade
from verify.report import render
from verify.verdict import HOLDS, REFUTED, Verdict

PNG = b"\x89PNG\r\n\x1a\n"


def _evidence():
    rng = np.random.default_rng(0)
    groups = [rng.normal(m, 0.01, 8) for m in (0.2, 0.6, 0.9, 0.95, 0.96)]
    return {"curve": F.curve([1, 2, 4, 8, 16], groups, x_label="h", y_label="accuracy", x_scale="log2",
                             breakpoint=4, lines=[{"x": [1, 4], "y": [0.2, 0.9]}, {"x": [8, 16], "y": [0.95, 0.96]}]),
            "samples_8x8": F.image_samples(rng.random((16, 64)), title="noise")}


@pytest.fixture
def result(tmp_path):
    (tmp_path / "a.txt").write_text("Accuracy rises then falls. Samples look like digits.\n")
    (tmp_path / "k.toml").write_text(
        '[document]\npath = "a.txt"\n'
        '[[part]]\nid = "q01"\nstart = 0\nend = 53\npoints = 1\n'
        '[[statement]]\npart = "q01"\nquote = "Accuracy rises then falls."\nclaims = ["q01.curve"]\nstance = "asserts"\n'
        '[[statement]]\npart = "q01"\nquote = "Samples look like digits."\nclaims = ["q10.grid", "q10.none"]\n'
        'stance = "asserts"\n')
    key = load_key(tmp_path / "k.toml", known_claims={"q01.curve", "q10.grid", "q10.none"})
    ev = _evidence()
    verdicts = {"q01.curve": Verdict("q01.curve", REFUTED, REFUTED, evidence={"curve": ev["curve"], "table": {}}),
                "q10.grid": Verdict("q10.grid", HOLDS, HOLDS, evidence={"samples_8x8": ev["samples_8x8"]}),
                "q10.none": Verdict("q10.none", HOLDS, HOLDS, evidence={"slope": 1.0})}
    return grade(key, verdicts)


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def test_curve_band_is_the_t_interval():
    """The curve's band is scipy's 95% t-interval of each group's mean (stats.t.interval with sem)."""
    groups = [[0.1, 0.2, 0.15, 0.12], [0.5, 0.55, 0.52, 0.6], [0.7]]
    c = F.curve([1, 2, 4], groups)
    for g, lo, hi in zip(groups[:2], c["low"], c["high"]):
        ref = stats.t.interval(0.95, len(g) - 1, loc=np.mean(g), scale=stats.sem(g))
        assert (lo, hi) == pytest.approx(ref, abs=1e-4)
    assert c["low"][2] == c["mean"][2] == c["high"][2] == 0.7


def test_render_writes_png_from_synthetic_evidence(tmp_path):
    """Curve and sample-grid evidence render to one PNG file; evidence with nothing drawable renders none."""
    path = F.render(_evidence(), tmp_path / "both.png", title="toy")
    assert path.read_bytes()[:8] == PNG
    assert F.render({"slope": 1.0}, tmp_path / "none.png") is None
    assert not (tmp_path / "none.png").exists()


def test_grid_tiles_without_torchvision(monkeypatch):
    """Without torchvision the images are tiled by numpy, one pixel of grid line between them."""
    monkeypatch.setitem(sys.modules, "torchvision", None)
    grid = F._tile(np.ones((16, 8, 8)))
    assert grid.shape == (4 * 9 + 1, 4 * 9 + 1)
    assert grid[1:9, 1:9].min() == 1.0 and grid[0].max() == 0.5


def test_markdown_links_resolve_to_written_files(result, tmp_path):
    """With an output path the Markdown links every drawable claim's figure, and each link is a PNG beside it."""
    out = tmp_path / "report" / "grade.md"
    out.parent.mkdir()
    md = render(result, "markdown", output=out)
    links = re.findall(r"!\[[^]]*\]\(([^)]+)\)", md)
    assert links == ["grade_figures/q01.curve.png", "grade_figures/q10.grid.png"]
    for link in links:
        assert (out.parent / link).read_bytes()[:8] == PNG


def test_nothing_is_written_outside_the_output_folder(result, tmp_path):
    """Figures land only in <stem>_figures beside the output, whatever the claim ids look like."""
    out = tmp_path / "report" / "grade.md"
    out.parent.mkdir()
    before = _files(tmp_path)
    render(result, "markdown", output=out)
    evil = Verdict("../../escape/x", HOLDS, HOLDS, evidence=_evidence())
    F.write_figures([evil], out.parent / "grade_figures")
    new = _files(tmp_path) - before
    assert new and all(p.parent == out.parent / "grade_figures" for p in new)


def test_stdout_report_skips_figures(result):
    """Without an output path the Markdown says in one line that figures were skipped, and links none."""
    md = render(result, "markdown")
    assert F.NO_OUTPUT in md and "![" not in md


def test_missing_matplotlib_is_a_note_not_an_error(result, tmp_path, monkeypatch):
    """With matplotlib unimportable the report renders, says how to install it, and writes no figures."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    out = tmp_path / "grade.md"
    md = render(result, "markdown", output=out)
    assert F.NO_MATPLOTLIB in md and "pip install -e '.[report]'" in md
    assert "![" not in md and not (tmp_path / "grade_figures").exists()


def test_student_view_embeds_figures_without_claim_ids(result, tmp_path):
    """The student view embeds its figures as data URIs (no files, no claim ids in links)."""
    md = render(result, "markdown", instructor=False, output=tmp_path / "grade.md")
    assert not (tmp_path / "grade_figures").exists()
    links = re.findall(r"!\[[^]]*\]\(([^)]+)\)", md)
    assert len(links) == 2 and all(link.startswith("data:image/png;base64,") for link in links)
    assert "q01.curve" not in md and "q10.grid" not in md


def test_embedded_figures_stop_at_the_budget():
    """Embedded figures that would pass the byte budget are left out, and the note says why."""
    ev = _evidence()
    verdicts = [Verdict(f"q01.c{i}", HOLDS, HOLDS, evidence={"curve": ev["curve"]}) for i in range(3)]
    one, _ = F.embedded_figures(verdicts[:1])
    size = len(one["q01.c0"])
    uris, note = F.embedded_figures(verdicts, budget=2 * size + 10)
    assert len(uris) == 2 and "1 figure(s) left out" in note and "1 MiB" in note


def test_fitted_lines_stay_on_their_side_and_below_one():
    """Each fitted limb is clipped to its side of the breakpoint, and an accuracy limb never passes 1.0."""
    left = {"x": [1, 16], "y": [0.5, 1.3]}
    xs, ys = F._clip_to_side(left, 4, 1, 16, log=True)
    assert xs == [1, 4] and ys[1] == pytest.approx(0.5 + 0.8 * 2 / 4)
    right = {"x": [2, 16], "y": [0.9, 1.1]}
    xs, ys = F._clip_to_side(right, 4, 1, 16, log=True)
    assert xs == [4, 16]
    cx, cy = F._cap(xs, ys, 1.0, log=True)
    assert max(cy) == pytest.approx(1.0) and cx[1] < 16


def test_titles_say_what_was_tested():
    """A figure's title asks the evidence's question and answers it, or names the tested statement."""
    v = Verdict("q01.x", REFUTED, REFUTED, evidence={"curve": {"question": "Does accuracy fall at large h?"}})
    assert F.figure_title(v) == "Does accuracy fall at large h? No"
    w = Verdict("q01.y", HOLDS, HOLDS, evidence={"curve": {}})
    assert F.figure_title(w, {"q01.y": "Accuracy rises with h."}) == "Tested: Accuracy rises with h.\nHolds? Yes"


def test_sample_grid_has_a_row_of_real_digits(tmp_path, monkeypatch):
    """A samples figure draws a row of real digits above the generated ones."""
    from matplotlib.figure import Figure

    fig = Figure()
    F._plot_samples(fig, {"images": np.zeros((16, 8, 8)).tolist(), "real": np.ones((4, 8, 8)).tolist()})
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["real digits", "16 generated samples (8x8)"]


def _grid_images():
    import numpy as np

    return np.random.default_rng(0).random((7, 8, 8))


def test_numpy_grid_when_torchvision_is_hidden(monkeypatch):
    """With torchvision hidden, sample grids are tiled by numpy and the report's note says so once."""
    import sys

    from verify import figures

    monkeypatch.setitem(sys.modules, "torchvision", None)
    monkeypatch.setitem(sys.modules, "torchvision.utils", None)
    figures.torchvision_missing.cache_clear()
    try:
        assert figures.torchvision_missing().startswith("sample grids tiled with numpy")
        grid = figures._tile(_grid_images(), per_row=3)
        assert grid.shape == (3 * 9 + 1, 3 * 9 + 1)
    finally:
        figures.torchvision_missing.cache_clear()


def test_torchvision_grid_equals_the_numpy_fallback():
    """Where torchvision imports, its make_grid and the numpy fallback draw the same grid."""
    import numpy as np

    from verify import figures

    figures.torchvision_missing.cache_clear()
    reason = figures.torchvision_missing()
    if reason:
        pytest.skip(reason)
    a = _grid_images()
    for per_row in (2, 3, 7):
        np.testing.assert_allclose(figures._tile_torchvision(a, per_row, 0.5), figures._tile_numpy(a, per_row, 0.5),
                                   atol=1e-6)
