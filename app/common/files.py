"""File downloads (Excel ledgers, CSV exports): the response and its 200 in the OpenAPI document, one way."""

from io import BytesIO

from flask import Response, send_file

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def file_doc(mimetype: str, description: str, *, binary: bool = True) -> dict:
    """`@blp.doc(responses=file_doc(XLSX, "Excel 工作簿"))`: the operation answers a file, not JSON."""
    schema = {"type": "string", "format": "binary"} if binary else {"type": "string"}
    return {"200": {"description": description, "content": {mimetype: {"schema": schema}}}}


def xlsx_download(name: str, data: bytes) -> Response:
    """An Excel workbook as an attachment named `name` (Chinese names are sent RFC 5987-encoded)."""
    return send_file(BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name)
