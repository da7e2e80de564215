"""Answer keys: strict validation with one clear message per problem."""

import pytest

from verify.answers import find_quote, load_key
from verify.errors import AnswerKeyError

DOC = "Softmax rows sum to 1.\n\nAttention is O(n^2 d) in time.\n"
KNOWN = {"q08d.softmax.rows_sum_to_one", "q07.1.cost.standard_quadratic"}


def write(tmp_path, body, doc=DOC):
    (tmp_path / "answers.txt").write_text(doc, encoding="utf-8")
    p = tmp_path / "key.toml"
    p.write_text('[document]\npath = "answers.txt"\n\n' + body, encoding="utf-8")
    return p


GOOD = '''[[statement]]
part = "q08d"
quote = "Softmax rows sum to 1."
claims = ["q08d.softmax.rows_sum_to_one"]
stance = "asserts"
'''


def test_valid_key(tmp_path):
    """A valid key yields statements with the quote's span and 1-based index and line."""
    key = load_key(write(tmp_path, GOOD), known_claims=KNOWN)
    st = key.statements[0]
    assert (st.start, st.end, st.index, st.line) == (0, 22, 1, 4)


@pytest.mark.parametrize("body, message", [
    ("[[statement]\n", "invalid TOML"),
    ("", "no [[statement]] entries"),
    (GOOD.replace('"q08d.softmax.rows_sum_to_one"', '"q08d.softmax.rows_sum_to_on"'), "did you mean q08d.softmax.rows_sum_to_one"),
    (GOOD.replace("Softmax rows sum to 1.", "Softmax rows sum to one."), "closest passage"),
    (GOOD.replace('"asserts"', '"agrees"'), "stance 'agrees' is not one of"),
    (GOOD.replace('quote = "Softmax rows sum to 1."', 'quote = ""'), "quote is empty"),
    (GOOD.replace('claims = ["q08d.softmax.rows_sum_to_one"]', "claims = []"), "claims is empty"),
    (GOOD.replace('claims = ["q08d.softmax.rows_sum_to_one"]', 'claims = "q08d.softmax.rows_sum_to_one"'), "must be a list of ids or a table"),
    (GOOD + "\n" + GOOD, "duplicate of statement 1"),
    (GOOD.replace("stance", "stanse"), "unknown field 'stanse'"),
    (GOOD.replace('part = "q08d"\n', ""), "missing field 'part'"),
])
def test_malformed_keys_give_one_clear_message(tmp_path, body, message):
    """Each malformed key raises AnswerKeyError naming the file and the problem."""
    with pytest.raises(AnswerKeyError) as e:
        load_key(write(tmp_path, body), known_claims=KNOWN)
    assert message in str(e.value) and "key.toml" in str(e.value)


def test_error_names_the_entry_line(tmp_path):
    """The message names the statement and its line in the key file."""
    with pytest.raises(AnswerKeyError, match=r"statement 1 \(line 4\)"):
        load_key(write(tmp_path, GOOD.replace('"asserts"', '"maybe"')), known_claims=KNOWN)


@pytest.mark.parametrize("path, message", [
    ("../outside.txt", "outside the key's folder"),
    ("missing.txt", "does not exist"),
    (".", "is a directory"),
])
def test_document_path_is_checked(tmp_path, path, message):
    """The document must exist, be a file, and lie inside the key's folder."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "outside.txt").write_text(DOC)
    key = tmp_path / "sub" / "key.toml"
    key.write_text(f'[document]\npath = "{path}"\n\n' + GOOD)
    with pytest.raises(AnswerKeyError, match=message):
        load_key(key, known_claims=KNOWN)


def test_non_utf8_document_is_rejected(tmp_path):
    """A document that is not UTF-8 gets a message, not a UnicodeDecodeError."""
    p = write(tmp_path, GOOD)
    (tmp_path / "answers.txt").write_bytes(b"\xff\xfe bad")
    with pytest.raises(AnswerKeyError, match="not UTF-8"):
        load_key(p, known_claims=KNOWN)


def test_quote_matches_across_line_breaks():
    """Quotes match verbatim up to runs of whitespace (a TOML string may wrap differently)."""
    doc = "The model might\nmemorize   training data."
    assert find_quote(doc, "might memorize training data") == (10, 40)
    assert find_quote(doc, "might memorise") is None


SECOND = '''[[statement]]
part = "q07.1"
quote = "Attention is O(n^2 d) in time."
claims = ["q07.1.cost.standard_quadratic"]
stance = "asserts"
'''


@pytest.mark.parametrize("note", [
    'note = """a note that quotes a key:\n[[statement]]\npart = "x"\n"""',
    "note = '''\n[[statement]] inside a literal string\n'''",
    'note = """escaped \\""" quotes\n[[statement]]\n"""',
    'note = "one line with \'\'\' and \\" inside" # [[statement]] in a comment',
])
def test_line_numbers_ignore_headers_inside_strings(tmp_path, note):
    """A '[[statement]]' line inside a multi-line string is text: the next statement's line is right."""
    first = GOOD.replace('stance = "asserts"\n', 'stance = "asserts"\n' + note + "\n")
    key = load_key(write(tmp_path, first + "\n" + SECOND), known_claims=KNOWN)
    lines = (tmp_path / "key.toml").read_text().split("\n")
    line = key.statements[1].line
    assert lines[line - 1] == "[[statement]]" and lines[line] == 'part = "q07.1"'
    bad = first + "\n" + SECOND.replace('"asserts"', '"maybe"')
    with pytest.raises(AnswerKeyError, match=rf"statement 2 \(line {line}\)"):
        load_key(write(tmp_path, bad), known_claims=KNOWN)


