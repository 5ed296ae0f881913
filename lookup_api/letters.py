"""The verification letter: a Vietnamese PDF the holder hands an employer, signed offline-checkable.

The letter prints the record as published, the verification code, its expiry, the QR code of
the verification address and the key that signed it.  Inside the PDF are two attached files:
``thu-xac-minh.json`` (the signed payload, canonical JSON bytes, stored uncompressed) and
``thu-xac-minh.sig`` (its Ed25519 signature, base64).  ``bangdiem verify FILE`` reads them
back with pypdf and checks the signature with the department's public key (``GET
/api/v1/public-key``), with no network needed.  The letter is not a copy from the master
register (bản sao từ sổ gốc) and says so.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import segno
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fpdf import FPDF
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from lookup_api.shares import Share, SharedRecord
from lookup_api.signing import SigningKey, canonical, key_id, verify
from records.vocabulary import SUBJECTS

PAYLOAD_NAME = "thu-xac-minh.json"
SIGNATURE_NAME = "thu-xac-minh.sig"
PAYLOAD_TYPE = "bangdiem/thu-xac-minh"
VIETNAM = timezone(timedelta(hours=7))
SUBJECT_NAMES = {s.code: s.name_vi for s in SUBJECTS}
RESULT_WORDS = {"passed": "Đỗ tốt nghiệp", "failed": "Không đỗ"}
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
)
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
NOT_A_COPY = (
    "Thư này xác nhận thông tin đã được công bố trên hệ thống tra cứu; thư KHÔNG phải bản sao "
    "từ sổ gốc. Bản sao từ sổ gốc là giấy tờ có giá trị pháp lý, được cấp theo yêu cầu của "
    "người học tại {keeper}."
)


class LetterError(Exception):
    """Why a file is not a letter that verifies; ``str()`` is the Vietnamese reason."""

    exit_code = 2


class NotALetterError(LetterError):
    exit_code = 2


class BadSignatureError(LetterError):
    exit_code = 1


class OtherKeyError(LetterError):
    exit_code = 3


def find_font(file_name: str) -> Path:
    """A font file from the system's folders (Debian: fonts-dejavu-core)."""
    for folder in FONT_DIRS:
        direct = folder / file_name
        if direct.is_file():
            return direct
    for folder in FONT_DIRS:
        if folder.is_dir():
            for found in sorted(folder.rglob(file_name)):
                return found
    raise FileNotFoundError(
        f"Không tìm thấy phông chữ {file_name} (gói Debian fonts-dejavu-core) để in thư."
    )


def local_time(moment: datetime) -> str:
    return moment.astimezone(VIETNAM).strftime("%H:%M ngày %d/%m/%Y")


def birth_words(birth: str) -> str:
    if len(birth) == 10:
        year, month, day = birth.split("-")
        return f"{day}/{month}/{year}"
    return f"năm {birth}"


