"""A saved model is data checked against its manifest, served with its own gazetteer, and needs neither
scikit-learn nor pycountry; a format-1 pickle is converted once, never loaded."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from newsfeed.models.artifact import MANIFEST_FILE, Model, load_model
from newsfeed.models.classifier import classify_batch
from newsfeed.models.convert import convert_model
from newsfeed.models.errors import ArtifactError
from newsfeed.models.gazetteer import FocusModel, Gazetteer
from newsfeed.models.gazetteer_data import DATA_DIR, GazetteerData
from newsfeed.models.pipeline import ArticleAggregate
from newsfeed.models.schema import Article

ARTICLES = [
    Article.from_text("The foreign minister of France met the ambassador in Paris for talks on a new trade treaty, "
                      "and envoys said negotiations with Germany would resume after the summit.", "Treaty talks"),
    Article.from_text("The rocket launched a communications satellite into orbit from the cosmodrome in Kazakhstan "
                      "while astronauts aboard the space station tested a docking system.", "Launch"),
    Article.from_text("Troops and tanks advanced in Freedonia as the army launched an offensive with artillery "
                      "strikes, the defence ministry said of the fighting near the front line.", "Freedonia offensive"),
]


def _outputs(model, articles=ARTICLES) -> list[dict]:
    """The enrichments as a user reads them, less the artifact's hash (a converted artifact has a new one)."""
    outputs = []
    for enrichment in classify_batch(articles, model):
        record = enrichment.as_dict()
        record["model"] = {k: v for k, v in record["model"].items() if k != "sha256"}
        outputs.append(record)
    return outputs


@pytest.mark.parametrize("name", ["weights.npz", "vocabulary.tsv", "topics.json", "gazetteer/leaders.tsv"])
def test_an_altered_file_is_refused_naming_it(tiny_model_dir, tmp_path, name):
    copy = shutil.copytree(tiny_model_dir, tmp_path / "tampered")
    data = bytearray((copy / name).read_bytes())
    data[len(data) // 2] ^= 0x01
    (copy / name).write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match=rf"{name}: sha256 .* does not match the manifest") as refused:
        load_model(copy)
    assert "\n" not in str(refused.value)


def test_a_missing_file_and_an_extra_file_are_refused_naming_them(tiny_model_dir, tmp_path):
    missing = shutil.copytree(tiny_model_dir, tmp_path / "missing")
    (missing / "gazetteer" / "countries.tsv").unlink()
    with pytest.raises(ArtifactError, match="countries.tsv: missing"):
        load_model(missing)
    extra = shutil.copytree(tiny_model_dir, tmp_path / "extra")
    (extra / "gazetteer" / "extra-aliases.tsv").write_text("FR\talias\tFreedonia\n")
    with pytest.raises(ArtifactError, match="extra-aliases.tsv: not in the manifest"):
        load_model(extra)


def test_a_consistent_manifest_cannot_smuggle_a_pickle_into_the_weights(tiny_model_dir, tmp_path):
    import hashlib
    import io

    copy = shutil.copytree(tiny_model_dir, tmp_path / "pickled")
    with np.load(copy / "weights.npz") as npz:
        arrays = {name: npz[name] for name in npz.files}
    arrays["idf"] = np.array([{"code": "runs"}], dtype=object)
    out = io.BytesIO()
    np.savez(out, **arrays)
    (copy / "weights.npz").write_bytes(out.getvalue())
    manifest = json.loads((copy / MANIFEST_FILE).read_text())
    manifest["files"]["weights.npz"] = {"sha256": hashlib.sha256(out.getvalue()).hexdigest(), "bytes": len(out.getvalue())}
    (copy / MANIFEST_FILE).write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="weights.npz: unreadable.*allow_pickle"):
        load_model(copy)


def test_a_format_1_artifact_is_refused_with_the_command_that_converts_it(tiny_fit, write_format_1, tmp_path):
    old = write_format_1(tiny_fit[0], tmp_path / "old-1", "old-1")
    with pytest.raises(ArtifactError, match=r"format-1 \(pickle\).*`newsfeed model convert .*old-1 NEW_DIR`"):
        load_model(old)


def test_a_converted_model_gives_the_format_1_model_s_enrichments(tiny_fit, write_format_1, tmp_path):
    text_model = tiny_fit[0]
    before = _outputs(Model("old-1", "unsaved", tmp_path, text_model, {}, 0.0))
    converted = convert_model(write_format_1(text_model, tmp_path / "old-1", "old-1"), tmp_path / "new" / "old-1")
    assert converted.version == "old-1" and _outputs(converted) == before
    assert converted.metadata["converted_from"]["format_version"] == 1


