"""Uploads: limited in size (configurable) and checked by their content before any work starts.

Two guards. `BodyLimit` (ASGI middleware) refuses a request body over the largest limit with 413
before the form parser spools it to disk, whether it announces its length or streams it chunked.
`save_import_upload` then writes the import into the project's uploads folder, counting bytes
against the import limit, and refuses a file no reader recognises (415) before a job is queued.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from fastapi import HTTPException, UploadFile
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qes.errors import QesError
from qes.formats.registry import read_file

MB = 1024 * 1024
CHUNK = 1 << 20


@dataclass(frozen=True)
class UploadLimits:
    imports: int = 200 * MB  # a 1M-record RIS export is ~1 GB: split such files, or import them with `qes import`
    pdfs: int = 100 * MB  # a scanned book chapter is ~30 MB

    @property
    def body(self) -> int:
        """The most any request may send: the largest file plus room for the form's other fields."""
        return max(self.imports, self.pdfs) + MB


class TooLarge(Exception):
    pass


class BodyLimit:
    """Answer 413 to any request whose body is over `limit` bytes (announced or counted)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            await _too_large(send, self.limit)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise TooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except TooLarge:
            if not started:
                await _too_large(send, self.limit)


async def _too_large(send: Send, limit: int) -> None:
    body = f'{{"detail": "the upload is over the {limit // MB} MB limit"}}'.encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def save_import_upload(upload: UploadFile, folder: Path, limit: int) -> tuple[Path, str]:
    """The upload saved under `folder` with a fresh name; returns (path, format). 413 if too big, 415 if unknown."""
    name = Path(upload.filename or "upload").name
    path = folder / f"{uuid.uuid4().hex}{Path(name).suffix[:10]}"
    size = 0
    with path.open("wb") as out:
        while chunk := upload.file.read(CHUNK):
            size += len(chunk)
            if size > limit:
                out.close()
                path.unlink(missing_ok=True)
                raise HTTPException(
                    413, f"{name}: over the {limit // MB} MB limit for an import (use `qes import` for bigger files)"
                )
            out.write(chunk)
    try:
        with read_file(path, display_name=name) as reader:  # detection by content, as the import will do it
            fmt = reader.format
    except QesError as exc:
        path.unlink(missing_ok=True)
        raise HTTPException(415, str(exc)) from None
    return path, fmt
