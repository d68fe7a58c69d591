"""Atomic placement of a generated node directory (stage 8).

Why this shape: a node must appear in the output directory completely or not at all, whatever
happens mid-way (Ctrl-C, ``kill -9``, a full disk, a permission error). So every file is written
and fsynced into a *staging* directory beside the target (same filesystem, so a rename is atomic),
later stages may validate and refine it there, and only then one rename puts it in place. The
staged node sits one level down, ``<staging>/<node_name>/``, so that it already has its real
package name while tools (mypy, pytest, the validator) look at it. With
``force`` an existing node is swapped out atomically (``renameat2(RENAME_EXCHANGE)`` on Linux, two
renames with recovery elsewhere) and kept aside until :meth:`AtomicNodeWriter.finalize`, so a
failing later stage can still :meth:`AtomicNodeWriter.rollback` to the old node.

Concurrent runs: the check of the target and the swap happen under an exclusive ``flock`` of the
output directory, and a plain run only ever uses ``renameat2(RENAME_NOREPLACE)``, so of two plain
runs of one node exactly one wins and the other gets "already exists"; ``--force`` runs serialise.

Leftovers of a killed run carry recognisable names (``.onexgen-staging-<node>-<pid>-<token>/``,
``.onexgen-backup-<node>-<pid>-<token>/`` and ``.onexgen-trash-<node>-<pid>-<token>/``); the next
writer for the same node removes them, or puts a backed-up old node back if the run died between
its two renames. A directory is only ever deleted after a rename to a trash name, so a kill during
a delete can never leave a half-deleted tree under a name that recovery would put back.
"""

from __future__ import annotations

import contextlib
import ctypes
import enum
import errno
import fcntl
import functools
import os
import re
import secrets
import shutil
import stat
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence
    from types import TracebackType

STAGING_PREFIX = ".onexgen-staging-"
BACKUP_PREFIX = ".onexgen-backup-"
TRASH_PREFIX = ".onexgen-trash-"
BATCH_PREFIX = ".onexgen-batch-"

#: Directories that tools (pytest, mypy, ruff) leave behind when stages 6, 7 or 9 run them inside
#: a node; they are build products, never part of the generated package.
TOOL_ARTIFACTS = frozenset({"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"})
TOOL_ARTIFACT_FILES = frozenset({".coverage"})

type FileWriteHook = Callable[[str], None]
"""Called with each relative path just before it is written (tests inject failures through it)."""

_SAFE_COMPONENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
_PACKAGE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_MAX_COMPONENT = 255
_MAX_PATH = 1024

_AT_FDCWD = -100
_RENAME_NOREPLACE = 1
_RENAME_EXCHANGE = 2


class NodeWriteError(Exception):
    """Writing the node failed; the message is one line a user can act on."""


class NodeExistsError(NodeWriteError):
    """The node directory exists and ``force`` was not given."""


class UnsafePathError(NodeWriteError):
    """A generated path would land outside the node directory or is not a plain file name."""


class _FileLike(Protocol):
    @property
    def path(self) -> str: ...

    @property
    def content(self) -> str: ...


class _RenderedLike(Protocol):
    @property
    def package_name(self) -> str: ...

    @property
    def files(self) -> Sequence[_FileLike]: ...


class _State(enum.Enum):
    NEW = "new"
    STAGED = "staged"
    COMMITTED = "committed"
    FINALIZED = "finalized"
    ROLLED_BACK = "rolled_back"
    DISCARDED = "discarded"


def _check_component(part: str, whole: str) -> None:
    if part in {"", ".", ".."}:
        raise UnsafePathError(f"generated path {whole!r} has an empty, '.' or '..' segment")
    if len(part) > _MAX_COMPONENT or not _SAFE_COMPONENT.match(part):
        raise UnsafePathError(
            f"generated path {whole!r} has an unsafe segment {part!r} "
            "(only letters, digits, '_', '-' and '.' are allowed)"
        )


def validate_relative_path(path: str) -> PurePosixPath:
    """Return ``path`` as a POSIX path that cannot leave the node directory, or raise.

    Rejects absolute paths, ``..`` and ``.`` segments, backslashes, control characters and
    anything that is not a plain file name, so that no rendered file can escape its node.
    """
    if not path or len(path) > _MAX_PATH:
        raise UnsafePathError(f"generated path {path[:80]!r} is empty or too long")
    if "\\" in path or path.startswith("/") or "//" in path or path.endswith("/"):
        raise UnsafePathError(f"generated path {path[:80]!r} is not a relative POSIX path")
    for part in path.split("/"):
        _check_component(part, path)
    return PurePosixPath(path)


