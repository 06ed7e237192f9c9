"""`newsfeed model calibrate`: a model whose scores sit too low on a new source, re-fitted on labelled
articles of it, finds what it missed; everything else about the model stays as it was."""

import copy
import json

import numpy as np
import pytest

from newsfeed import cli
from newsfeed.models.artifact import load_model, save_model
from newsfeed.models.classifier import classify_batch
from newsfeed.models.pipeline import ArticleAggregate, LENGTH_BANDS
from newsfeed.models.schema import article_from_dict
from newsfeed.training.calibrate import TopicCalibration, calibrated_aggregate

from conftest import tiny_examples

pytestmark = pytest.mark.usefixtures("restore_logging")  # the CLI takes over the root logger

# Each labelled sentence of the tiny model under three headlines: every topic has a dozen articles with it.
_HEADLINES = ("Report", "News in brief", "Today")


@pytest.fixture(scope="module")
def shifted_model_dir(tmp_path_factory, tiny_fit):
    """The tiny model with an aggregate that moves every log-odds down by 4: a model on a source whose
    scores it never learned, ranking its articles right but scoring them far under its thresholds."""
    text_model = copy.copy(tiny_fit[0])
    n_topics = len(text_model.topics)
    coef = np.zeros((n_topics, 5))
    coef[:, 0] = 1.0  # the whole text's log-odds, as they are
    text_model.aggregate = ArticleAggregate(coef, np.full(n_topics, -4.0), np.full((n_topics, len(LENGTH_BANDS)), 0.5))
    directory = tmp_path_factory.mktemp("shifted") / "shifted-1"
    return save_model(text_model, directory, {"version": "shifted-1"}, "# Model card: shifted-1\n\nA test model.\n")


def _labelled(topics_kept=None) -> list[dict]:
    return [{"title": _HEADLINES[n % 3], "text": example.text,
             "topics": sorted(t for t in example.topics if topics_kept is None or t in topics_kept)}
            for n, example in enumerate(tiny_examples())]


def _write(path, lines):
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return str(path)


def _found(model, lines) -> dict[str, float]:
    """Per topic, the share of the labelled articles with it that the model assigns it."""
    enrichments = classify_batch([article_from_dict({"id": str(i), "title": l["title"], "text": l["text"]})
                                  for i, l in enumerate(lines)], model)
    return {topic: np.mean([topic in e.topics for e, l in zip(enrichments, lines) if topic in l["topics"]])
            for topic in ("diplomacy", "space", "defence")}


def test_a_calibrated_model_finds_what_the_shifted_one_missed_and_keeps_the_rest(shifted_model_dir, tmp_path, capsys):
    lines = _labelled()
    code = cli.main(["model", "calibrate", str(shifted_model_dir), "--labels", _write(tmp_path / "l.jsonl", lines),
                     "--out", str(tmp_path / "out"), "--described-as", "our feed"])
    written = json.loads(capsys.readouterr().out)
    assert code == 0 and written["from"] == "shifted-1" and written["judged"] == len(lines)

    base, calibrated = load_model(shifted_model_dir), load_model(written["written"])
    assert max(_found(base, lines).values()) < 0.5  # the shifted model misses most of each topic
    assert min(_found(calibrated, lines).values()) >= 0.9
    for topic, figures in written["topics"].items():
        # Cross-fitted: each article judged by a calibration fitted without it.
        assert figures["calibrated"] and figures["f1_after"] > figures["f1_before"], topic
        assert figures["ece_after"] < figures["ece_before"], topic

    assert calibrated.version != base.version
    assert calibrated.metadata["calibration"]["from"] == {"version": "shifted-1", "sha256": base.sha256}
    assert calibrated.metadata["expected_rates"]["from"] == "the labelled articles of our feed"
    for name in ("vocabulary.tsv", "text.json", "focus.json", "regions.json"):
        assert (shifted_model_dir / name).read_bytes() == (calibrated.path / name).read_bytes(), name
    for name in ("countries.tsv", "country-aliases.tsv"):
        assert (shifted_model_dir / "gazetteer" / name).read_bytes() == (calibrated.path / "gazetteer" / name).read_bytes()
    np.testing.assert_array_equal(calibrated.text_model.topic_heads.coef, base.text_model.topic_heads.coef)
    card = (calibrated.path / "MODEL_CARD.md").read_text()
    assert card.startswith(f"# Model card: {calibrated.version}\n") and "## Calibrated for other sources" in card
    assert card.count("## Gazetteer") == 1 and "A test model." in card


