"""`newsfeed model convert|inspect|diff` on tiny artifacts: what a maintainer reads, and one-line errors."""

import csv
import json
import pickle
import shutil

import numpy as np
import pytest

from newsfeed import cli
from newsfeed.models.artifact import save_model
from newsfeed.models.gazetteer_data import ALIASES_FILE, GazetteerData


pytestmark = pytest.mark.usefixtures("restore_logging")  # the CLI takes over the root logger


def run(argv, capsys):
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv, message", [
    (["model"], "newsfeed model: error: the following arguments are required: ACTION"),
    (["model", "convert", "/no/such/dir", "/tmp/x"], "newsfeed model: error: SRC /no/such/dir is not a directory"),
    (["model", "inspect", "/no/such/dir"], "newsfeed model: error: DIR /no/such/dir is not a directory"),
    (["model", "diff", "a"], "newsfeed model diff: error: the following arguments are required: B"),
    (["model", "diff", ".", ".", "--sample", "0"], "newsfeed model: error: --sample must be a positive number"),
    (["model", "diff", ".", ".", "--sample", "many"], "newsfeed model diff: error: argument --sample: invalid int"),
])
def test_a_bad_argument_is_one_line_and_exit_2(argv, message, capsys):
    with pytest.raises(SystemExit) as exited:
        raise SystemExit(cli.main(argv))
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1 and "Traceback" not in err


def test_inspect_shows_version_labels_thresholds_and_the_gazetteer(tiny_model_dir, capsys):
    code, out, _ = run(["model", "inspect", str(tiny_model_dir)], capsys)
    report = json.loads(out)
    assert code == 0 and report["checks"].startswith("ok")
    assert report["version"] == "tiny-1" and report["format_version"] == 2
    assert report["labels"]["topics"] == ["diplomacy", "space", "defence"]
    assert set(report["thresholds"]["topics"]) == {"diplomacy", "space", "defence"}
    assert report["bytes"] == sum(p.stat().st_size for p in tiny_model_dir.rglob("*") if p.is_file())
    assert report["gazetteer"]["rows"]["countries.tsv"] > 200 and report["gazetteer"]["countries"] > 200


def test_inspect_of_a_tampered_artifact_says_which_file_and_exits_1(tiny_model_dir, tmp_path, capsys):
    copy = shutil.copytree(tiny_model_dir, tmp_path / "tampered")
    (copy / "vocabulary.tsv").write_text("launch\n" + (copy / "vocabulary.tsv").read_text())
    code, out, _ = run(["model", "inspect", str(copy)], capsys)
    report = json.loads(out)
    assert code == 1 and report["checks"].startswith("failed:") and "vocabulary.tsv: sha256" in report["checks"]
    assert report["unverified"]["version"] == "tiny-1"


def test_convert_then_inspect_a_format_1_artifact(tiny_fit, write_format_1, tmp_path, capsys):
    old = write_format_1(tiny_fit[0], tmp_path / "old-1", "old-1")
    code, out, _ = run(["model", "inspect", str(old)], capsys)
    assert code == 1 and "newsfeed model convert" in json.loads(out)["checks"]
    code, out, _ = run(["model", "convert", str(old), str(tmp_path / "new" / "old-1")], capsys)
    assert code == 0 and json.loads(out)["version"] == "old-1"
    code, out, _ = run(["model", "inspect", str(tmp_path / "new" / "old-1")], capsys)
    assert code == 0 and json.loads(out)["version"] == "old-1"
    code, _, err = run(["model", "convert", str(tmp_path / "new" / "old-1"), str(tmp_path / "again")], capsys)
    assert code == 1 and "already a format-2 artifact" in err and err.count("\n") == 1


def test_diff_names_changed_thresholds_gazetteer_rows_and_enrichments(tiny_model, tiny_model_dir, tmp_path, capsys):
    text_model = pickle.loads(pickle.dumps(tiny_model.text_model))
    text_model.topic_heads.threshold = np.array([0.9, 0.5, 0.5])
    package = GazetteerData.from_package()
    aliases = package.files[ALIASES_FILE] + b"FR\talias\tFreedonia\n"
    changed = save_model(text_model, tmp_path / "tiny-2", {"version": "tiny-2"}, "# tiny 2\n",
                         GazetteerData({**package.files, ALIASES_FILE: aliases}))
    data = tmp_path / "data" / "agnews-test"
    data.mkdir(parents=True)
    with open(data / "test.csv", "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([
            ["1", "Freedonia talks", "The foreign minister of Freedonia met the ambassador for talks on a treaty."],
            ["2", "Launch", "The rocket launched a communications satellite into orbit from the cosmodrome."],
        ])
    code, out, _ = run(["model", "diff", str(tiny_model_dir), str(changed), "--data", str(tmp_path / "data")], capsys)
    report = json.loads(out)
    assert code == 0
    assert report["thresholds"]["topics"]["diplomacy"][1] == 0.9
    assert report["vocabulary"]["added"] == report["vocabulary"]["removed"] == 0
    assert report["gazetteer"] == {ALIASES_FILE: {"a": report["gazetteer"][ALIASES_FILE]["a"],
                                                  "b": report["gazetteer"][ALIASES_FILE]["a"] + 1, "removed": 0,
                                                  "added": 1, "removed_examples": [],
                                                  "added_examples": ["FR\talias\tFreedonia"]}}
    enrichments = report["enrichments"]
    assert enrichments["articles"] == 2 and enrichments["changed"] == 1
    (example,) = enrichments["examples"]
    assert example["id"] == "agnews-0" and example["countries"][0] == [] and example["countries"][1][0]["code"] == "FR"
