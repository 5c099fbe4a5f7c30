"""Files for upload tests, built in memory: photos with EXIF GPS, PNG/WebP, PDF, a Windows executable."""

import io

import pytest
from PIL import Image

from tests.uploads import files


@pytest.fixture
def upload(client):
    """POSTs a file; returns the response."""

    def post(headers, data: bytes, purpose="outlet_photo", filename="photo.jpg", **extra):
        form = {"file": (io.BytesIO(data), filename), "purpose": purpose, **extra}
        return client.post("/api/v1/uploads", data=form, headers=headers, content_type="multipart/form-data")

    return post


@pytest.fixture
def jpeg():
    return files.jpeg()


def decode(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))
