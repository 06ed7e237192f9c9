"""newsfeed-classifier: the one import name the distribution installs.

The checkout keeps its folders at the top (`models/`, `stream/`, `training/`), but they install, and
import, as `newsfeed.models`, `newsfeed.stream` and `newsfeed.training` (pyproject.toml's
`package-dir` maps them), so no generic top-level name such as `models` can collide with another
project's. The command line is `newsfeed.cli`.
"""