def test_a_topic_with_too_few_labelled_articles_keeps_its_scale_and_thresholds(shifted_model_dir, tmp_path, capsys):
    lines = _labelled(topics_kept={"diplomacy", "defence"})  # nobody labelled space
    code = cli.main(["model", "calibrate", str(shifted_model_dir), "--labels", _write(tmp_path / "l.jsonl", lines),
                     "--out", str(tmp_path / "out")])
    written = json.loads(capsys.readouterr().out)
    assert code == 0 and not written["topics"]["space"]["calibrated"]
    assert "fewer than 10" in written["topics"]["space"]["why_kept"]
    base, calibrated = (load_model(d).text_model.aggregate for d in (shifted_model_dir, written["written"]))
    space = 1
    np.testing.assert_array_equal(calibrated.coef[space], base.coef[space])
    np.testing.assert_array_equal(calibrated.thresholds[space], base.thresholds[space])
    assert calibrated.intercept[space] == base.intercept[space]
    assert not np.array_equal(calibrated.coef[0], base.coef[0])  # diplomacy was re-fitted


def test_the_fit_folded_into_the_aggregate_gives_the_fitted_probabilities():
    rng = np.random.default_rng(3)
    aggregate = ArticleAggregate(rng.normal(size=(2, 5)), rng.normal(size=2), np.full((2, 4), 0.5))
    whole, signals = rng.uniform(0.01, 0.99, size=(50, 2)), rng.uniform(0.01, 0.99, size=(50, 2, 4))
    fit = TopicCalibration(1.7, 0.9, np.full(4, 0.3))
    folded = calibrated_aggregate(aggregate, [fit, None])
    base = aggregate.probabilities(whole, signals)
    expected = 1 / (1 + np.exp(-(1.7 * np.log(base[:, 0] / (1 - base[:, 0])) + 0.9)))
    np.testing.assert_allclose(folded.probabilities(whole, signals)[:, 0], expected, rtol=1e-9)
    np.testing.assert_array_equal(folded.probabilities(whole, signals)[:, 1], base[:, 1])
    assert folded.thresholds[0].tolist() == [0.3] * 4 and folded.thresholds[1].tolist() == [0.5] * 4


@pytest.mark.parametrize("line, message", [
    ('{"title": "t", "text": "some text"}', "l.jsonl:2: needs a 'topics' list"),
    ('{"title": "t", "text": "some text", "topics": ["sports"]}', "l.jsonl:2: unknown topic 'sports'"),
    ('{"title": "t", "text": "some text", "topics": "space"}', "l.jsonl:2: needs a 'topics' list"),
    ('{"title": "t", ', "l.jsonl:2: not a JSON object"),
])
def test_a_malformed_labels_file_is_one_line_naming_the_line(shifted_model_dir, tmp_path, capsys, line, message):
    path = tmp_path / "l.jsonl"
    path.write_text(json.dumps(_labelled()[0]) + "\n" + line + "\n")
    code = cli.main(["model", "calibrate", str(shifted_model_dir), "--labels", str(path), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code != 0 and message in err and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_a_model_without_the_whole_article_aggregate_is_refused(tiny_model_dir, tmp_path, capsys):
    code = cli.main(["model", "calibrate", str(tiny_model_dir), "--labels", _write(tmp_path / "l.jsonl", _labelled()),
                     "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code != 0 and "no whole-article aggregate" in err and err.count("\n") == 1


def test_labels_read_from_stdin_calibrate_like_a_file(shifted_model_dir, tmp_path, capsys, monkeypatch):
    import io
    import sys
    text = "".join(json.dumps(line) + "\n" for line in _labelled())
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    code = cli.main(["model", "calibrate", str(shifted_model_dir), "--labels", "-", "--out", str(tmp_path / "o")])
    written = json.loads(capsys.readouterr().out)
    assert code == 0 and written["judged"] == len(_labelled()) and written["topics"]["defence"]["calibrated"]