def validate_node_dir_name(name: str) -> str:
    """Return ``name`` if it is an importable package name (so also a single safe directory).

    No '-' either: leftovers are named ``<prefix><name>-<pid>-<token>``, and a name with a dash
    could be mistaken for another node's leftovers.
    """
    if not _PACKAGE_NAME.match(name) or len(name) > _MAX_COMPONENT:
        raise UnsafePathError(
            f"node directory name {name[:80]!r} must be a Python package name "
            "(letters, digits and '_', not starting with a digit)"
        )
    return name


@functools.cache
def _renameat2() -> Callable[[bytes, bytes, int], int] | None:
    """The C library's ``renameat2`` or ``None`` when the platform has none."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        func = libc.renameat2
    except (OSError, AttributeError):
        return None
    func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    func.restype = ctypes.c_int

    def call(old: bytes, new: bytes, flags: int) -> int:
        if func(_AT_FDCWD, old, _AT_FDCWD, new, flags) == 0:
            return 0
        return ctypes.get_errno()

    return call


def _exchange(first: Path, second: Path) -> bool:
    """Swap two existing paths in one atomic step; ``False`` when the platform cannot."""
    call = _renameat2()
    if call is None:
        return False
    err = call(os.fsencode(first), os.fsencode(second), _RENAME_EXCHANGE)
    if err == 0:
        return True
    if err in {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP}:
        return False
    raise OSError(err, os.strerror(err), str(first), None, str(second))


def _rename_noreplace(source: Path, destination: Path) -> None:
    """Rename ``source`` to ``destination`` without ever replacing something already there."""
    call = _renameat2()
    if call is not None:
        err = call(os.fsencode(source), os.fsencode(destination), _RENAME_NOREPLACE)
        if err == 0:
            return
        if err not in {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP}:
            raise OSError(err, os.strerror(err), str(source), None, str(destination))
    if os.path.lexists(destination):
        raise FileExistsError(errno.EEXIST, "File exists", str(destination))
    os.rename(source, destination)


@functools.cache
def _syncfs() -> Callable[[int], int] | None:
    """The C library's ``syncfs`` (Linux) or ``None``."""
    try:
        func = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None
    func.argtypes = [ctypes.c_int]
    func.restype = ctypes.c_int
    return func


def _flush(files: Sequence[str], dirs: Iterable[str]) -> None:
    """Make ``files`` and the entries of ``dirs`` durable.

    One ``syncfs`` of the filesystem commits everything in a single journal transaction; on a
    busy disk that is ten times faster than an ``fsync`` per file (each forces its own commit).
    Without ``syncfs`` every file and directory is fsynced.
    """
    ordered_dirs = sorted(set(dirs), key=lambda p: p.count(os.sep), reverse=True)
    call = _syncfs()
    if call is not None and ordered_dirs:
        fd = os.open(ordered_dirs[0], os.O_RDONLY | os.O_DIRECTORY)
        try:
            if call(fd) == 0:
                return
        finally:
            os.close(fd)
    for path in files:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    for directory in ordered_dirs:
        _fsync_dir(Path(directory))


def _tree(root: Path) -> tuple[list[str], list[str]]:
    """Regular files and directories under ``root`` (``root`` and its parent included)."""
    top = os.fspath(root)
    files: list[str] = []
    dirs: list[str] = [os.path.dirname(top), top]
    for current, subdirs, names in os.walk(top):
        dirs.extend(os.path.join(current, d) for d in subdirs)
        files.extend(os.path.join(current, n) for n in names)
    return files, dirs


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_tree(path: Path) -> None:
    """Delete a directory we created (never follows symlinks); missing is fine."""
    if not os.path.lexists(path):
        return  # e.g. never created because the filesystem is read-only: nothing to undo
    with contextlib.suppress(FileNotFoundError):
        if path.is_symlink() or not path.is_dir():
            path.unlink()
            return
        shutil.rmtree(path)


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``directory`` (no lock file is left behind)."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it exists but belongs to someone else
        return True
    return True


def _describe(exc: OSError) -> str:
    code = errno.errorcode.get(exc.errno or 0, "")
    reason = exc.strerror or str(exc)
    return f"{reason} ({code})" if code else reason


