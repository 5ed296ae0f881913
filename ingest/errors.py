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
    DISK_FULL = 4  # a page image could not be written: no space left; the batch stopped
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


class PolyglotFileError(IngestError):
    message_vi = (
        "Tệp mang dấu hiệu của hai định dạng cùng lúc (tệp đa định dạng): không đọc, vì không "
        "biết chắc phần mềm nào sẽ hiểu nó theo cách nào"
    )


class BatchStoppedError(Exception):
    """A fault of the machine, not of one file (disk full, database gone): the batch stops.

    Pages stored so far are kept and the page being stored stays pending, so running the same
    command again, once the fault is mended, continues where the batch stopped.
    """

    message_vi = "Lô dừng lại"
    exit_code = ExitCode.DATABASE

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail)
        self.detail = detail

    def reason(self) -> str:
        return f"{self.message_vi}: {self.detail}" if self.detail else self.message_vi


class DiskFullError(BatchStoppedError):
    message_vi = (
        "Hết chỗ trống trên đĩa khi ghi ảnh trang; lô dừng lại. Các trang đã lưu được giữ lại: "
        "giải phóng chỗ trống rồi chạy lại đúng lệnh này để đọc tiếp"
    )
    exit_code = ExitCode.DISK_FULL


class DatabaseUnavailableError(BatchStoppedError):
    message_vi = (
        "Cơ sở dữ liệu không truy cập được; lô dừng lại. Các trang đã lưu được giữ lại, trang "
        "đang ghi dở vẫn chờ đọc: chạy lại đúng lệnh này khi cơ sở dữ liệu hoạt động trở lại"
    )
    exit_code = ExitCode.DATABASE
