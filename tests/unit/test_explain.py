"""`newsfeed explain`: one article for a person, evidence highlighted in colour on a terminal and with
plain markers elsewhere; bad arguments are one line and a non-zero exit."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from newsfeed import cli
from newsfeed.models.explain import COLOUR, PLAIN, highlight

SEED = Path(__file__).resolve().parents[3] / "shared" / "examples" / "seed-article.txt"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


pytestmark = pytest.mark.usefixtures("restore_logging")  # the CLI takes over the root logger


@pytest.fixture
def article_file(tmp_path):
    path = tmp_path / "article.json"
    path.write_text(json.dumps({"id": "seed", "title": "Peskov: Moscow will develop relations with Pyongyang",
                                "text": SEED.read_text(encoding="utf-8")}))
    return path


def explained(argv, capsys, monkeypatch, tty: bool) -> str:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr("sys.stdout.isatty", lambda: tty)
    assert cli.main(["explain", *argv]) == 0
    return capsys.readouterr().out


def test_plain_output_marks_the_evidence_with_brackets(article_file, capsys, monkeypatch):
    out = explained([str(article_file)], capsys, monkeypatch, tty=False)
    assert "\x1b[" not in out, "no escape codes into a file or a pipe"
    lines = out.splitlines()
    assert lines[0] == "Peskov: Moscow will develop relations with Pyongyang"
    # Every label with its score and threshold, the assigned ones marked.
    diplomacy = next(line for line in lines if line.strip().startswith("diplomacy "))
    assert re.fullmatch(r"\s+diplomacy\s+0\.\d{4}\s+0\.\d{4}\s+assigned", diplomacy), diplomacy
    assert any(re.fullmatch(r"\s+europe\s+0\.\d{4}\s+0\.5000\s+assigned", line) for line in lines)
    assert any(line.startswith("  RU Russia") and line.endswith("focus") for line in lines)
    evidence = next(line for line in lines if line.startswith("  diplomacy: "))
    assert re.fullmatch(r"  diplomacy: (\w[\w ]* \+\d\.\d{3}, ){4}\w[\w ]* \+\d\.\d{3}", evidence), evidence
    assert "negotiations +" in evidence
    assert "then [[negotiations]] took place" in out  # in the passage and in the text
    assert "{{Pyongyang}}" in out  # a country mention that is no evidence word


def test_colour_on_a_terminal_highlights_the_same_words(article_file, capsys, monkeypatch):
    plain = explained([str(article_file)], capsys, monkeypatch, tty=False)
    coloured = explained([str(article_file)], capsys, monkeypatch, tty=True)
    assert "[[" not in coloured and "\x1b[1;33mnegotiations\x1b[0m" in coloured
    # Without its colours the view is the plain one without its markers.
    strip_markers = re.compile(r"\[\[|\]\]|\{\{|\}\}")
    assert ANSI.sub("", coloured) == strip_markers.sub("", plain)


def test_no_color_turns_colour_off_at_a_terminal(article_file, capsys, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    assert cli.main(["explain", str(article_file)]) == 0
    assert "\x1b[" not in capsys.readouterr().out


def test_explain_text_reads_a_plain_text_file(tmp_path, tiny_model_dir, capsys, monkeypatch):
    page = tmp_path / "page.txt"
    page.write_text("The rocket launched a communications satellite into orbit from the cosmodrome on Tuesday.\n")
    out = explained(["--text", str(page), "--model", str(tiny_model_dir)], capsys, monkeypatch, tty=False)
    assert out.startswith("(no title)\nstatus ok, language en; model tiny-1")
    assert re.search(r"\[\[[^\]]*satellite[^\]]*\]\]", out.rpartition("country mention}})")[2]), out


def test_an_article_too_short_to_judge_says_so(tmp_path, tiny_model_dir, capsys, monkeypatch):
    page = tmp_path / "short.txt"
    page.write_text("Rocket launch\n")
    out = explained(["--text", str(page), "--model", str(tiny_model_dir)], capsys, monkeypatch, tty=False)
    assert "status too_short" in out and "(not judged: too_short)" in out


@pytest.mark.parametrize("argv, message", [
    ([], "newsfeed explain: error: one of the arguments FILE --text is required"),
    (["a.json", "--text", "b.txt"], "newsfeed explain: error: argument --text: not allowed with argument FILE"),
    (["/no/such/article.json"], "newsfeed explain: error: cannot open /no/such/article.json"),
    (["--model", "/no/such/model", "{article}"], "newsfeed explain: error: /no/such/model: neither a model artifact"),
])
def test_bad_arguments_are_one_line_and_a_non_zero_exit(argv, message, article_file, capsys):
    argv = [str(article_file) if arg == "{article}" else arg for arg in argv]
    with pytest.raises(SystemExit) as exited:
        raise SystemExit(cli.main(["explain", *argv]))
    assert exited.value.code != 0
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1 and "Traceback" not in err, err


def test_a_file_that_is_not_an_article_is_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"title": 3}')
    assert cli.main(["explain", str(bad)]) == 2
    assert capsys.readouterr().err == (f"newsfeed explain: error: {bad} is not an article (no_text): at least one of "
                                       "'title', 'text', 'html' must be a non-empty string (title not a string)\n")


def test_highlights_merge_where_they_overlap_and_never_nest():
    text = "The North Korean leader met Russian envoys"
    spans = [(10, 16, "ngram"), (10, 23, "ngram"), (4, 16, "mention"), (28, 35, "mention"), (28, 35, "ngram")]
    assert highlight(text, spans, PLAIN) == "The {{North }}[[Korean leader]] met [[Russian]] envoys"
    assert highlight(text, [], COLOUR) == text
