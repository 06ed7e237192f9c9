import json
import shutil

import pytest

from models.artifact import METADATA_FILE, PIPELINE_FILE, load_model, read_metadata
from models.errors import ArtifactError, RegistryError
from models.registry import add_version, current_version, resolve_model_dir, set_current


def test_saved_artifact_records_hash_labels_and_thresholds(tiny_model_dir, tiny_model):
    metadata = read_metadata(tiny_model_dir)
    assert metadata["version"] == "tiny-1"
    assert metadata["sha256"] == tiny_model.sha256 and len(metadata["sha256"]) == 64
    assert metadata["topics"] == ["diplomacy", "space", "defence"]
    assert set(metadata["thresholds"]["topics"]) == {"diplomacy", "space", "defence"}
    assert metadata["sklearn_version"]


def test_a_modified_pipeline_file_is_refused_with_the_reason(tiny_model_dir, tmp_path):
    copy = shutil.copytree(tiny_model_dir, tmp_path / "tampered")
    with open(copy / PIPELINE_FILE, "ab") as handle:
        handle.write(b"\0")
    with pytest.raises(ArtifactError, match="does not match metadata"):
        load_model(copy)


def test_metadata_from_another_text_preparation_is_refused(tiny_model_dir, tmp_path):
    copy = shutil.copytree(tiny_model_dir, tmp_path / "old")
    metadata = json.loads((copy / METADATA_FILE).read_text())
    metadata["text_prep_version"] = "0"
    (copy / METADATA_FILE).write_text(json.dumps(metadata))
    with pytest.raises(ArtifactError, match="retrain"):
        load_model(copy)


def test_a_directory_without_metadata_is_not_an_artifact(tmp_path):
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


def test_resolve_names_what_it_expected_when_given_neither(tmp_path):
    with pytest.raises(RegistryError, match="neither a model artifact"):
        resolve_model_dir(tmp_path)


def test_the_shipped_default_model_loads():
    model = load_model(resolve_model_dir(None))
    assert model.version and len(model.sha256) == 64
