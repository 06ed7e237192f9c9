import hashlib
import json
import shutil

import pytest

from newsfeed.models.artifact import MANIFEST_FILE, WEIGHTS_FILE, load_model, read_metadata, save_model
from newsfeed.models.errors import ArtifactError, RegistryError
from newsfeed.models.model_registry import add_version, current_version, resolve_model_dir, set_current


def test_saved_artifact_records_labels_thresholds_and_every_file_s_hash(tiny_model_dir, tiny_model):
    metadata = read_metadata(tiny_model_dir)
    assert metadata["version"] == "tiny-1" and metadata["format_version"] == 2
    assert metadata["topics"] == ["diplomacy", "space", "defence"]
    assert set(metadata["thresholds"]["topics"]) == {"diplomacy", "space", "defence"}
    manifest = json.loads((tiny_model_dir / MANIFEST_FILE).read_text())
    on_disk = {p.relative_to(tiny_model_dir).as_posix() for p in tiny_model_dir.rglob("*") if p.is_file()}
    assert set(manifest["files"]) == on_disk - {MANIFEST_FILE}
    for name, entry in manifest["files"].items():
        data = (tiny_model_dir / name).read_bytes()
        assert entry == {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    assert tiny_model.sha256 == hashlib.sha256((tiny_model_dir / MANIFEST_FILE).read_bytes()).hexdigest()


def test_the_card_and_metadata_count_the_frozen_gazetteer(tiny_model_dir):
    rows = read_metadata(tiny_model_dir)["gazetteer_rows"]
    assert rows["countries.tsv"] > 200 and rows["leaders.tsv"] > 100
    card = (tiny_model_dir / "MODEL_CARD.md").read_text()
    assert "## Gazetteer" in card and f"{rows['country-aliases.tsv']} rows of `country-aliases.tsv`" in card


def test_an_artifact_is_written_once(tiny_model, tiny_model_dir):
    with pytest.raises(ArtifactError, match="not empty"):
        save_model(tiny_model.text_model, tiny_model_dir, {"version": "tiny-1"}, "# again\n")


def test_text_preparation_of_another_version_is_refused(tiny_model_dir, tmp_path):
    copy = shutil.copytree(tiny_model_dir, tmp_path / "old")
    manifest = json.loads((copy / MANIFEST_FILE).read_text())
    manifest["text_prep_version"] = "0"
    (copy / MANIFEST_FILE).write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="retrain"):
        load_model(copy)


def test_a_directory_without_a_manifest_is_not_an_artifact(tmp_path):
    with pytest.raises(ArtifactError, match="not a model artifact"):
        load_model(tmp_path)


def test_registry_promotes_and_rolls_back_by_moving_the_current_pointer(tiny_model_dir, tmp_path):
    registry = tmp_path / "registry"
    add_version(registry, tiny_model_dir)
    set_current(registry, "tiny-1")
    assert current_version(registry) == "tiny-1"
    assert resolve_model_dir(registry) == registry / "tiny-1"
    assert load_model(resolve_model_dir(registry)).version == "tiny-1"
    with pytest.raises(RegistryError, match="no version"):
        set_current(registry, "tiny-2")
    assert current_version(registry) == "tiny-1"


def test_the_registry_refuses_a_different_artifact_under_a_version_it_holds(tiny_model_dir, tmp_path):
    registry = tmp_path / "registry"
    add_version(registry, tiny_model_dir)
    other = shutil.copytree(tiny_model_dir, tmp_path / "other" / "tiny-1")
    (other / MANIFEST_FILE).write_text((other / MANIFEST_FILE).read_text() + " ")
    with pytest.raises(RegistryError, match="different artifact"):
        add_version(registry, other)


def test_resolve_names_what_it_expected_when_given_neither(tmp_path):
    with pytest.raises(RegistryError, match="neither a model artifact"):
        resolve_model_dir(tmp_path)


def test_the_shipped_default_model_is_format_2_and_loads_with_its_own_gazetteer():
    directory = resolve_model_dir(None)
    model = load_model(directory)
    assert model.version and len(model.sha256) == 64
    assert (directory / WEIGHTS_FILE).is_file() and not (directory / "pipeline.joblib").exists()
    assert model.gazetteer is not None and model.gazetteer.country_for_name("Kyiv") == "UA"
