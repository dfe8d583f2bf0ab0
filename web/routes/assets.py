"""plotly.js, served by the app from the plotly Python package (no CDN: machines may be offline)."""

from __future__ import annotations

import gzip
import hashlib
from functools import lru_cache

from fastapi import APIRouter, Request
from fastapi.responses import Response
from plotly.offline import get_plotlyjs

from web.rendering import PLOTLY_PATH

router = APIRouter(include_in_schema=False)

_CACHE = "public, max-age=31536000, immutable"


@lru_cache(maxsize=1)
def _bundle() -> tuple[bytes, bytes, str]:
    raw = get_plotlyjs().encode("utf-8")
    return raw, gzip.compress(raw, compresslevel=6), hashlib.sha256(raw).hexdigest()[:16]


@router.get(PLOTLY_PATH)
def plotly_js(request: Request) -> Response:
    """The bundled plotly.js, gzip-compressed when the browser accepts it; cached for a year
    (the file name carries the version)."""
    raw, compressed, etag = _bundle()
    headers = {"Cache-Control": _CACHE, "ETag": f'"{etag}"', "Vary": "Accept-Encoding"}
    if request.headers.get("if-none-match") == f'"{etag}"':
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(compressed, media_type="application/javascript", headers=headers)
    return Response(raw, media_type="application/javascript", headers=headers)
