"""Where file bytes live: content-addressed keys under UPLOAD_DIR.

Keys look like "ab/cd/<sha256>.jpg" (thumbnails "thumbs/ab/cd/<sha256>.jpg"), the layout object stores
(S3, COS, OSS) handle well; moving there means replacing this module's three functions.
"""

import os
import tempfile
from pathlib import Path

from flask import current_app

DEFAULT_DIR = Path(__file__).resolve().parent.parent.parent / "var" / "uploads"


def root() -> Path:
    return Path(current_app.config.get("UPLOAD_DIR") or DEFAULT_DIR)


def key_for(sha256: str, ext: str, prefix: str = "") -> str:
    return f"{prefix}{sha256[:2]}/{sha256[2:4]}/{sha256}.{ext}"


def path_of(key: str) -> Path:
    path = (root() / key).resolve()
    if root().resolve() not in path.parents:  # keys come from our database, but never trust a path
        raise ValueError(f"storage key escapes the upload directory: {key}")
    return path


def put(key: str, data: bytes) -> None:
    """Writes once: the same content has the same key, so an existing file is already right."""
    path = path_of(key)
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)  # atomic: a reader never sees half a file
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def exists(key: str) -> bool:
    return path_of(key).is_file()


def delete(key: str) -> bool:
    """Removes a stored file; False when it was already gone."""
    try:
        path_of(key).unlink()
    except FileNotFoundError:
        return False
    return True
