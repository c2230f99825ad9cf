"""Errors of software updates; the CLI and the API map them at their boundary."""

from __future__ import annotations

from cloud.exceptions import CloudError, InvalidTransitionError


class UpdateError(CloudError):
    """A bundle could not be built, read or published."""


class RolloutStateError(InvalidTransitionError):
    """A rollout action that its state does not allow (resume an aborted rollout, say)."""
