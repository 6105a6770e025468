"""The one base class of Weibao's domain errors.

Field-level problems are raised as Django's ``ValidationError`` with a message dict
so that forms and the API can both name the field; everything else a service
refuses is a ``WeibaoError`` subclass named ``<Noun><Problem>Error``.
"""

from __future__ import annotations


class WeibaoError(Exception):
    """A request the domain refuses; ``message`` is already translated."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ObjectNotFoundError(WeibaoError):
    """The object does not exist or the actor may not see it (both look the same)."""

    status_code = 404


class PermissionDeniedError(WeibaoError):
    """The actor may see the object but not change it."""

    status_code = 403
