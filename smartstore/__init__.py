"""The ``smartstore`` command line and the embedded development broker."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("smartstore")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+local"
