"""Readers and writers in symmetric pairs; malformed input raises `StcFormatError`."""

from kollega.stc.io.refi import (
    codebook_schema_path,
    project_schema_path,
    read_qdc,
    read_qdpx,
    validate_qdc,
    validate_qdpx,
    write_qdc,
    write_qdpx,
)
from kollega.stc.io.transcripts import (
    read_docx,
    read_srt,
    read_transcript,
    read_txt,
    read_vtt,
    transcript_from_turns,
    write_srt,
    write_txt,
    write_vtt,
)

__all__ = [
    "codebook_schema_path",
    "project_schema_path",
    "read_docx",
    "read_qdc",
    "read_qdpx",
    "read_srt",
    "read_transcript",
    "read_txt",
    "read_vtt",
    "transcript_from_turns",
    "validate_qdc",
    "validate_qdpx",
    "write_qdc",
    "write_qdpx",
    "write_srt",
    "write_txt",
    "write_vtt",
]
