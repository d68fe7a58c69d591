"""Node archives: build them (.tar.gz / .zip) and unpack uploads without trusting them.

An upload is checked completely before anything is written: every member must be a regular
file or directory with a safe relative path (``writing.validate_relative_path``, the rule the
generator itself obeys), there are at most ``MAX_MEMBERS`` members, and the unpacked size is
bounded both by the headers and by the bytes actually read (a lying header cannot inflate it).
"""

from __future__ import annotations

import io
import os
import shutil
import stat
import tarfile
import zipfile
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from onexgen.writing.atomic_writer import UnsafePathError, validate_relative_path

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

MAX_MEMBERS = 2000
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_RATIO = 200  # a zip member that inflates more than this is treated as a bomb


class ArchiveRefusedError(ValueError):
    """The upload is not a safe archive; the message says why (nothing was written)."""


@dataclass(frozen=True)
class _Member:
    path: str
    size: int
    is_dir: bool


def build_archive(root_name: str, files: Iterable[tuple[str, str]], fmt: str) -> bytes:
    """``files`` (relative path, text) under ``root_name/`` as a .tar.gz or .zip."""
    buffer = io.BytesIO()
    items = sorted(files)
    if fmt == "zip":
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path, text in items:
                archive.writestr(f"{root_name}/{path}", text.encode("utf-8"))
        return buffer.getvalue()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path, text in items:
            data = text.encode("utf-8")
            info = tarfile.TarInfo(f"{root_name}/{path}")
            info.size = len(data)
            info.mode = 0o644
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _check_path(name: str) -> str:
    cleaned = name[2:] if name.startswith("./") else name
    cleaned = cleaned.rstrip("/") if cleaned.endswith("/") else cleaned
    try:
        return str(validate_relative_path(cleaned))
    except UnsafePathError as exc:
        reason = str(exc).replace("generated path", "path")
        raise ArchiveRefusedError(f"archive member {name[:80]!r} is refused: {reason}") from exc


def _tar_members(archive: tarfile.TarFile) -> list[tuple[_Member, tarfile.TarInfo]]:
    found: list[tuple[_Member, tarfile.TarInfo]] = []
    for info in archive:
        if len(found) >= MAX_MEMBERS:
            raise ArchiveRefusedError(f"archive has more than {MAX_MEMBERS} members")
        if not (info.isfile() or info.isdir()):
            kind = "link" if info.issym() or info.islnk() else "special file"
            raise ArchiveRefusedError(f"archive member {info.name[:80]!r} is a {kind}; refused")
        found.append((_Member(_check_path(info.name), info.size, info.isdir()), info))
    return found


def _zip_members(archive: zipfile.ZipFile) -> list[tuple[_Member, zipfile.ZipInfo]]:
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ArchiveRefusedError(f"archive has more than {MAX_MEMBERS} members")
    found: list[tuple[_Member, zipfile.ZipInfo]] = []
    for info in infos:
        kind = stat.S_IFMT(info.external_attr >> 16)  # 0 when the archiver stored no type
        if kind and kind not in {stat.S_IFREG, stat.S_IFDIR}:
            what = "link" if kind == stat.S_IFLNK else "special file"
            raise ArchiveRefusedError(f"archive member {info.filename[:80]!r} is a {what}; refused")
        if info.file_size > MAX_RATIO * max(info.compress_size, 1) and info.file_size > 1 << 20:
            raise ArchiveRefusedError(
                f"archive member {info.filename[:80]!r} inflates {info.file_size} bytes from "
                f"{info.compress_size}; refused as a compression bomb"
            )
        found.append((_Member(_check_path(info.filename), info.file_size, info.is_dir()), info))
    return found


def _copy_bounded(source: IO[bytes], destination: Path, declared: int, budget: list[int]) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(destination, flags, 0o644)
    written = 0
    try:
        while chunk := source.read(64 * 1024):
            written += len(chunk)
            budget[0] -= len(chunk)
            if written > declared or budget[0] < 0:
                raise ArchiveRefusedError(
                    "archive unpacks to more than its headers say; refused as a compression bomb"
                )
            os.write(fd, chunk)
    finally:
        os.close(fd)


def _open(data: bytes) -> tuple[tarfile.TarFile | zipfile.ZipFile, list[tuple[_Member, object]]]:
    if zipfile.is_zipfile(io.BytesIO(data)):
        opened_zip = zipfile.ZipFile(io.BytesIO(data))
        return opened_zip, list(_zip_members(opened_zip))
    try:
        opened = tarfile.open(fileobj=io.BytesIO(data), mode="r:*")  # noqa: SIM115 - the caller
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise ArchiveRefusedError(
            "upload is not a .tar.gz, .tar or .zip archive of a node folder"
        ) from exc
    try:
        return opened, list(_tar_members(opened))
    except ArchiveRefusedError:
        raise
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        raise ArchiveRefusedError(f"archive is damaged: {exc}") from exc


def _check_totals(members: list[tuple[_Member, object]]) -> None:
    files = [m for m, _ in members if not m.is_dir]
    if not files:
        raise ArchiveRefusedError("archive contains no files")
    total = sum(m.size for m in files)
    if total > MAX_UNPACKED_BYTES:
        raise ArchiveRefusedError(
            f"archive unpacks to {total} bytes, more than the {MAX_UNPACKED_BYTES} allowed"
        )
    paths = [m.path for m, _ in members]
    if len(set(paths)) != len(paths):
        raise ArchiveRefusedError("archive lists the same path twice; refused")


def _extract(
    opened: tarfile.TarFile | zipfile.ZipFile,
    members: list[tuple[_Member, object]],
    destination: Path,
) -> None:
    budget = [MAX_UNPACKED_BYTES]
    for member, info in members:
        target = destination / member.path
        if member.is_dir:
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(opened, zipfile.ZipFile):
            assert isinstance(info, zipfile.ZipInfo)
            with opened.open(info) as source:
                _copy_bounded(source, target, member.size, budget)
            continue
        assert isinstance(info, tarfile.TarInfo)
        extracted = opened.extractfile(info)
        if extracted is None:
            raise ArchiveRefusedError(f"archive member {member.path!r} has no data")
        with extracted:
            _copy_bounded(extracted, target, member.size, budget)


def unpack_upload(data: bytes, destination: Path) -> Path:
    """Check ``data`` (a .tar.gz/.tar/.zip) and unpack it into the new dir ``destination``.

    Returns the node directory: the single top-level folder, or ``destination`` itself.
    Raises ``ArchiveRefusedError`` before writing anything when the archive is unsafe; a limit
    that only shows while unpacking removes what was written.
    """
    opened, members = _open(data)
    with opened:
        _check_totals(members)
        destination.mkdir(parents=True)
        try:
            _extract(opened, members, destination)
        except BaseException:
            shutil.rmtree(destination, ignore_errors=True)
            raise
    tops = {m.path.split("/", 1)[0] for m, _ in members}
    if len(tops) == 1 and (destination / next(iter(tops))).is_dir():
        return destination / next(iter(tops))
    return destination
