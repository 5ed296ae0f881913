"""The verification letter: a Vietnamese PDF whose signed content anyone checks offline."""

from __future__ import annotations

import io
import json
import stat
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlmodel import Session
from typer.testing import CliRunner

from bangdiem.cli import app as cli_app
from lookup_api.app import create_app
from lookup_api.letters import PAYLOAD_NAME, BadSignatureError, NotALetterError, check, extract
from lookup_api.signing import (
    SigningKey,
    canonical,
    key_id,
    load_signing_key,
    read_public_key,
    verify,
)
from publishing.publish import publish
from records.public_db import processing_log, public_engine
from records.settings import Settings
from tests.publishing.conftest import approved_page  # noqa: F401
from tests.review.conftest import ReviewPage, password_hash, staff  # noqa: F401

NAME, BIRTH = "Nguyễn Thị Hoà", "1972-03-12"
EMPLOYER = "Công ty Cổ phần Đại Dương"


def _client(settings: Settings) -> TestClient:
    publish(settings)
    return TestClient(create_app(settings))


def _share(client: TestClient) -> dict[str, Any]:
    found = client.post("/api/v1/search", json={"full_name": NAME, "birth": BIRTH}).json()
    body = {"public_id": found["records"][0]["public_id"], "birth": BIRTH, "for_whom": EMPLOYER}
    created: dict[str, Any] = client.post("/api/v1/shares", json=body).json()
    return created


