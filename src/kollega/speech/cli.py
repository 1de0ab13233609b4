"""Command line: ``kollega speech transcribe|deidentify`` (also ``python -m kollega.speech``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from kollega.speech.errors import SpeechError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kollega speech", description="Local transcription and de-identification."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    tr = commands.add_parser("transcribe", help="transcribe a recording, offline")
    tr.add_argument("file", type=Path)
    tr.add_argument("--language", required=True, help="nb, nn or en (never auto-detected)")
    tr.add_argument("--format", choices=("txt", "vtt", "srt"), default="txt")
    tr.add_argument("--output", "-o", type=Path, help="write here instead of standard output")
    tr.add_argument("--model", default=None, help="model directory or known model name")
    tr.add_argument("--turns", choices=("auto", "channels", "pauses", "none"), default="auto")
    tr.add_argument(
        "--no-retries",
        action="store_true",
        help="decode once at temperature 0, with no hotter second try for a window whose text "
        "still repeats itself",
    )
    tr.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")
    de = commands.add_parser("deidentify", help="list identifiers found in a text file")
    de.add_argument("file", type=Path)
    de.add_argument("--language", default="nb")
    de.add_argument("--apply", action="store_true", help="print the text with them replaced")
    de.add_argument("--style", default="[kind]", help='replacement template, e.g. "[kind {n}]"')
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit status (0 ok, 1 bad input, 130 interrupted)."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "transcribe":
            return _transcribe(args, sys.stdout, sys.stderr)
        return _deidentify(args, sys.stdout)
    except (SpeechError, OSError, UnicodeDecodeError) as exc:
        print(f"kollega speech: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nkollega speech: interrupted; nothing was written", file=sys.stderr)
        return 130


def _transcribe(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    # Imported when the command runs, so the other commands and --help start without it.
    from kollega.speech.formats import to_srt, to_txt, to_vtt, write_text_atomic
    from kollega.speech.model import DEFAULT_MODEL
    from kollega.speech.transcribe import DEFAULT_TEMPERATURES, Progress, transcribe

    def show(progress: Progress) -> None:
        eta = f", about {progress.eta_s:.0f} s left" if progress.eta_s is not None else ""
        err.write(f"\r{progress.fraction:4.0%} done{eta}   ")
        err.flush()

    transcript = transcribe(
        args.file,
        language=args.language,
        model=args.model or DEFAULT_MODEL,
        turns=args.turns,
        temperatures=(0.0,) if args.no_retries else DEFAULT_TEMPERATURES,
        on_progress=None if args.quiet else show,
    )
    if not args.quiet:
        err.write(
            f"\n{transcript.duration:.1f} s transcribed; speaker turns by {transcript.turn_method}\n"
        )
    render = {"txt": to_txt, "vtt": to_vtt, "srt": to_srt}[args.format]
    text = render(transcript)
    if args.output:
        write_text_atomic(args.output, text)
    else:
        out.write(text)
    return 0


def _deidentify(args: argparse.Namespace, out: TextIO) -> int:
    # Imported when the command runs, so the other commands and --help start without it.
    from kollega.speech.deid import apply, find_identifiers

    text = args.file.read_text(encoding="utf-8")
    findings = find_identifiers(text, language=args.language)
    if args.apply:
        new_text, _offsets = apply(text, findings, style=args.style)
        out.write(new_text)
        return 0
    for f in findings:
        out.write(f"{f.start}-{f.end}\t{f.kind}\t{f.confidence:.2f}\t{f.source}\t{f.text}\n")
    out.write(f"{len(findings)} identifiers proposed\n")
    return 0
