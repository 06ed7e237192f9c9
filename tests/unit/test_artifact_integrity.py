"""Model artifacts are pickles, so none is unpickled before its sha256 matches the registry's metadata:
a swapped file is refused before any of its code runs."""

from __future__ import annotations

import json
import os
import pickle
import shutil

import pytest

from models.artifact import METADATA_FILE, PIPELINE_FILE, load_model, sha256_of
from models.errors import ArtifactError


class _Payload:
    """Unpickling this runs `os.system(command)`: how a malicious pickle gets code executed."""

    def __init__(self, command: str):
        self.command = command

    def __reduce__(self):
        return os.system, (self.command,)


def test_a_swapped_pipeline_is_refused_before_it_is_unpickled(tiny_model_dir, tmp_path):
    marker = tmp_path / "pickle-code-ran"
    copy = shutil.copytree(tiny_model_dir, tmp_path / "swapped")
    (copy / PIPELINE_FILE).write_bytes(pickle.dumps(_Payload(f"touch {marker}")))

    with pytest.raises(ArtifactError, match="does not match metadata"):
        load_model(copy)
    assert not marker.exists()  # refused on its hash: its code never ran

    # the same file, once its hash is the one in the metadata, is unpickled: the check is what stood between
    metadata = json.loads((copy / METADATA_FILE).read_text())
    metadata["sha256"] = sha256_of(copy / PIPELINE_FILE)
    (copy / METADATA_FILE).write_text(json.dumps(metadata))
    with pytest.raises(ArtifactError, match="not a TextModel"):
        load_model(copy)
    assert marker.exists()


def test_a_pipeline_without_a_recorded_hash_is_refused(tiny_model_dir, tmp_path):
    copy = shutil.copytree(tiny_model_dir, tmp_path / "unhashed")
    metadata = json.loads((copy / METADATA_FILE).read_text())
    del metadata["sha256"]
    (copy / METADATA_FILE).write_text(json.dumps(metadata))
    with pytest.raises(ArtifactError, match="lacks 'sha256'"):
        load_model(copy)
