"""The rendered node (output of stages 4 and 5): file texts, not yet on disk."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from onexgen.models.contract import ModelNodeContract


class ModelRenderedFile(BaseModel):
    """One generated file; ``path`` is relative POSIX inside the package."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str = Field(min_length=1)
    content: str

    @field_validator("path")
    @classmethod
    def _inside_package(cls, value: str) -> str:
        parts = value.split("/")
        if value.startswith("/") or "\\" in value or any(p in {"", ".", ".."} for p in parts):
            raise ValueError(f"{value!r} is not a relative path inside the package")
        return value


class ModelRenderedNode(BaseModel):
    """A complete node package in memory; files sorted by path for byte-stable output."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    package_name: str
    files: tuple[ModelRenderedFile, ...]
    contract: ModelNodeContract
    template_versions: dict[str, str] = Field(default_factory=dict)

    @field_validator("files")
    @classmethod
    def _sorted_unique(cls, files: tuple[ModelRenderedFile, ...]) -> tuple[ModelRenderedFile, ...]:
        ordered = tuple(sorted(files, key=lambda f: f.path))
        paths = [f.path for f in ordered]
        if len(set(paths)) != len(paths):
            raise ValueError("duplicate file paths in rendered node")
        return ordered

    def file(self, path: str) -> ModelRenderedFile:
        """The file at ``path`` (KeyError when absent)."""
        for item in self.files:
            if item.path == path:
                return item
        raise KeyError(path)

    def with_files(
        self, extra: tuple[ModelRenderedFile, ...], template_versions: dict[str, str]
    ) -> ModelRenderedNode:
        """A copy with ``extra`` files added (or replaced by path) and more template versions."""
        by_path = {f.path: f for f in self.files}
        by_path.update({f.path: f for f in extra})
        versions = dict(self.template_versions)
        versions.update(template_versions)
        return self.model_copy(
            update={
                "files": tuple(sorted(by_path.values(), key=lambda f: f.path)),
                "template_versions": dict(sorted(versions.items())),
            }
        )
