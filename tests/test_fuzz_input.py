"""Hostile answer keys and output paths: one clear message and exit code 2, never a traceback or a stray file."""

import contextlib
import io
import json
import math
import os
import tempfile
from functools import cache
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from verify.answers import MAX_BYTES, load_key
from verify.cli import main
from verify.errors import AnswerKeyError

# Real bank ids, so that a key the parser accepts is also accepted by the CLI (which loads the bank).
CLAIM = "q05.backward.nonscalar_needs_gradient"
OTHER = "q08d.softmax.rows_sum_to_one"
KNOWN = {CLAIM, OTHER}
DOC = ("Question 5\n\nThe backward pass of a non-scalar output needs a gradient argument.\n\n"
       "Softmax rows sum to 1.\n")
QUOTE = "Softmax rows sum to 1."
ENORMOUS = "x" * 1_000_000                       # 1 MB, no whitespace: the worst case for matching
ENORMOUS_SENTENCES = (QUOTE + " ") * 45_000      # 1 MB of a sentence that *is* in the document
# Derandomised and database-free, so every run fuzzes the same examples (the "ci" profile does the
# same); the function-scoped fixtures the conftest adds are not used per example.
FUZZ = dict(derandomize=True, database=None, deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                   HealthCheck.data_too_large, HealthCheck.large_base_example])


# ---------------------------------------------------------------- a key's folder, with traps

def make_folder(root: Path, *, big: bool = False) -> Path:
    """root/outside.txt, root/out/ and root/key/ holding the document and every kind of bad target."""
    (root / "outside.txt").write_text(DOC, encoding="utf-8")
    (root / "out").mkdir()
    d = root / "key"
    d.mkdir()
    (d / "answers.txt").write_text(DOC, encoding="utf-8")
    (d / "sub").mkdir()
    (d / "bad.txt").write_bytes(b"\xff\xfe" + DOC.encode())
    (d / "latin1.txt").write_bytes((DOC + "caf\u00e9").encode("latin-1"))
    (d / "empty.txt").write_bytes(b"")
    (d / "blank.txt").write_bytes(b" \n\t\n")
    os.symlink(root / "outside.txt", d / "link_out")
    os.symlink("../outside.txt", d / "link_rel_out")
    os.symlink(root, d / "link_dir")
    os.symlink("link_loop", d / "link_loop")
    os.symlink("answers.txt", d / "link_in")
    os.mkfifo(d / "fifo")
    if big:
        (d / "big.txt").write_bytes(b"a" * (MAX_BYTES + 1))
    return d


def tree(*roots) -> dict:
    """Every path under ``roots`` (links not followed) with its size and modification time."""
    out = {}
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            for name in dirnames + filenames:
                p = os.path.join(dirpath, name)
                s = os.lstat(p)
                out[p] = (s.st_mode, s.st_size, s.st_mtime_ns)
    return out


# ---------------------------------------------------------------- TOML written by hand