def record_lines(record: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) pairs of a record dict as published, for people to read."""
    lines = [
        ("Họ và tên", str(record["full_name"])),
        ("Ngày sinh", birth_words(record["birth_date"])),
    ]
    if record.get("exam_year"):
        level = f" – {record['level']}" if record.get("level") else ""
        lines.append(("Kỳ thi", f"{record['exam_year']}{level}"))
    if record.get("council"):
        lines.append(("Hội đồng thi", str(record["council"])))
    if record.get("school"):
        lines.append(("Trường", str(record["school"])))
    if record.get("result"):
        lines.append(("Kết quả", RESULT_WORDS.get(record["result"], str(record["result"]))))
    if record.get("ranking"):
        lines.append(("Xếp loại", str(record["ranking"])))
    if record.get("scores"):
        scores = "; ".join(
            f"{SUBJECT_NAMES.get(code, code)}: {str(score).replace('.', ',')}"
            for code, score in record["scores"].items()
        )
        lines.append(("Điểm", scores))
    if record.get("total"):
        lines.append(("Tổng điểm", str(record["total"]).replace(".", ",")))
    return lines


def payload_of(
    keeper: str,
    record: SharedRecord,
    share: Share,
    verify_url: str,
    signer_key_id: str,
    issued_at: datetime,
) -> dict[str, Any]:
    return {
        "type": PAYLOAD_TYPE,
        "version": 1,
        "issuer": keeper,
        "record": record.as_dict(),
        "code": share.display_code,
        "for_whom": share.for_whom,
        "expires_at": share.expires_at.astimezone(UTC).isoformat(timespec="seconds"),
        "issued_at": issued_at.astimezone(UTC).isoformat(timespec="seconds"),
        "verify_url": verify_url,
        "key_id": signer_key_id,
    }


def qr_png(url: str) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=8, border=2)
    return out.getvalue()


class _Letter(FPDF):
    def __init__(self) -> None:
        super().__init__(format="A4")
        for style, file_name in FONT_FILES.items():
            self.add_font("DejaVu", style, str(find_font(file_name)))
        self.set_margins(20, 18, 20)
        self.set_auto_page_break(True, 18)

    def line_of(self, text: str, size: float = 11, style: str = "", height: float = 6) -> None:
        self.set_font("DejaVu", style, size)
        self.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")


def build_letter(
    keeper: str,
    record: SharedRecord,
    share: Share,
    verify_url: str,
    key: SigningKey,
    key_url: str,
    issued_at: datetime | None = None,
) -> bytes:
    """The signed letter, as PDF bytes."""
    issued_at = issued_at or datetime.now(UTC)
    payload = payload_of(keeper, record, share, verify_url, key.key_id, issued_at)
    message = canonical(payload)
    signature = key.sign(message)

    pdf = _Letter()
    pdf.set_title("Thư xác minh kết quả thi tốt nghiệp")
    pdf.set_author(keeper)
    pdf.set_subject(f"Mã xác minh {share.display_code}")
    pdf.set_creator("bangdiem")
    pdf.set_creation_date(issued_at)
    pdf.add_page()
    pdf.line_of(keeper.upper(), 11, "B")
    pdf.ln(6)
    pdf.line_of("THƯ XÁC MINH KẾT QUẢ THI TỐT NGHIỆP", 16, "B", 9)
    pdf.line_of(f"Cấp lúc {local_time(issued_at)} (giờ Việt Nam), theo yêu cầu của người học.", 10)
    pdf.ln(3)
    pdf.line_of(
        f"{keeper} xác nhận hồ sơ dưới đây đã được cán bộ đối chiếu với bảng điểm gốc và công "
        "bố trên hệ thống tra cứu công khai:",
        11,
    )
    pdf.ln(2)
    for label, value in record_lines(record.as_dict()):
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(38, 7, label)
        pdf.set_font("DejaVu", "", 11)
        pdf.multi_cell(0, 7, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    top = pdf.get_y()
    pdf.image(io.BytesIO(qr_png(verify_url)), x=pdf.w - pdf.r_margin - 42, y=top, w=42, h=42)
    pdf.set_right_margin(pdf.r_margin + 48)
    pdf.line_of(f"Mã xác minh: {share.display_code}", 13, "B", 8)
    pdf.line_of(f"Dành cho: {share.for_whom}", 11)
    pdf.line_of(f"Có hiệu lực đến {local_time(share.expires_at)} (giờ Việt Nam).", 11)
    pdf.line_of(
        "Nhà tuyển dụng quét mã QR hoặc mở địa chỉ dưới đây và nhập mã để xem hồ sơ và tình "
        "trạng hiện tại của mã:",
        10,
    )
    pdf.line_of(verify_url, 10)
    pdf.set_right_margin(20)
    pdf.set_y(max(pdf.get_y(), top + 46))
    pdf.ln(2)
    pdf.line_of(NOT_A_COPY.format(keeper=keeper), 10, "B")
    pdf.ln(3)
    pdf.line_of(
        "Chữ ký số: nội dung thư (tệp đính kèm thu-xac-minh.json) được ký bằng khóa Ed25519 "
        f"của {keeper}, mã khóa {key.key_id}. Kiểm tra ngoại tuyến: `bangdiem verify TỆP.pdf "
        f"--public-key KHÓA.pem`; khóa công khai: {key_url}",
        8,
        height=4.5,
    )
    pdf.line_of(f"Chữ ký (base64): {signature}", 7, height=4)
    pdf.embed_file(
        basename=PAYLOAD_NAME,
        bytes=message,
        desc="Nội dung thư xác minh đã ký (JSON chuẩn hoá, UTF-8)",
        mime_type="application/json",
        modification_date=issued_at,
        compress=False,
    )
    pdf.embed_file(
        basename=SIGNATURE_NAME,
        bytes=signature.encode(),
        desc="Chữ ký Ed25519 (base64) của thu-xac-minh.json",
        mime_type="text/plain",
        modification_date=issued_at,
    )
    return bytes(pdf.output())


@dataclass(frozen=True)
class CheckedLetter:
    payload: dict[str, Any]
    key_id: str

    def summary(self) -> list[str]:
        record = self.payload.get("record", {})
        lines = [f"{label}: {value}" for label, value in record_lines(record)]
        lines.append(
            f"Mã xác minh: {self.payload.get('code')} (dành cho: {self.payload.get('for_whom')})"
        )
        lines.append(f"Cấp bởi: {self.payload.get('issuer')}, lúc {self.payload.get('issued_at')}")
        lines.append(f"Mã hết hạn: {self.payload.get('expires_at')}")
        lines.append(f"Kiểm tra tình trạng hiện tại: {self.payload.get('verify_url')}")
        return lines


def extract(data: bytes) -> tuple[bytes, str]:
    """The signed payload bytes and the signature a letter carries."""
    try:
        attachments = PdfReader(io.BytesIO(data)).attachments
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise NotALetterError("Tệp không phải thư xác minh (không đọc được tệp PDF).") from error
    payloads = attachments.get(PAYLOAD_NAME) or []
    signatures = attachments.get(SIGNATURE_NAME) or []
    if len(payloads) != 1 or len(signatures) != 1:
        raise NotALetterError("Tệp không phải thư xác minh (không có nội dung đã ký đính kèm).")
    try:
        signature = signatures[0].decode("ascii")
    except UnicodeDecodeError as error:
        raise NotALetterError("Tệp không phải thư xác minh (chữ ký hỏng).") from error
    return payloads[0], signature


def check(data: bytes, public_key: Ed25519PublicKey) -> CheckedLetter:
    """The letter's payload when its signature verifies with ``public_key``."""
    message, signature = extract(data)
    expected_id = key_id(public_key)
    ok = verify(public_key, message, signature)
    try:
        payload = json.loads(message.decode())
    except (UnicodeDecodeError, ValueError):
        payload = None
    if ok and isinstance(payload, dict) and payload.get("type") == PAYLOAD_TYPE:
        return CheckedLetter(payload, expected_id)
    if ok:
        raise NotALetterError("Tệp không phải thư xác minh (nội dung đã ký không đúng dạng).")
    named = payload.get("key_id") if isinstance(payload, dict) else None
    if isinstance(named, str) and named != expected_id:
        raise OtherKeyError(
            f"Thư được ký bằng khóa khác (mã khóa {named}), không phải khóa đã cho "
            f"(mã khóa {expected_id}); hãy lấy khóa công khai của đơn vị cấp thư."
        )
    raise BadSignatureError(
        "Chữ ký không hợp lệ: nội dung thư đã bị sửa, hoặc thư không do khóa này ký."
    )
