"""Outbound HTTP for previews and webhooks. The service runs inside the provider's network: the
partner CDN is public, and so are a few internal hosts (the cloud metadata endpoint and the
local admin API) that are not meant to be reached on a client's behalf."""

from urllib.parse import urlsplit

from platform_http import HttpError

HOSTS = {}  # (hostname, port) -> {path: body}


def fetch(url):
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise HttpError(400, "unsupported scheme")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    site = HOSTS.get(((parts.hostname or "").lower(), port))
    if site is None:
        raise HttpError(502, "upstream unreachable")
    return site.get(parts.path or "/", "not found")
