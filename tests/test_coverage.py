"""Sentence splitting and coverage of a document by a key's quotes."""

from verify.answers import load_key
from verify.coverage import coverage_of, split_sentences


def test_split_skips_headings_and_list_markers():
    """Headings like 'a)' are not sentences; list markers are stripped from the sentence."""
    doc = "a)\n\nFirst claim is here. Second claim is here too.\n- c) Third claim is in a list item.\n"
    texts = [s.text for s in split_sentences(doc)]
    assert texts == ["First claim is here.", "Second claim is here too.", "Third claim is in a list item."]


def test_split_joins_paragraph_broken_after_comma_and_keeps_formulas():
    """A paragraph ending in a comma continues; $$ formulas are sentences of their own."""
    doc = "Therefore,\n\nthe cost is quadratic in n.\n\n$$a = b + c$$\n"
    texts = [s.text for s in split_sentences(doc)]
    assert texts == ["Therefore, the cost is quadratic in n.", "$$a = b + c$$"]


def test_split_does_not_cut_after_abbreviations():
    """'e.g.' does not end a sentence."""
    doc = "Reduce the loss, e.g. With a sum, before calling backward.\n"
    assert len(split_sentences(doc)) == 1


def test_coverage_counts_overlapping_quotes(tmp_path):
    """A sentence is covered when a quote overlaps it; the rest are listed."""
    (tmp_path / "a.txt").write_text("Rows sum to one always. Columns do not sum to one.\n")
    (tmp_path / "k.toml").write_text('[document]\npath = "a.txt"\n[[statement]]\npart = "q08d"\n'
                                     'quote = "sum to one always"\nclaims = ["x.y"]\nstance = "asserts"\n')
    cov = coverage_of(load_key(tmp_path / "k.toml", known_claims={"x.y"}))
    assert cov.covered_flags == (True, False) and not cov.complete
    assert cov.to_json()["uncovered"] == ["Columns do not sum to one."]


def test_title_line_is_not_a_statement():
    """A short title opening the document, or a 'Question 2' line, is a heading, not a sentence."""
    doc = "Homework 1 (written part)\n\nQuestion 2\n\nThe loss must be a scalar.\n\nOverall, the cost is $O(n^2d)$\n"
    assert [s.text for s in split_sentences(doc)] == ["The loss must be a scalar.", "Overall, the cost is $O(n^2d)$"]


def test_coverage_reports_key_warnings(tmp_path):
    """Key warnings (here: a quote found twice) appear in the coverage text and JSON."""
    (tmp_path / "a.txt").write_text("Rows sum to one always. Rows sum to one always.\n")
    (tmp_path / "k.toml").write_text('[document]\npath = "a.txt"\n[[statement]]\npart = "q08d"\n'
                                     'quote = "Rows sum to one always."\nclaims = ["x.y"]\nstance = "asserts"\n')
    cov = coverage_of(load_key(tmp_path / "k.toml", known_claims={"x.y"}))
    assert "occurs 2 times" in cov.text() and "occurs 2 times" in cov.to_json()["warnings"][0]