def test_a_model_with_the_aggregate_and_focus_model_converts_with_both(tiny_fit, write_format_1, tmp_path):
    text_model = pickle.loads(pickle.dumps(tiny_fit[0]))  # a copy: the session's model stays as fitted
    rng = np.random.default_rng(0)
    text_model.aggregate = ArticleAggregate(rng.normal(size=(3, 5)), rng.normal(size=3), np.full((3, 4), 0.4))
    text_model.focus = FocusModel([round(float(w), 6) for w in rng.normal(size=15)], -0.25)
    text_model.masks_names = True
    before = _outputs(Model("new-1", "unsaved", tmp_path, text_model, {}, 0.0))
    converted = convert_model(write_format_1(text_model, tmp_path / "new-1", "new-1"), tmp_path / "new" / "new-1")
    assert converted.text_model.focus == text_model.focus and converted.text_model.masks_names
    assert np.array_equal(converted.text_model.aggregate.coef, text_model.aggregate.coef)
    assert _outputs(converted) == before


def test_convert_refuses_a_swapped_pickle_before_unpickling_it(tiny_fit, write_format_1, tmp_path):
    class Payload:
        def __reduce__(self):
            return os.system, (f"touch {tmp_path / 'pickle-code-ran'}",)

    old = write_format_1(tiny_fit[0], tmp_path / "old-1", "old-1")
    (old / "pipeline.joblib").write_bytes(pickle.dumps(Payload()))
    with pytest.raises(ArtifactError, match="does not match metadata.*not unpickled"):
        convert_model(old, tmp_path / "new")
    assert not (tmp_path / "pickle-code-ran").exists()


def test_a_saved_model_keeps_its_enrichments_when_the_package_gazetteer_changes(tiny_model_dir, tmp_path, monkeypatch):
    model = load_model(tiny_model_dir)
    before = _outputs(model)
    assert [c["code"] for c in before[2]["countries"]] == []  # "Freedonia" is no country of the saved gazetteer

    data = shutil.copytree(DATA_DIR, tmp_path / "data")
    with open(data / "country-aliases.tsv", "a", encoding="utf-8") as aliases:
        aliases.write("FR\talias\tFreedonia\n")
    changed = Gazetteer.from_data(GazetteerData.from_package(data))
    monkeypatch.setattr(Gazetteer, "load", classmethod(lambda cls, data_dir=None: changed))
    # The change is real: a model served with the package's gazetteer now finds France...
    unsaved = Model(model.version, "unsaved", tmp_path, model.text_model, {}, 0.0)
    assert "FR" in [c["code"] for c in _outputs(unsaved)[2]["countries"]]
    # ...but the saved model is served with its own, frozen when it was saved, and a fresh load too.
    assert _outputs(model) == before
    assert _outputs(load_model(tiny_model_dir)) == before


_BLOCKED = """
import json, sys
for name in ("sklearn", "joblib", "pycountry"):
    sys.modules[name] = None  # importing any of them now raises ImportError
from newsfeed.models.artifact import load_model
from newsfeed.models.classifier import classify_batch
from newsfeed.models.schema import Article
model = load_model(sys.argv[1])
articles = [Article.from_text(text, title) for title, text in json.loads(sys.argv[2])]
print(json.dumps([e.as_dict() for e in classify_batch(articles, model)]))
"""


def test_loading_and_classifying_needs_neither_scikit_learn_nor_joblib_nor_pycountry(tiny_model_dir):
    texts = [[a.title, a.text] for a in ARTICLES]
    run = subprocess.run([sys.executable, "-c", _BLOCKED, str(tiny_model_dir), json.dumps(texts)],
                         capture_output=True, text=True, timeout=120, cwd=Path(__file__).resolve().parents[2])
    assert run.returncode == 0, run.stderr[-2000:]
    expected = [e.as_dict() for e in classify_batch(ARTICLES, load_model(tiny_model_dir))]
    assert json.loads(run.stdout) == expected


def test_a_format_1_pickle_names_the_modules_before_the_namespace_and_still_converts(tiny_fit, write_format_1, tmp_path):
    """Format-1 artifacts were pickled when the model layer was the top-level package `models`: the
    conversion finds `models.pipeline` as `newsfeed.models.pipeline`, and leaves no `models` behind."""
    import sys
    import zlib

    text_model, _ = tiny_fit
    old = write_format_1(text_model, tmp_path / "old-1", "old-1")
    raw = zlib.decompress((old / "pipeline.joblib").read_bytes())  # joblib's compress=3 is one zlib stream
    assert b"models.pipeline" in raw and b"newsfeed" not in raw
    had_models = "models" in sys.modules
    assert convert_model(old, tmp_path / "new" / "old-1").version == "old-1"
    assert ("models" in sys.modules) == had_models