def test_inline_statement_array_gives_no_wrong_line(tmp_path):
    """Statements written as an inline array have no header lines: messages name the entry only."""
    (tmp_path / "answers.txt").write_text(DOC, encoding="utf-8")
    p = tmp_path / "key.toml"
    p.write_text('statement = [{part = "q08d", quote = "Softmax rows sum to 1.", '
                 'claims = ["q08d.softmax.rows_sum_to_one"], stance = "maybe"}]\n'
                 '[document]\npath = "answers.txt"\n', encoding="utf-8")
    with pytest.raises(AnswerKeyError) as e:
        load_key(p, known_claims=KNOWN)
    assert "statement 1" in str(e.value) and "(line" not in str(e.value)


def test_claims_table_gives_each_claim_its_stance(tmp_path):
    """A claims table maps each claim to its own stance; the old list form with one stance still loads."""
    body = GOOD.replace('claims = ["q08d.softmax.rows_sum_to_one"]\nstance = "asserts"',
                        'claims = { "q08d.softmax.rows_sum_to_one" = "asserts", "q07.1.cost.standard_quadratic" = "denies" }')
    st = load_key(write(tmp_path, body), known_claims=KNOWN).statements[0]
    assert st.stances == (("q08d.softmax.rows_sum_to_one", "asserts"), ("q07.1.cost.standard_quadratic", "denies"))
    assert st.stance == "mixed" and st.stance_of("q07.1.cost.standard_quadratic") == "denies"
    assert load_key(write(tmp_path, GOOD), known_claims=KNOWN).statements[0].stance == "asserts"


@pytest.mark.parametrize("extra, message", [
    ('claims = { "q08d.softmax.rows_sum_to_one" = "maybe" }', "stance 'maybe' is not one of"),
    ('claims = { "q08d.softmax.rows_sum_to_one" = "asserts" }\nstance = "asserts"', "not both"),
    ('claims = ["q08d.softmax.rows_sum_to_one"]\nstance = "asserts"\nstatus = "no-claim"', "no-claim"),
    ('claims = ["q08d.softmax.rows_sum_to_one"]\nstance = "asserts"\noverride = "correct"', "needs a comment"),
    ('claims = ["q08d.softmax.rows_sum_to_one"]\nstance = "asserts"\nreview = "done"', "review 'done' is not one of"),
])
def test_new_statement_fields_are_validated(tmp_path, extra, message):
    """Table stances, no-claim, override and review are checked with one message each."""
    body = GOOD.replace('claims = ["q08d.softmax.rows_sum_to_one"]\nstance = "asserts"', extra)
    with pytest.raises(AnswerKeyError, match=message):
        load_key(write(tmp_path, body), known_claims=KNOWN)


def test_no_claim_statement_loads_without_claims(tmp_path):
    """status = "no-claim" marks a statement read but not judgeable: it needs no claims or stance."""
    body = 'status = "no-claim"\n'.join(GOOD.split('claims = ["q08d.softmax.rows_sum_to_one"]\nstance = "asserts"\n'))
    st = load_key(write(tmp_path, body), known_claims=KNOWN).statements[0]
    assert (st.status, st.claims, st.stance) == ("no-claim", (), "")


def test_quotes_match_after_unicode_quote_dash_and_space_folding():
    """Curly quotes, dashes, NFKC compatibility forms and whitespace runs do not stop a quote matching."""
    doc = "He said \u201cit\u2019s fine\u201d \u2014 the \ufb01t is   good."
    span = find_quote(doc, "He said \"it's fine\" - the fit is good.")
    assert span == (0, len(doc))
    assert find_quote(doc, "it's fine") == (9, 18)


def test_doubtful_mappings_are_warnings(tmp_path):
    """A claim both asserted and denied, a quote found twice, and a quote outside its part are warned about."""
    doc = "Softmax rows sum to 1.\n\nAttention is O(n^2 d) in time. Softmax rows sum to 1.\n"
    parts = '[[part]]\nid = "q08d"\nstart = 0\nend = 22\n[[part]]\nid = "q07.1"\nstart = 22\nend = 78\n'
    denied = GOOD.replace('"asserts"', '"denies"').replace('part = "q08d"', 'part = "q07.1"')
    outside = SECOND.replace('part = "q07.1"', 'part = "q08d"')
    key = load_key(write(tmp_path, parts + GOOD + "\n" + denied + "\n" + outside, doc=doc), known_claims=KNOWN)
    text = "\n".join(key.warnings)
    assert "is asserted (statement 1) and denied (statement 2)" in text
    assert "occurs 2 times" in text and "outside part 'q08d'" in text
    assert key.statements[1].start == 55   # the occurrence inside the statement's own part


def test_unknown_id_suggestions_come_from_the_same_part_first(tmp_path):
    """An unknown id's suggestions list ids of the statement's own question part first."""
    known = {"q08d.softmax.rows_sum_to_one", "q07.softmax.rows_sum_to_one"}
    body = GOOD.replace('"q08d.softmax.rows_sum_to_one"]', '"q08d.softmax.rows_sum_to_1"]')
    with pytest.raises(AnswerKeyError, match=r"did you mean q08d\.softmax\.rows_sum_to_one, q07"):
        load_key(write(tmp_path, body), known_claims=known)
