"""What the client archive refuses."""

from __future__ import annotations

from weibao.core.errors import WeibaoError


class ArchiveInUseError(WeibaoError):
    """Deleting the object would lose part of a client's record (R3) or change a contract."""

    status_code = 409
