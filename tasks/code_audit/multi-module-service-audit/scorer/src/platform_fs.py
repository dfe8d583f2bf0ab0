"""The object store, addressed like a POSIX file system (absolute paths, '/' separators).
Paths are normalised the way the kernel would resolve them: '..' climbs one level."""

import posixpath

from platform_http import HttpError

FILES = {}


def _norm(path):
    return posixpath.normpath("/" + path.lstrip("/"))


def read(path):
    path = _norm(path)
    if path not in FILES:
        raise HttpError(404, "no such file")
    return FILES[path]


def write(path, text):
    FILES[_norm(path)] = str(text)


def exists(path):
    return _norm(path) in FILES


def listdir(path):
    prefix = _norm(path).rstrip("/") + "/"
    return sorted({p[len(prefix):].split("/")[0] for p in FILES if p.startswith(prefix)})


def delete(path):
    FILES.pop(_norm(path), None)