def _letter(client: TestClient, created: dict[str, Any]) -> bytes:
    response = client.get(
        f"/api/v1/shares/{created['code']}/letter.pdf",
        headers={"X-Manage-Token": created["manage_token"]},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert created["code"] in response.headers["content-disposition"]
    content: bytes = response.content
    return content


def _public_key_file(client: TestClient, folder: Path) -> Path:
    answer = client.get("/api/v1/public-key").json()
    path = folder / "khoa-cong-khai.pem"
    path.write_text(answer["public_key_pem"])
    return path


def test_public_key_endpoint_names_the_demo_key_made_once(
    settings: Settings,
    session: Session,
    approved_page: ReviewPage,  # noqa: F811
) -> None:
    client = _client(settings)
    answer = client.get("/api/v1/public-key").json()
    assert answer["algorithm"] == "Ed25519" and len(answer["key_id"]) == 16
    demo = settings.data_dir / "signing-key.pem"
    assert stat.S_IMODE(demo.stat().st_mode) == 0o600
    again = TestClient(create_app(settings)).get("/api/v1/public-key").json()
    assert again == answer  # the same key after a restart
    assert key_id(read_public_key(demo)) == answer["key_id"]


def test_letter_is_vietnamese_signed_and_verifies(
    settings: Settings,
    session: Session,
    approved_page: ReviewPage,  # noqa: F811
    tmp_path: Path,
) -> None:
    client = _client(settings)
    created = _share(client)
    data = _letter(client, created)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert NAME in text and created["code"] in text and EMPLOYER in text
    assert "Đỗ tốt nghiệp" in text and "sổ gốc" in text
    assert settings.record_keeper in text.replace("\n", " ")

    public_key = read_public_key(_public_key_file(client, tmp_path))
    letter = check(data, public_key)
    payload = letter.payload
    assert payload["record"]["full_name"] == NAME and payload["record"]["birth_date"] == BIRTH
    assert payload["code"] == created["code"] and payload["for_whom"] == EMPLOYER
    assert payload["key_id"] == letter.key_id and payload["verify_url"] == created["verify_url"]
    assert payload["issuer"] == settings.record_keeper and "issued_at" in payload
    assert "public_id" not in payload["record"]
    message, signature = extract(data)
    assert message == canonical(json.loads(message))  # exactly the canonical bytes
    assert verify(public_key, message, signature)

    with public_engine(settings).connect() as connection:
        letters = connection.execute(
            select(func.count()).where(processing_log.c.kind == "letter")
        ).scalar()
    assert letters == 1


def test_one_changed_byte_breaks_the_signature(
    settings: Settings,
    session: Session,
    approved_page: ReviewPage,  # noqa: F811
    tmp_path: Path,
) -> None:
    client = _client(settings)
    data = _letter(client, _share(client))
    public_key = read_public_key(_public_key_file(client, tmp_path))
    original = b'"total":"50.5"'
    assert data.count(original) == 1  # the payload is stored uncompressed, visible as is
    tampered = data.replace(original, b'"total":"58.5"')
    message, signature = extract(tampered)
    assert b'"total":"58.5"' in message
    with pytest.raises(BadSignatureError, match="Chữ ký không hợp lệ"):
        check(tampered, public_key)
    flipped = bytearray(message)
    flipped[10] ^= 0x01
    assert not verify(public_key, bytes(flipped), signature)
    with pytest.raises(NotALetterError):
        check(b"%PDF-1.4 not really", public_key)


def test_bangdiem_verify_offline(
    settings: Settings,
    session: Session,
    approved_page: ReviewPage,  # noqa: F811
    tmp_path: Path,
) -> None:
    client = _client(settings)
    data = _letter(client, _share(client))
    letter = tmp_path / "thu.pdf"
    letter.write_bytes(data)
    public_key = _public_key_file(client, tmp_path)
    runner = CliRunner()
    env = {"BANGDIEM_DATA_DIR": str(settings.data_dir)}

    good = runner.invoke(cli_app, ["verify", str(letter), "--public-key", str(public_key)])
    assert good.exit_code == 0, good.output
    assert "Chữ ký hợp lệ" in good.output and NAME in good.output
    assert "Đỗ tốt nghiệp" in good.output
    local = runner.invoke(cli_app, ["verify", str(letter)], env=env)  # the configured key
    assert local.exit_code == 0 and "Chữ ký hợp lệ" in local.output

    tampered = tmp_path / "sua.pdf"
    tampered.write_bytes(data.replace(b'"result":"passed"', b'"result":"pa55ed"'))
    bad = runner.invoke(cli_app, ["verify", str(tampered), "--public-key", str(public_key)])
    assert bad.exit_code == 1 and "Chữ ký không hợp lệ" in bad.output

    other = tmp_path / "khac.pem"
    other.write_text(SigningKey(Ed25519PrivateKey.generate()).public_pem)
    wrong_key = runner.invoke(cli_app, ["verify", str(letter), "--public-key", str(other)])
    assert wrong_key.exit_code == 3 and "khóa khác" in wrong_key.output

    not_letter = tmp_path / "khong-phai.pdf"
    not_letter.write_text("Đây không phải PDF")
    junk = runner.invoke(cli_app, ["verify", str(not_letter), "--public-key", str(public_key)])
    assert junk.exit_code == 2 and "không phải thư xác minh" in junk.output
    assert PAYLOAD_NAME not in junk.output


def test_keys_generate_and_the_configured_key_signs(
    settings: Settings,
    session: Session,
    approved_page: ReviewPage,  # noqa: F811
    tmp_path: Path,
) -> None:
    runner = CliRunner()
    path = tmp_path / "bi-mat" / "khoa-ky.pem"
    made = runner.invoke(cli_app, ["keys", "generate", "--out", str(path)])
    assert made.exit_code == 0 and "BEGIN PUBLIC KEY" in made.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = runner.invoke(cli_app, ["keys", "generate", "--out", str(path)])
    assert again.exit_code == 2 and "không ghi đè" in again.output

    configured = replace(settings, signing_key_file=str(path))
    client = _client(configured)
    answer = client.get("/api/v1/public-key").json()
    assert answer["key_id"] == load_signing_key(configured).key_id
    assert answer["key_id"] in made.output
    assert not (settings.data_dir / "signing-key.pem").exists()  # no demo key when configured
    data = _letter(client, _share(client))
    assert check(data, read_public_key(path)).key_id == answer["key_id"]


def test_letter_only_for_the_holder_and_a_valid_code(
    settings: Settings,
    session: Session,
    approved_page: ReviewPage,  # noqa: F811
) -> None:
    client = _client(settings)
    created = _share(client)
    code, token = created["code"], created["manage_token"]
    stranger = client.get(f"/api/v1/shares/{code}/letter.pdf", headers={"X-Manage-Token": "x"})
    assert stranger.status_code == 404
    portal = client.post(f"/ma/{code}/thu-xac-minh.pdf", data={"khoa": token})
    assert portal.status_code == 200 and portal.content.startswith(b"%PDF")
    portal_stranger = client.post(f"/ma/{code}/thu-xac-minh.pdf", data={"khoa": "sai"})
    assert (
        portal_stranger.status_code == 404
        and "text/html" in portal_stranger.headers["content-type"]
    )
    client.delete(f"/api/v1/shares/{code}", headers={"X-Manage-Token": token})
    refused = client.get(f"/api/v1/shares/{code}/letter.pdf", headers={"X-Manage-Token": token})
    assert refused.status_code == 409 and "còn hiệu lực" in refused.json()["detail"]
