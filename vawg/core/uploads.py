"""Uploaded files, received and read within memory.

A request's file goes to a temporary file on disk as it arrives (unless the whole request
is smaller than FILE_UPLOAD_MAX_MEMORY_SIZE), and a file larger than its page's limit is
refused while it arrives: `LimitedUploadHandler` writes nothing more of it, drops the rest
as it is read, and hands the form a `RefusedUpload` of the size sent, so the page's own
size check says the file is too large (a form error, never a 400 or a 500).

A page declares its limit with `@upload_limit(...)`; any other page takes
UPLOAD_MAX_BYTES. The importers then read the file where it lies, a piece or a row at a
time (`open_binary`, `chunks_of`, and vawg.core.tabular), never the whole of it at once.
"""

import io
import os
from collections.abc import Callable, Iterator
from typing import IO

from django.conf import settings
from django.core.files.uploadedfile import (
    InMemoryUploadedFile,
    TemporaryUploadedFile,
    UploadedFile,
)
from django.core.files.uploadhandler import FileUploadHandler
from django.urls import Resolver404, resolve

MB = 1024 * 1024
CHUNK_BYTES = MB  # what is read of a file at a time

# What the importers accept: the file's bytes (tests, the command line), a path, or an
# open binary file (an uploaded file: a temporary file on disk, or a small one in memory).
Source = bytes | bytearray | str | os.PathLike | IO[bytes]
Limit = int | Callable[[], int]


def megabytes(size: int) -> str:
    """200 MB, 2.5 MB."""
    return f"{size / MB:.1f}".removesuffix(".0") + " MB"


def too_large_message(max_bytes: int) -> str:
    return f"The file is larger than {megabytes(max_bytes)}."


def upload_limit(max_bytes: Limit) -> Callable:
    """Declare the largest file a view accepts: a number of bytes, or a function giving it
    (read at each request, so that a setting can change it). The upload handler refuses a
    larger file as it arrives."""

    def decorator(view):
        view.upload_max_bytes = max_bytes
        return view

    return decorator


def limit_for(request) -> int:
    """The largest file the request's view accepts (UPLOAD_MAX_BYTES unless it says)."""
    match = getattr(request, "resolver_match", None)
    if match is None and request is not None:  # the body is read before the URL is resolved
        try:
            match = resolve(request.path_info)
        except Resolver404:
            match = None
    limit = getattr(getattr(match, "func", None), "upload_max_bytes", None)
    if limit is None:
        limit = settings.UPLOAD_MAX_BYTES
    return limit() if callable(limit) else limit


class RefusedUpload(UploadedFile):
    """A file refused as it arrived for being larger than `max_bytes`: `size` is what was
    sent, and it holds nothing (what arrived was never kept)."""

    def __init__(self, *, name, content_type, size, charset, max_bytes, content_type_extra):
        super().__init__(io.BytesIO(), name, content_type, size, charset, content_type_extra)
        self.max_bytes = max_bytes


class LimitedUploadHandler(FileUploadHandler):
    """Django's two default handlers in one (a small request's files in memory, any other
    to a temporary file), that stops keeping a file once it passes its page's limit."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.in_memory = content_length <= settings.FILE_UPLOAD_MAX_MEMORY_SIZE
        self.max_bytes = limit_for(self.request)

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.refused = False
        if self.in_memory:
            self.file = io.BytesIO()
        else:
            self.file = TemporaryUploadedFile(
                self.file_name, self.content_type, 0, self.charset, self.content_type_extra
            )

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if not self.refused and self.received > self.max_bytes:
            # Stop keeping it: the rest is read (so the form can answer) and dropped.
            self.refused = True
            self.file.close()  # a temporary file is deleted when closed
        if not self.refused:
            self.file.write(raw_data)

    def file_complete(self, file_size):
        if self.refused:
            return RefusedUpload(
                name=self.file_name,
                content_type=self.content_type,
                size=file_size,
                charset=self.charset,
                max_bytes=self.max_bytes,
                content_type_extra=self.content_type_extra,
            )
        self.file.seek(0)
        if self.in_memory:
            return InMemoryUploadedFile(
                file=self.file,
                field_name=self.field_name,
                name=self.file_name,
                content_type=self.content_type,
                size=file_size,
                charset=self.charset,
                content_type_extra=self.content_type_extra,
            )
        self.file.size = file_size
        return self.file

    def upload_interrupted(self):
        file = getattr(self, "file", None)
        if file is not None and not self.in_memory:
            file.close()


# --- Reading a file where it lies ----------------------------------------------------


def _nothing() -> None:
    pass


def open_binary(source: Source) -> tuple[IO[bytes], Callable[[], None]]:
    """`source` as a binary file at its start, and what closes it when done with: a file
    opened here (from a path) is closed; an open file is left open for its owner."""
    if isinstance(source, bytes | bytearray | memoryview):
        return io.BytesIO(source), _nothing  # shares the bytes, no copy
    if isinstance(source, str | os.PathLike):
        file = open(source, "rb")  # noqa: SIM115 - closed by the caller, when done
        return file, file.close
    source.seek(0)
    return source, _nothing


def size_of(source: Source) -> int:
    if isinstance(source, bytes | bytearray | memoryview):
        return len(source)
    if isinstance(source, str | os.PathLike):
        return os.path.getsize(source)
    size = getattr(source, "size", None)
    if size is None:
        size = source.seek(0, io.SEEK_END)
        source.seek(0)
    return size


def chunks_of(source: Source, size: int = CHUNK_BYTES) -> Iterator[bytes]:
    """The file's bytes from its start, `size` at a time."""
    file, close = open_binary(source)
    try:
        while chunk := file.read(size):
            yield chunk
    finally:
        close()


class Unclosing(io.RawIOBase):
    """A borrowed binary file, for a reader (io.TextIOWrapper) that closes what it reads
    when it is itself closed: closing this leaves the borrowed file open."""

    def __init__(self, file: IO[bytes]) -> None:
        self._file = file

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._file.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)
