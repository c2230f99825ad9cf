"""Errors raised when outside input does not match the contracts."""


class ContractError(ValueError):
    """Base for every contract violation; the message is the reason kept with a rejected input."""


class TopicError(ContractError):
    """A topic or an id inside it does not follow the layout in SPEC.md."""


class MessageError(ContractError):
    """A payload is not valid JSON, has an unknown type, or fails validation."""
