"""Shared helpers of the bundled data sets: locating packaged files and the Bunch type."""

from __future__ import annotations

from importlib import resources
from importlib.abc import Traversable

__all__ = ["Bunch", "data_file", "read_provenance"]


def data_file(name: str) -> Traversable:
    """The packaged file ``marketlearn/datasets/data/<name>`` (works from a zip or wheel too)."""
    return resources.files("marketlearn.datasets").joinpath("data").joinpath(name)


def read_provenance(name: str) -> str:
    """The Markdown provenance note ``data/<name>``."""
    return data_file(name).read_text(encoding="utf-8")


class Bunch(dict):
    """A dict whose keys are also attributes (as ``sklearn.utils.Bunch``)."""

    def __getattr__(self, key):
        try:
            return self[key]
        except KeyError as exc:
            raise AttributeError(key) from exc

    def __dir__(self):
        return list(self.keys())
