"""Migration 0009 translates every stored upload id (arrays are translated in SQL; JSON here)."""

import importlib.util
from pathlib import Path

SPEC = importlib.util.spec_from_file_location(
    "m0009", Path(__file__).resolve().parents[2] / "migrations" / "versions" / "0009_upload_public_ids.py"
)
m0009 = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(m0009)

A, B = "0b8e3c1e-5a6f-4d2a-9a57-3f1f0f3b9c01", "6f9d2a44-1c3b-4e5f-8a7b-2c1d0e9f8a02"
MAPPING = {"7": A, "12": B}


def test_ids_and_links_in_json_are_translated():
    payload = {
        "name": "老街坊便利店",
        "photo_ids": [12, 7, 99],  # 99: its file is gone, so is the reference
        "certification": {"licence_upload_id": 7, "licence_number": "91110000"},
    }
    assert m0009._remap(payload, MAPPING) == {
        "name": "老街坊便利店",
        "photo_ids": [B, A],
        "certification": {"licence_upload_id": A, "licence_number": "91110000"},
    }
    photos = [{"upload_id": 12, "url": "https://api.example.cn/api/v1/uploads/12/file", "thumb_url": None}]
    assert m0009._remap(photos, MAPPING) == [
        {"upload_id": B, "url": f"https://api.example.cn/api/v1/uploads/{B}/file", "thumb_url": None}
    ]


def test_the_way_back_gives_numbers_again():
    back = {A: 7, B: 12}
    assert m0009._remap({"photo_ids": [A, B], "upload_id": B}, back) == {"photo_ids": [7, 12], "upload_id": 12}
    assert m0009._remap({"url": f"/api/v1/uploads/{A}/thumb"}, back) == {"url": "/api/v1/uploads/7/thumb"}