class AtomicNodeWriter:
    """Stage, commit, and if needed roll back one node directory inside ``output_dir``.

    Typical use::

        with AtomicNodeWriter(out, "node_x_effect", force=True) as writer:
            staged = writer.stage(files)      # stages 6/7 may work on ``staged``
            writer.commit()                   # the new node is in place, old one kept aside
            ...                               # a failing stage 9 may call writer.rollback()
        # leaving the block finalizes (deletes the old node) or, on an exception, rolls back
    """

    def __init__(
        self,
        output_dir: Path,
        node_dir_name: str,
        *,
        force: bool = False,
        before_file_write: FileWriteHook | None = None,
        durable: bool = True,
    ) -> None:
        self._output_dir = Path(os.path.abspath(output_dir))
        self._name = validate_node_dir_name(node_dir_name)
        self._target = self._output_dir / self._name
        self._force = force
        self._hook = before_file_write
        self._durable = durable
        self._tag = f"{self._name}-{os.getpid()}-{secrets.token_hex(6)}"
        self._attempt = 0
        self._staging: Path | None = None  # <wrapper>/<node name>
        self._previous: Path | None = None
        self._created_root: Path | None = None
        self._state = _State.NEW

    # -- inspection -------------------------------------------------------------------------

    @property
    def target(self) -> Path:
        """Where the node lives once committed."""
        return self._target

    @property
    def output_dir(self) -> Path:
        """The directory the node is written into (absolute)."""
        return self._output_dir

    @property
    def staging_path(self) -> Path:
        """The staged copy that stages 6 and 7 may inspect and refine."""
        if self._staging is None or self._state is not _State.STAGED:
            raise NodeWriteError("nothing is staged")
        return self._staging

    @property
    def staged(self) -> bool:
        """True while a staged copy exists and has not been committed or discarded."""
        return self._state is _State.STAGED

    @property
    def committed(self) -> bool:
        """True once the new node is in place (until a rollback)."""
        return self._state in {_State.COMMITTED, _State.FINALIZED}

    def check_target(self) -> None:
        """Raise unless the target may be (re)placed: absent, or a real directory with force."""
        if self._output_dir.exists() and not self._output_dir.is_dir():
            raise NodeWriteError(f"output directory {self._output_dir} is not a directory")
        try:
            info = self._target.lstat()
        except FileNotFoundError:
            return
        except OSError as exc:
            raise NodeWriteError(f"cannot inspect {self._target}: {_describe(exc)}") from exc
        if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
            raise NodeWriteError(
                f"{self._target} exists and is not a directory; move it away and retry"
            )
        if not self._force:
            raise NodeExistsError(
                f"{self._target} already exists; pass --force to replace it atomically"
            )

    # -- staging ----------------------------------------------------------------------------

    def stage(self, files: Iterable[tuple[str, str]]) -> Path:
        """Write every ``(relative path, text)`` into a fresh staging directory.

        Nothing is fsynced yet: :meth:`commit` makes the final staged tree durable in one step
        just before the rename that makes it visible.
        """
        if self._state is not _State.NEW:
            raise NodeWriteError(f"cannot stage in state {self._state.value}")
        entries = [(validate_relative_path(rel), text) for rel, text in files]
        seen: set[PurePosixPath] = set()
        for rel, _ in entries:
            if rel in seen:
                raise UnsafePathError(f"generated path {str(rel)!r} appears twice")
            seen.add(rel)
        if self._output_dir.is_dir():
            self.recover_stale()  # first: it may put a dead run's backup back in place
        self.check_target()
        self._prepare_output_dir()
        wrapper = self._new_staging_name()
        staging = wrapper / self._name
        try:
            os.mkdir(wrapper)
            os.mkdir(staging)
        except OSError as exc:
            with contextlib.suppress(OSError):  # the cause, not the cleanup, is the message
                _remove_tree(wrapper)
            raise NodeWriteError(
                f"cannot create a staging directory in {self._output_dir}: {_describe(exc)}"
            ) from exc
        self._staging = staging
        try:
            created_dirs = {os.fspath(wrapper), os.fspath(staging)}
            for rel, text in entries:
                self._write_file(staging, rel, text, created_dirs)
        except OSError as exc:
            with contextlib.suppress(OSError):  # the cause, not the cleanup, is the message
                _remove_tree(wrapper)
            self._staging = None
            self._state = _State.DISCARDED
            self._remove_created_dirs()
            raise NodeWriteError(
                f"writing {self._name} failed: {_describe(exc)}; "
                f"nothing was changed in {self._output_dir}"
            ) from exc
        except BaseException:
            _remove_tree(wrapper)
            self._staging = None
            self._state = _State.DISCARDED
            self._remove_created_dirs()
            raise
        self._state = _State.STAGED
        return staging

    def adopt(self, directory: Path) -> Path:
        """Stage a complete node that already exists elsewhere on this filesystem (one rename).

        A batch generates and validates its nodes in a scratch directory first; this moves one
        that passed into this writer's staging place, so the commit, its checks and ``force``
        are exactly those of a single run.
        """
        if self._state is not _State.NEW:
            raise NodeWriteError(f"cannot stage in state {self._state.value}")
        if self._output_dir.is_dir():
            self.recover_stale()
        self.check_target()
        self._prepare_output_dir()
        wrapper = self._new_staging_name()
        try:
            os.mkdir(wrapper)
            os.rename(directory, wrapper / self._name)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.rmdir(wrapper)
            self._remove_created_dirs()
            raise NodeWriteError(
                f"cannot move {directory} into {self._output_dir}: {_describe(exc)}"
            ) from exc
        self._staging = wrapper / self._name
        self._state = _State.STAGED
        return self._staging

    def add_file(self, relative_path: str, text: str) -> Path:
        """Write one more file into the staged node (the manifest, once stages 6/7 are done)."""
        staging = self.staging_path
        rel = validate_relative_path(relative_path)
        created: set[str] = set()
        try:
            path = self._write_file(staging, rel, text, created)
        except OSError as exc:
            raise NodeWriteError(f"writing {relative_path} failed: {_describe(exc)}") from exc
        return path

    def fresh_staging_path(self) -> Path:
        """Move the staged node to a new path (tools like mypy cache by path) and return it."""
        current = self.staging_path.parent
        fresh = self._new_staging_name()
        os.rename(current, fresh)
        self._staging = fresh / self._name
        return self._staging

    def remove_tool_artifacts(self) -> tuple[str, ...]:
        """Delete caches that tools left in the staged (or just committed) node; return them."""
        staging = self._live_root()
        removed: list[str] = []
        for root, dirs, names in os.walk(staging):
            for name in sorted(dirs):
                if name in TOOL_ARTIFACTS:
                    path = Path(root) / name
                    removed.append(path.relative_to(staging).as_posix())
                    _remove_tree(path)
            dirs[:] = [d for d in dirs if d not in TOOL_ARTIFACTS]
            for name in sorted(names):
                if name in TOOL_ARTIFACT_FILES:
                    path = Path(root) / name
                    removed.append(path.relative_to(staging).as_posix())
                    path.unlink()
        return tuple(sorted(removed))

    def list_files(self) -> tuple[str, ...]:
        """Relative POSIX paths of the regular files in the staged or committed node, sorted."""
        top = os.fspath(self._live_root())
        found: list[str] = []
        for current, _, names in os.walk(top):
            prefix = os.path.relpath(current, top).replace(os.sep, "/")
            for name in names:
                if os.path.isfile(path := os.path.join(current, name)) and not os.path.islink(path):
                    found.append(name if prefix == "." else f"{prefix}/{name}")
        return tuple(sorted(found))

    # -- commit / rollback ------------------------------------------------------------------

    def commit(self) -> Path:
        """Put the staged node in place with one rename (or one atomic exchange under force).

        The target is checked and swapped under the output directory's lock, and without
        ``force`` only a no-replace rename is used: a node that appeared meanwhile (another run,
        or the user) is never replaced.
        """
        staging = self.staging_path
        self.check_target()
        try:
            if self._durable:
                # Everything staged (and refined) becomes durable before it becomes visible.
                _flush(*_tree(staging))
            with _locked(self._output_dir):
                self.check_target()
                if self._force and os.path.lexists(self._target):
                    self._swap_in(staging)
                else:
                    try:
                        _rename_noreplace(staging, self._target)
                    except FileExistsError:
                        if not self._force:
                            raise
                        # created meanwhile by someone who does not take our lock
                        self.check_target()
                        self._swap_in(staging)
            if self._previous != staging:
                with contextlib.suppress(OSError):
                    os.rmdir(staging.parent)  # the now empty wrapper
            # No fsync of the output directory here: the staged tree was made durable before
            # the rename, so after a power cut the journal holds either the rename (the complete
            # new node) or not (the old state); both are allowed outcomes, and the journal
            # commits the rename within seconds anyway.
        except FileExistsError as exc:
            raise NodeExistsError(
                f"{self._target} already exists (it appeared while generating); "
                "pass --force to replace it"
            ) from exc
        except OSError as exc:
            raise NodeWriteError(
                f"cannot move the new node into {self._target}: {_describe(exc)}; "
                "the previous state was kept"
            ) from exc
        self._staging = None
        self._state = _State.COMMITTED
        return self._target

    def _swap_in(self, staging: Path) -> None:
        """Exchange the staged node with the existing target (under the lock, with force)."""
        backup = self._output_dir / f"{BACKUP_PREFIX}{self._tag}"
        if _exchange(staging, self._target):
            # ``staging`` now holds the old node; give it the backup name so that a
            # killed run's leftovers say what they are.
            self._previous = staging
            with contextlib.suppress(OSError):
                os.rename(staging, backup)
                self._previous = backup
            return
        os.rename(self._target, backup)
        self._previous = backup
        try:
            os.rename(staging, self._target)
        except BaseException:
            os.rename(backup, self._target)
            self._previous = None
            raise

    def finalize(self) -> None:
        """Accept the committed node for good: delete the old one that was kept aside."""
        if self._state is not _State.COMMITTED:
            raise NodeWriteError(f"cannot finalize in state {self._state.value}")
        if self._previous is not None:
            previous = self._previous
            if previous.parent != self._output_dir:
                previous = previous.parent  # still in its staging wrapper
            self._previous = None
            self._delete(previous)
        self._state = _State.FINALIZED

    def discard(self) -> None:
        """Drop the staged copy; the output directory is as it was before :meth:`stage`."""
        if self._state is _State.STAGED and self._staging is not None:
            _remove_tree(self._staging.parent)
            self._staging = None
            self._state = _State.DISCARDED
            self._remove_created_dirs()

    def rollback(self) -> None:
        """Undo this writer's effect: drop the staged copy or restore the previous node."""
        if self._state is _State.STAGED:
            self.discard()
            return
        if self._state is _State.FINALIZED:
            raise NodeWriteError("the node was finalized; there is nothing to roll back to")
        if self._state is not _State.COMMITTED:
            return
        doomed = self._trash_name()
        with _locked(self._output_dir):
            if self._previous is not None:
                if _exchange(self._previous, self._target):
                    os.rename(self._previous, doomed)  # now holds the rejected new node
                else:
                    os.rename(self._target, doomed)
                    os.rename(self._previous, self._target)
                if self._previous.parent != self._output_dir:
                    _remove_tree(self._previous.parent)
                self._previous = None
            else:
                os.rename(self._target, doomed)
        _remove_tree(doomed)
        if self._durable:
            _fsync_dir(self._output_dir)
        self._state = _State.ROLLED_BACK
        self._remove_created_dirs()

    # -- leftovers of killed runs -----------------------------------------------------------

    def recover_stale(self) -> tuple[str, ...]:
        """Clean up after dead runs for this node; return what was done, one line per entry.

        A dead run's staging directory is deleted. Its backup is put back when the target is
        missing (the run died between its two renames), otherwise deleted (the new node was
        already in place). Directories of live processes are left alone.
        """
        if not self._output_dir.is_dir():
            return ()
        with _locked(self._output_dir):
            return self._recover_stale_locked()

    def _recover_stale_locked(self) -> tuple[str, ...]:
        actions = [f"removed {name}" for name in remove_dead_batch_scratch(self._output_dir)]
        try:
            entries = sorted(os.listdir(self._output_dir))
        except FileNotFoundError:
            return ()
        for entry in entries:
            for prefix in (STAGING_PREFIX, BACKUP_PREFIX, TRASH_PREFIX):
                head = f"{prefix}{self._name}-"
                if not entry.startswith(head):
                    continue
                pid_text, _, token = entry[len(head) :].partition("-")
                if not pid_text.isdigit() or not token or _pid_alive(int(pid_text)):
                    continue
                path = self._output_dir / entry
                if prefix == BACKUP_PREFIX and not os.path.lexists(self._target):
                    os.rename(path, self._target)
                    actions.append(f"restored {self._name} from {entry}")
                else:
                    self._delete(path)
                    actions.append(f"removed {entry}")
        return tuple(actions)

    # -- context manager --------------------------------------------------------------------

    def __enter__(self) -> AtomicNodeWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            self.rollback()
        elif self._state is _State.COMMITTED:
            self.finalize()
        else:
            self.discard()

    # -- helpers ----------------------------------------------------------------------------

    def _live_root(self) -> Path:
        if self._state is _State.STAGED and self._staging is not None:
            return self._staging
        if self._state in {_State.COMMITTED, _State.FINALIZED}:
            return self._target
        raise NodeWriteError(f"no node to look at in state {self._state.value}")

    def _prepare_output_dir(self) -> None:
        for path in (self._output_dir, *self._output_dir.parents):
            if os.path.islink(path) and not os.path.exists(path):
                raise NodeWriteError(
                    f"output directory {path} is a symbolic link to {os.readlink(path)}, which "
                    "does not exist; create that directory or pass another --output-dir"
                )
        missing = self._output_dir
        while not missing.parent.exists() and missing.parent != missing:
            missing = missing.parent
        if not missing.exists():
            self._created_root = missing  # removed again if this writer leaves nothing there
        try:
            self._output_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise NodeWriteError(
                f"cannot create output directory {self._output_dir}: {_describe(exc)}"
            ) from exc

    def _remove_created_dirs(self) -> None:
        """Remove the output directories this writer created, if they are empty again."""
        if self._created_root is None:
            return
        current = self._output_dir
        while True:
            try:
                os.rmdir(current)
            except OSError:
                return  # not empty (or gone): leave it
            if current == self._created_root:
                return
            current = current.parent

    def _trash_name(self) -> Path:
        self._attempt += 1
        return self._output_dir / f"{TRASH_PREFIX}{self._tag}{self._attempt}"

    def _delete(self, path: Path) -> None:
        """Rename ``path`` to a trash name, then delete it: a kill mid-delete leaves only trash."""
        doomed = self._trash_name()
        try:
            os.rename(path, doomed)
        except FileNotFoundError:
            return
        _remove_tree(doomed)

    def _new_staging_name(self) -> Path:
        self._attempt += 1
        return self._output_dir / f"{STAGING_PREFIX}{self._tag}{self._attempt}"

    def _write_file(
        self, root: Path, rel: PurePosixPath, text: str, created_dirs: set[str]
    ) -> Path:
        # Plain strings, not Path objects: this runs once per generated file on the hot path.
        if self._hook is not None:
            self._hook(str(rel))
        parent = os.fspath(root)
        parts = str(rel).split("/")
        for part in parts[:-1]:
            parent = os.path.join(parent, part)
            if parent in created_dirs:
                continue
            try:
                os.mkdir(parent)
                created_dirs.add(parent)
            except FileExistsError:
                if os.path.islink(parent) or not os.path.isdir(parent):
                    raise UnsafePathError(f"{rel} collides with a file of the same name") from None
        path = os.path.join(parent, parts[-1])
        data = text.encode("utf-8")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(path, flags, 0o666)
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
        finally:
            os.close(fd)
        return Path(path)


