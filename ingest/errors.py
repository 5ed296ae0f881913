"""Every way an input file can be refused, each with a message for a person and an exit code.

Modelled on OCRmyPDF's exceptions: a bad file never stops a batch; it is recorded with the
message below (in Vietnamese, since archive staff read it) and the batch goes on.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    BAD_ARGS = 2
    INPUT_FILE = 3  # at least one file was refused; the rest of the batch completed
    DATABASE = 5
    SCHEDULER = 6  # the Dask scheduler of --scheduler cannot be reached (or was lost)
    INTERRUPTED = 130


class IngestError(Exception):
    """Base of the errors that refuse one input file."""

    message_vi = "Lỗi không xác định khi đọc tệp"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail)
        self.detail = detail

    def reason(self) -> str:
        """The reason stored on the file and shown to staff."""
        return f"{self.message_vi}: {self.detail}" if self.detail else self.message_vi


class EmptyFileError(IngestError):
    message_vi = "Tệp rỗng (0 byte)"


class UnsupportedFormatError(IngestError):
    message_vi = "Không phải tệp ảnh quét được hỗ trợ (PDF, TIFF, PNG, JPEG)"


class CorruptFileError(IngestError):
    message_vi = "Tệp bị hỏng hoặc không đọc được"


class TooLargeError(IngestError):
    message_vi = "Tệp vượt giới hạn cho phép (kích thước, số trang hoặc số điểm ảnh)"
