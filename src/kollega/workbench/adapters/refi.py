"""REFI-QDA exchange through kollega.stc: .qdpx projects and .qdc codebooks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kollega.stc.errors import StcFormatError
from kollega.workbench.adapters.project import ExchangeError, stc_project


def write_qdpx(analysis: Any, path: str | Path) -> None:
    """The analysis as a REFI-QDA project; raises `ExchangeError` if it would not validate."""
    # kollega.stc.io loads lxml: imported on first use (see adapters/__init__).
    from kollega.stc.io import validate_qdpx
    from kollega.stc.io import write_qdpx as stc_write_qdpx

    try:
        stc_write_qdpx(stc_project(analysis), path, origin="Kollega")
        validate_qdpx(path)
    except StcFormatError as exc:
        raise ExchangeError(str(exc)) from None


def read_qdpx(path: str | Path) -> dict[str, Any]:
    """A ``.qdpx`` from Kollega, NVivo, ATLAS.ti, MAXQDA or QualCoder as plain project JSON."""
    # kollega.stc.io loads lxml: imported on first use (see adapters/__init__).
    from kollega.stc.io import read_qdpx as stc_read_qdpx

    try:
        data: dict[str, Any] = stc_read_qdpx(path).to_dict()
    except StcFormatError as exc:
        raise ExchangeError(str(exc)) from None
    return data


def validate_qdpx(path: str | Path) -> None:
    # kollega.stc.io loads lxml: imported on first use (see adapters/__init__).
    from kollega.stc.io import validate_qdpx as stc_validate_qdpx

    try:
        stc_validate_qdpx(path)
    except StcFormatError as exc:
        raise ExchangeError(str(exc)) from None


def write_qdc(analysis: Any, path: str | Path) -> None:
    """The analysis's code groups (and categories as sets) as a REFI-QDA codebook."""
    # kollega.stc.io loads lxml: imported on first use (see adapters/__init__).
    from kollega.stc.io import write_qdc as stc_write_qdc

    project = stc_project(analysis)
    if not project.code_groups:
        raise ExchangeError("the analysis has no code groups yet")
    stc_write_qdc(project.code_groups, path, categories=project.categories)


def read_qdc(path: str | Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A ``.qdc`` codebook: ``[{"id", "name", "description", "parent_id", "color"}]`` in an order where
    each parent comes first, and ``[{"name", "description", "code_group_ids"}]``."""
    # kollega.stc.io loads lxml: imported on first use (see adapters/__init__).
    from kollega.stc.io import read_qdc as stc_read_qdc

    try:
        groups, categories = stc_read_qdc(path)
    except StcFormatError as exc:
        raise ExchangeError(str(exc)) from None
    return (
        [
            {
                "id": g.id,
                "name": g.name,
                "description": g.description,
                "parent_id": g.parent_id,
                "color": g.color,
            }
            for g in groups
        ],
        [
            {"name": c.name, "description": c.description, "code_group_ids": c.code_group_ids}
            for c in categories
        ],
    )
