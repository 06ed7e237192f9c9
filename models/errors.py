"""The project's exception hierarchy: one base, one subclass per kind of failure."""


class NewsfeedError(Exception):
    """Base of every error this project raises on purpose."""


class ArtifactError(NewsfeedError):
    """A model artifact is missing, corrupted, or does not match its metadata."""


class RegistryError(NewsfeedError):
    """The model registry has no current model, or a promotion was refused."""


class TrainingDataError(NewsfeedError):
    """The data directory holds nothing to train or evaluate on."""