def make_batch_scratch(output_dir: Path) -> Path:
    """A fresh scratch directory inside ``output_dir`` for a batch's not yet validated nodes.

    Inside the output directory, so a node that passes moves into place with one rename. Scratch
    directories of dead batches (``kill -9``) are removed first.
    """
    output = Path(os.path.abspath(output_dir))
    output.mkdir(parents=True, exist_ok=True)
    remove_dead_batch_scratch(output)
    path = output / f"{BATCH_PREFIX}{os.getpid()}-{secrets.token_hex(6)}"
    path.mkdir()
    return path


def remove_dead_batch_scratch(output_dir: Path) -> tuple[str, ...]:
    """Delete the batch scratch directories in ``output_dir`` whose process is gone."""
    removed: list[str] = []
    try:
        entries = sorted(os.listdir(output_dir))
    except OSError:
        return ()
    for entry in entries:
        if not entry.startswith(BATCH_PREFIX):
            continue
        pid_text, _, token = entry.removeprefix(BATCH_PREFIX).partition("-")
        if pid_text.isdigit() and token and not _pid_alive(int(pid_text)):
            _remove_tree(output_dir / entry)
            removed.append(entry)
    return tuple(removed)


def write_node_atomically(
    rendered: _RenderedLike, output_dir: Path, *, force: bool = False
) -> Path:
    """Write a rendered node into ``output_dir/<package_name>`` in one step; return its path."""
    with AtomicNodeWriter(output_dir, rendered.package_name, force=force) as writer:
        writer.stage((f.path, f.content) for f in rendered.files)
        return writer.commit()
