"""Coder agreement on the demo study's two coders, beside an independent computation.

    .venv/bin/python bench/agreement.py            # the demo study beside the reference
    .venv/bin/python bench/agreement.py --large    # time: 200 transcripts, ~19,000 units

The demo study (`kollega.stc.demo`) has two researchers coding the same 27 passages of
six interviews into five code groups. `kollega.stc.agreement.agreement` computes the
figures over the text; the reference expands every transcript into one value per
character per coder and computes:

- Cohen's kappa per code group and transcript with scikit-learn's ``cohen_kappa_score``
  on the coded / not coded characters, averaged weighted by transcript length (NVivo's
  average) — the same definition, an independent implementation;
- Krippendorff's nominal alpha over characters with the ``krippendorff`` package, per
  group (coded / not) and across groups. This treats every character as its own unit,
  where the unitizing alpha treats a coded passage as one indivisible unit; the two agree
  exactly only when every coded passage is one character long (tests/stc/test_agreement.py
  checks that case, and the unitizing alpha against a brute-force pair count).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import krippendorff
import numpy as np
from sklearn.metrics import cohen_kappa_score

from kollega.stc.agreement import agreement
from kollega.stc.demo import load_demo_project
from kollega.stc.types import MeaningUnit, Span


def reference(project, coders):  # type: ignore[no-untyped-def]
    texts = {t.id: t.text for t in project.transcripts}
    groups = sorted({u.code_group_id for u in project.meaning_units if u.code_group_id})
    values = {c: {t: np.full(len(x), -1) for t, x in texts.items()} for c in coders}
    masks = {
        (c, g): {t: np.zeros(len(x), dtype=bool) for t, x in texts.items()}
        for c in coders
        for g in groups
    }
    for u in project.meaning_units:
        masks[u.coder, u.code_group_id][u.span.transcript_id][u.span.start : u.span.end] = True
        values[u.coder][u.span.transcript_id][u.span.start : u.span.end] = groups.index(
            u.code_group_id
        )
    per_group = {}
    k_sum = weight = 0.0
    for g in groups:
        gk = gw = 0.0
        for t, text in texts.items():
            a, b = (masks[c, g][t] for c in coders)
            if not (a.any() or b.any()):
                continue
            gk += cohen_kappa_score(a, b) * len(text)
            gw += len(text)
        a = np.concatenate([masks[coders[0], g][t] for t in texts]).astype(float)
        b = np.concatenate([masks[coders[1], g][t] for t in texts]).astype(float)
        alpha = krippendorff.alpha(
            reliability_data=np.vstack([a, b]), level_of_measurement="nominal"
        )
        per_group[g] = {"kappa": gk / gw, "char_alpha": alpha}
        k_sum, weight = k_sum + gk, weight + gw
    rows = np.vstack([np.concatenate([values[c][t] for t in texts]) for c in coders]).astype(float)
    overall_alpha = krippendorff.alpha(reliability_data=rows, level_of_measurement="nominal")
    return {"kappa": k_sum / weight, "char_alpha": overall_alpha, "per_group": per_group}


def large() -> None:
    """Two coders, 200 transcripts of 8,000 characters, 50 passages each, 12 groups; the
    second coder skips one passage in ten, moves starts and recodes one in five."""
    rng = random.Random(0)
    units, texts = [], {}
    for t in range(200):
        tid = f"t{t}"
        texts[tid] = "ord " * 2000
        for k in range(50):
            s = k * 160 + rng.randint(0, 20)
            e = s + rng.randint(60, 140)
            g = f"g{rng.randint(0, 11)}"
            units.append(MeaningUnit(f"a{t}-{k}", Span(tid, s, e), "x", g, "a"))
            if rng.random() < 0.9:
                s2 = max(0, s + rng.randint(-5, 5))
                g2 = g if rng.random() < 0.8 else "g0"
                units.append(MeaningUnit(f"b{t}-{k}", Span(tid, s2, e), "x", g2, "b"))
    t0 = time.perf_counter()
    rep = agreement(units, texts=texts, match="overlap")
    took = time.perf_counter() - t0
    assert rep.text is not None
    print(
        f"{len(units)} units: {took:.2f} s; kappa {rep.text.kappa:.3f}, "
        f"u-alpha {rep.text.u_alpha:.3f}, {len(rep.disagreements)} differences"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--large", action="store_true")
    if parser.parse_args().large:
        large()
        return
    project = load_demo_project()
    names = {g.id: g.name for g in project.code_groups}
    coders = sorted({u.coder for u in project.meaning_units})
    texts = {t.id: t.text for t in project.transcripts}
    t0 = time.perf_counter()
    rep = agreement(project.meaning_units, coders=coders, texts=texts)
    ours_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    words = agreement(project.meaning_units, coders=coders, texts=texts, level="word")
    words_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    ref = reference(project, coders)
    ref_s = time.perf_counter() - t0
    t, w = rep.text, words.text
    assert t is not None and w is not None
    print(f"coders: {', '.join(coders)}; {t.length} characters, {w.length} words")
    print(
        f"units matched by span: kappa {rep.kappa:.3f}, alpha {rep.alpha:.3f}, {rep.n_items} items"
    )
    print()
    print(
        "| code group | kappa (chars) | reference kappa | binary u-alpha | per-char alpha (ref.) | kappa (words) |"
    )
    print("|---|---|---|---|---|---|")
    print(
        f"| all groups | {t.kappa:.3f} | {ref['kappa']:.3f} | u-alpha {t.u_alpha:.4f}, "
        f"Cu-alpha {t.cu_alpha:.3f} | {ref['char_alpha']:.4f} | {w.kappa:.3f} |"
    )
    for g, st in t.per_group.items():
        r = ref["per_group"][g]
        print(
            f"| {names[g]} | {st['kappa']:.3f} | {r['kappa']:.3f} | {st['u_alpha']:.4f} "
            f"| {r['char_alpha']:.4f} | {w.per_group[g]['kappa']:.3f} |"
        )
    print()
    print(
        f"differences listed: {len(rep.disagreements)} ({', '.join(sorted({d.kind for d in rep.disagreements}))})"
    )
    print(
        f"time: ours {ours_s * 1000:.1f} ms (chars), {words_s * 1000:.1f} ms (words); reference {ref_s * 1000:.1f} ms"
    )
    worst = max(abs(st["kappa"] - ref["per_group"][g]["kappa"]) for g, st in t.per_group.items())
    print(
        f"largest kappa difference from the reference: {max(worst, abs(t.kappa - ref['kappa'])):.2e}"
    )


if __name__ == "__main__":
    main()
