"""What the catalog refuses."""

from __future__ import annotations

from weibao.core.errors import WeibaoError


class ProductInUseError(WeibaoError):
    """A product or release still has deployments, so it cannot be deleted."""

    status_code = 409
