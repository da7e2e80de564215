"""Reports of a graded document, one module per format: text (terminal), markdown (CI job summary,
student feedback), jsonfmt (machine-readable), and Gradescope's results.json (:mod:`verify.gradescope`).

Every format says per part how many statements were graded and lists those that were not (no-claim,
not covered by the key, needs review, undecided, harness error), prints the key's warnings, and names
the student.  The student view (``instructor=False``) says in plain words whether the evidence
supports each sentence and what the experiment did -- no claim ids, statistics or commands; the
staff view keeps everything.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["render", "FORMATS", "SUFFIX"]

FORMATS = ("text", "markdown", "json", "gradescope")
SUFFIX = {"text": ".txt", "markdown": ".md", "json": ".json", "gradescope": ".json"}


def render(result, fmt: str, *, instructor: bool = True, output: str | Path | None = None,
           embed: bool = False, visibility: dict | None = None, seconds: float = 0.0) -> str:
    """The report in ``fmt``.  ``output`` (where it will be written) lets Markdown write its figures
    beside it; ``embed`` puts them into the Markdown as data URIs instead (a CI job summary)."""
    if fmt == "markdown":
        from .markdown import markdown

        return markdown(result, instructor=instructor, output=output, embed=embed)
    if fmt == "text":
        from .text import text

        return text(result, instructor=instructor)
    if fmt == "json":
        from .jsonfmt import json_report

        return json_report(result, instructor=instructor)
    if fmt == "gradescope":
        from ..gradescope import results_json

        return results_json(result, visibility=visibility, seconds=seconds)
    raise ValueError(f"unknown report format {fmt!r}; one of {', '.join(FORMATS)}")
