"""File type by content and image re-encoding (pure functions, no storage, no Flask).

Re-encoding drops every metadata block (EXIF with GPS position, XMP, comments): a photo of a shop
taken by its owner at home would otherwise publish where the owner lives.
"""

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS = 40_000_000  # a 40 MP phone photo is fine; more is a decompression bomb
MAX_SIDE = 2560  # stored originals are scaled down to this; nobody needs more on a phone map
THUMB_SIDE = 320

IMAGE_FORMATS = {  # sniffed format -> (Pillow format, content type, extension)
    "jpeg": ("JPEG", "image/jpeg", "jpg"),
    "png": ("PNG", "image/png", "png"),
    "webp": ("WEBP", "image/webp", "webp"),
}


class FileRejected(ValueError):
    """The bytes are not an acceptable file; `reason` is a short Chinese sentence."""


def sniff(head: bytes) -> str | None:
    """The file type from its first bytes: jpeg, png, webp, pdf, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"%PDF-"):
        return "pdf"
    return None


@dataclass(frozen=True)
class Processed:
    data: bytes
    content_type: str
    ext: str
    width: int | None = None
    height: int | None = None
    thumbnail: bytes | None = None


def check_pdf(data: bytes) -> Processed:
    # A PDF is kept as sent (re-rendering would need a PDF library); it is only ever served to the
    # owner and reviewing staff, as a sandboxed download.
    if b"%%EOF" not in data[-2048:]:
        raise FileRejected("PDF 文件不完整")
    return Processed(data=data, content_type="application/pdf", ext="pdf")


def _open(data: bytes, fmt: str) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=[IMAGE_FORMATS[fmt][0]])
        except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise FileRejected("无法识别的图片或图片尺寸过大") from None
    if image.width * image.height > MAX_PIXELS:
        raise FileRejected(f"图片像素过多（最多 {MAX_PIXELS // 1_000_000} 百万像素）")
    image.load()
    return image


def _for_format(image: Image.Image, pil_format: str) -> Image.Image:
    if pil_format == "JPEG":
        return image if image.mode in ("RGB", "L") else image.convert("RGB")
    if pil_format == "PNG":
        return image if image.mode in ("RGB", "RGBA", "L", "LA", "P") else image.convert("RGBA")
    return image if image.mode in ("RGB", "RGBA") else image.convert("RGBA" if "A" in image.mode else "RGB")


def _encode(image: Image.Image, pil_format: str) -> bytes:
    image.info = {}  # nothing from the source file (EXIF, XMP, ICC, text chunks) is written back
    out = io.BytesIO()
    options = {"JPEG": {"quality": 85, "optimize": True}, "PNG": {"optimize": True}, "WEBP": {"quality": 85}}
    image.save(out, pil_format, **options[pil_format])
    return out.getvalue()


def _thumbnail(image: Image.Image) -> bytes:
    thumb = image.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    if thumb.mode in ("RGBA", "LA", "P"):
        rgba = thumb.convert("RGBA")
        thumb = Image.new("RGB", rgba.size, (255, 255, 255))
        thumb.paste(rgba, mask=rgba.getchannel("A"))
    elif thumb.mode != "RGB":
        thumb = thumb.convert("RGB")
    return _encode(thumb, "JPEG")


def process_image(data: bytes, fmt: str) -> Processed:
    """Decodes, applies the EXIF orientation, scales down, and re-encodes without metadata, plus a thumbnail."""
    try:
        return _process_image(data, fmt)
    except FileRejected:
        raise
    except Exception:  # noqa: BLE001  Pillow raises many types (OSError, SyntaxError, struct.error …) on bad input
        raise FileRejected("图片数据损坏或不完整") from None


def _process_image(data: bytes, fmt: str) -> Processed:
    pil_format, content_type, ext = IMAGE_FORMATS[fmt]
    with _open(data, fmt) as source:
        image = ImageOps.exif_transpose(source)  # bake the rotation in before EXIF is dropped
        image.thumbnail((MAX_SIDE, MAX_SIDE))
        image = _for_format(image, pil_format)
        return Processed(
            data=_encode(image.copy(), pil_format),
            content_type=content_type,
            ext=ext,
            width=image.width,
            height=image.height,
            thumbnail=_thumbnail(image),
        )
