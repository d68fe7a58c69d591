"""Stage 8: write a generated node so that it appears completely or not at all."""

from onexgen.writing.atomic_writer import (
    BACKUP_PREFIX,
    STAGING_PREFIX,
    AtomicNodeWriter,
    FileWriteHook,
    NodeExistsError,
    NodeWriteError,
    UnsafePathError,
    validate_node_dir_name,
    validate_relative_path,
    write_node_atomically,
)
from onexgen.writing.manifest import (
    MANIFEST_FILE_NAME,
    ModelFileDigest,
    ModelNodeManifest,
    build_manifest,
    digest_directory,
    load_manifest,
    render_manifest,
    verify_manifest,
)

__all__ = [
    "BACKUP_PREFIX",
    "MANIFEST_FILE_NAME",
    "STAGING_PREFIX",
    "AtomicNodeWriter",
    "FileWriteHook",
    "ModelFileDigest",
    "ModelNodeManifest",
    "NodeExistsError",
    "NodeWriteError",
    "UnsafePathError",
    "build_manifest",
    "digest_directory",
    "load_manifest",
    "render_manifest",
    "validate_node_dir_name",
    "validate_relative_path",
    "verify_manifest",
    "write_node_atomically",
]