def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v == math.inf else "-inf" if v == -math.inf else repr(v))
    if isinstance(v, str):
        # JSON escapes are TOML escapes, except DEL, which TOML forbids raw in a basic string
        return json.dumps(v, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{toml_value(k)} = {toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(v)


def to_toml(data: dict) -> str:
    """Tables as [headers] and arrays of tables as [[headers]] (so entries have lines); the rest inline."""
    inline = [f"{toml_value(k)} = {toml_value(v)}" for k, v in data.items()
              if not isinstance(v, dict) and not (isinstance(v, list) and v and all(isinstance(x, dict) for x in v))]
    blocks = []
    for k, v in data.items():
        if isinstance(v, dict):
            blocks.append(f"[{k}]\n" + "".join(f"{toml_value(a)} = {toml_value(b)}\n" for a, b in v.items()))
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            for x in v:
                blocks.append(f"[[{k}]]\n" + "".join(f"{toml_value(a)} = {toml_value(b)}\n" for a, b in x.items()))
    return "\n".join(inline) + "\n\n" + "\n".join(blocks)


# ---------------------------------------------------------------- strategies

MISSING = object()
scalars = st.one_of(st.integers(-2**63, 2**63 - 1), st.floats(), st.booleans(), st.text(max_size=12))
junk = st.one_of(scalars, st.lists(scalars, max_size=3), st.dictionaries(st.text(max_size=5), scalars, max_size=2))

def one_in(n: int):
    """True about once in ``n`` draws (Hypothesis favours the ends of a range, so the True sits mid-list)."""
    return st.sampled_from([False] * (n // 2) + [True] + [False] * (n - 1 - n // 2))


def mostly(valid, bad):
    """Four draws in five valid, so that a key gets past its first fields and every field gets tried."""
    return one_in(5).flatmap(lambda is_bad: bad if is_bad else st.just(valid))


bad_paths = st.one_of(
    st.sampled_from([
        "./answers.txt", "sub/../answers.txt", "link_in", "{root}/key/answers.txt",        # valid after all
        "", "   ", "../outside.txt", "{root}/outside.txt", "/etc/passwd", "/", "/dev/zero", ".", "sub",
        "sub/", "link_out", "link_rel_out", "link_dir", "link_dir/outside.txt", "link_loop", "fifo",
        "bad.txt", "latin1.txt", "empty.txt", "blank.txt", "missing.txt", "big.txt", "a\x00b",
        "a" * 5000, "x/" * 3000, "../key/../../outside.txt", "~/answers.txt", "answers.txt\n",
    ]),
    junk,
)
bad_quotes = st.one_of(
    st.sampled_from(["Softmax  rows\nsum to 1.", "  Softmax rows sum to 1.  ", "", "   \n\t ",      # first two valid
                     "Softmax rows sum to one.", "not in the document at all", ENORMOUS, ENORMOUS_SENTENCES,
                     "The backward pass of a non-scalar output needs a gradient argument."]),
    st.text(max_size=40), junk,
)
bad_claims = st.one_of(
    st.sampled_from([[CLAIM], [CLAIM, OTHER], [CLAIM, CLAIM], [], CLAIM, [[CLAIM]], [1], [CLAIM, 1],
                     ["q05.backward.nonscalar_needs_gradien"], ["x" * 100_000], [""], [OTHER.upper()]]),
    st.lists(st.text(max_size=20), max_size=3), junk,
)
bad_stances = st.one_of(
    st.sampled_from(["denies", "Asserts", "ASSERTS", "DENIES", "assert", "agrees", " asserts",
                     "asserts\n", "maybe", "x" * 10_000]),
    st.text(max_size=10), junk,
)
bad_part_ids = st.one_of(st.sampled_from(["q05", "q99", "", "Q08D", "x" * 10_000]), junk)
VALID_STATEMENT = {"part": "q08d", "quote": QUOTE, "claims": [OTHER], "stance": "asserts"}


@st.composite
def statements(draw):
    if draw(one_in(20)):
        return draw(junk)                              # an entry that is not a table
    entry = {}
    for name, bad in (("part", bad_part_ids), ("quote", bad_quotes), ("claims", bad_claims), ("stance", bad_stances)):
        value = draw(mostly(VALID_STATEMENT[name], st.one_of(st.just(MISSING), bad)))
        if value is not MISSING:
            entry[name] = value
    if draw(st.booleans()):
        entry["note"] = draw(mostly("a note", junk))
    if draw(one_in(10)):
        entry[draw(st.sampled_from(["stanse", "quotes", "claim", "x" * 1000]))] = draw(scalars)
    return entry


@st.composite
def parts(draw):
    if draw(one_in(20)):
        return draw(junk)
    entry = {"id": draw(mostly("q08d", bad_part_ids)),
             "start": draw(mostly(0, st.one_of(st.integers(-5, 200), junk))),
             "end": draw(mostly(len(DOC), st.one_of(st.integers(-5, 200), junk)))}
    if draw(st.booleans()):
        entry["points"] = draw(mostly(2.5, st.one_of(st.floats(), st.integers(-3, 3), junk)))
    return entry


@st.composite
def key_data(draw):
    """A parsed-TOML shape with hostile values in every field (each field valid four draws in five)."""
    data = {}
    kind = draw(st.sampled_from(["table"] * 4 + ["missing", "junk"] + ["table"] * 4))
    if kind == "table":
        doc = {}
        path = draw(mostly("answers.txt", st.one_of(st.just(MISSING), bad_paths)))
        if path is not MISSING:
            doc["path"] = path
        if draw(st.booleans()):
            doc["title"] = draw(mostly("Answers", junk))
        if draw(one_in(10)):
            doc["paht"] = "answers.txt"
        data["document"] = doc
    elif kind == "junk":
        data["document"] = draw(junk)
    if draw(st.booleans()):
        data["part"] = draw(junk) if draw(one_in(5)) else draw(st.lists(parts(), min_size=1, max_size=3))
    shape = draw(st.sampled_from(["list"] * 4 + ["empty", "missing", "junk", "duplicate", "many"] + ["list"] * 4))
    if shape in ("list", "duplicate", "many"):
        entries = draw(st.lists(statements(), min_size=1, max_size=3))
        if shape == "duplicate":
            entries = entries + [entries[0]]
        elif shape == "many":                          # a huge key: 2,000 good entries, then the drawn ones
            entries = [dict(VALID_STATEMENT, quote=f"{QUOTE}{' ' * (i % 7)}") for i in range(2000)] + entries
        data["statement"] = entries
    elif shape == "empty":
        data["statement"] = []
    elif shape == "junk":
        data["statement"] = draw(junk)
    if draw(one_in(20)):
        data["extra"] = {"a": 1}
    return data


@st.composite
def key_bytes(draw):
    """The bytes of a hostile key: random bytes, or hand-written TOML, mutated or not."""
    if draw(one_in(10)):
        return draw(st.binary(max_size=200))
    text = to_toml(draw(key_data()))
    mutation = draw(st.sampled_from(["none"] * 7 + ["truncate", "inject", "latin1", "utf16", "bom", "ff", "pad"]
                                     + ["none"] * 7))
    if mutation == "truncate":
        text = text[:draw(st.integers(0, len(text)))]
    elif mutation == "inject":
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(["[[statement]", "= =", '"', "\x00", "[document]\n", "\n[document]\n",
                                                 "\n[[part]]\n", "'''", "\\u", "\ud7ff", "\n\x0b\n"])) + text[at:]
    elif mutation == "pad":                            # a key over the size limit
        text += "# " + "p" * MAX_BYTES + "\n"
    data = text.encode("utf-8", "surrogatepass")
    if mutation == "latin1":
        data = (text + "caf\u00e9").encode("latin-1", "replace")
    elif mutation == "utf16":
        data = text.encode("utf-16")
    elif mutation == "bom":
        data = b"\xef\xbb\xbf" + data
    elif mutation == "ff":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + b"\xff" + data[at:]
    return data


def write_key(root: Path, data: bytes, where: str) -> Path:
    """Lay the key at ``where`` (a file, a missing file, a directory, a link or a FIFO) in root/key."""
    big = b"big.txt" in data
    d = make_folder(root, big=big)
    key = d / "key.toml"
    content = data.replace(b"{root}", str(root).encode())
    if where == "file":
        key.write_bytes(content)
    elif where == "missing":
        pass
    elif where == "directory":
        key.mkdir()
    elif where == "link":
        (d / "real key.toml").write_bytes(content)
        os.symlink("real key.toml", key)
    elif where == "fifo":
        os.mkfifo(key)
    return key


key_places = st.sampled_from(["file"] * 8 + ["missing", "directory", "link", "fifo"] + ["file"] * 8)


def check_message(message: str, key: Path) -> None:
    assert "\n" not in message.strip(), f"more than one line: {message!r}"
    assert str(key) in message, f"the message does not name the key: {message!r}"
    assert "Traceback" not in message
    assert len(message) < 2000, f"message of {len(message)} characters"


# ---------------------------------------------------------------- the parser

@settings(max_examples=700, **FUZZ)
@given(data=key_bytes(), where=key_places)
def test_load_key_raises_only_answer_key_error(data, where):
    """load_key on a hostile key either returns a key or raises AnswerKeyError with a one-line message naming the file."""
    with tempfile.TemporaryDirectory() as tmp:
        key = write_key(Path(tmp), data, where)
        try:
            load_key(key, known_claims=KNOWN)
        except AnswerKeyError as exc:
            event("rejected")
            check_message(str(exc), key)
        else:
            event("accepted")


# ---------------------------------------------------------------- the CLI

@cache
def bank_ids() -> set[str]:
    from verify.bank import load_bank

    return {c.id for c in load_bank()}


def run_cli(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(argv)
    return rc, out.getvalue(), err.getvalue()


def no_claims(*args, **kwargs):
    raise AssertionError("a claim ran although the input was bad")


@settings(max_examples=400, **FUZZ)
@given(data=key_bytes(), where=key_places)
def test_cli_rejects_bad_keys_with_exit_2(data, where):
    """coverage and grade (text and json --output) exit 2 on a bad key with one stderr line, no report and no file."""
    with tempfile.TemporaryDirectory() as tmp, mock.patch("verify.session.run", no_claims):
        root = Path(tmp)
        key = write_key(root, data, where)
        try:
            load_key(key, known_claims=bank_ids())
            valid = True
        except AnswerKeyError:
            valid = False
        event("valid" if valid else "invalid")
        before = tree(root, os.environ["VERIFY_CACHE_DIR"])
        output = root / "out" / "report.json"
        runs = [["coverage", str(key)], ["coverage", str(key), "--json"]]
        if not valid:                                  # grading a valid key would run real claims
            runs += [["grade", str(key), "--format", "json", "--output", str(output)], ["grade", str(key), "-q"]]
        for argv in runs:
            rc, out, err = run_cli(argv)
            assert "Traceback" not in out + err
            if valid:
                assert rc in (0, 1), (argv, rc, err)
                continue
            assert rc == 2, (argv, rc, err)
            assert out == "", f"{argv}: stdout on bad input: {out[:200]!r}"
            assert err.startswith("verify: error:") and err.endswith("\n"), err
            check_message(err, key)
            assert not output.exists()
            assert tree(root, os.environ["VERIFY_CACHE_DIR"]) == before


# ---------------------------------------------------------------- --output

GOOD_KEY = to_toml({"document": {"path": "answers.txt"},
                    "statement": [{"part": "q08d", "quote": QUOTE, "claims": [OTHER], "stance": "asserts"}]})


@settings(max_examples=20, **FUZZ)
@given(target=st.sampled_from(["out", "key", "missing/report.json", "out/report.json/x", "outside.txt/r.json",
                               "out/nested/deeper/r.json", "key/sub", "."]))
def test_grade_rejects_bad_output_paths_before_running_claims(target):
    """grade --output to a directory or into a missing folder exits 2 naming the path, before any claim runs."""
    with tempfile.TemporaryDirectory() as tmp, mock.patch("verify.session.run", no_claims):
        root = Path(tmp)
        make_folder(root)
        key = root / "key" / "key.toml"
        key.write_text(GOOD_KEY, encoding="utf-8")
        before = tree(root)
        output = os.path.join(tmp, target)
        rc, out, err = run_cli(["grade", str(key), "--format", "json", "--output", output])
        assert rc == 2 and out == "", (rc, out, err)
        assert err.startswith("verify: error:") and err.count("\n") == 1 and "--output" in err, err
        assert "Traceback" not in err
        assert tree(root) == before
