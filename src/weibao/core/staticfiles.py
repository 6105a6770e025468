"""Static files as served by the embedded web server: hashed names, gzip beside each."""

from __future__ import annotations

from typing import Any

from whitenoise.compress import Compressor  # type: ignore[import-untyped]
from whitenoise.storage import CompressedManifestStaticFilesStorage  # type: ignore[import-untyped]


class GzipManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):  # type: ignore[misc]
    """WhiteNoise's manifest storage, compressing with gzip only.

    Brotli is installed as a dependency of the PDF renderer; at its default level it
    took most of a minute for the API docs' bundles on a two-core machine, delaying the
    first start of `weibao serve`. Every browser accepts gzip, which is fast enough on
    an intranet.
    """

    def create_compressor(self, **kwargs: Any) -> Any:
        return Compressor(**{**kwargs, "use_brotli": False})
