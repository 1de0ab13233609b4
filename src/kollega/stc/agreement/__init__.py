"""Agreement between coders: over the text itself, and at the meaning-unit level.

Over the text (`text_agreement`, what `agreement` reports first): every character (or
word) of the compared text is coded or not coded with each code group by each coder.
Per code group, Cohen's kappa of that 2x2 table as NVivo's coding comparison computes
it, and Krippendorff's binary unitizing alpha (ATLAS.ti's alpha-binary); overall NVivo's
length-weighted mean kappa, the nominal unitizing alpha u-alpha across groups and Cu-alpha on
the groups of the text the coders both coded (Krippendorff, Mathet, Bouvry & Widlöcher
2016, as ATLAS.ti reports them). `text_disagreements` lists every place the coders
differ: a passage only some coded, different groups, boundaries further apart than a
tolerance.

At the meaning-unit level (the older figures, kept for their callers): items are meaning
units identified by their span. With ``match="overlap"``, a unit of
one coder joins the item of another coder's unit in the same transcript when the two
spans overlap by at least ``min_overlap`` (Jaccard on code points). Each coder gives an
item at most one code group; an item a coder did not mark is missing for that coder.

Statistics: percent agreement and Cohen's kappa over items both of two coders coded
(`cohen_kappa`), Krippendorff's alpha for nominal data over any number of coders with
missing values (`krippendorff_alpha`), and per code group the same on the binary
question "is this item in the group?".

The package: :mod:`.text` for the figures over the text, :mod:`.units` for those at the
meaning-unit level and for `agreement`, which reports both.
"""

from __future__ import annotations

from kollega.stc.agreement.text import (
    Disagreement,
    TextAgreement,
    coding_alpha,
    text_agreement,
    text_disagreements,
    text_kappa,
    unitizing_alpha,
)
from kollega.stc.agreement.units import (
    AgreementReport,
    agreement,
    cohen_kappa,
    krippendorff_alpha,
    percent_agreement,
)

__all__ = [
    "AgreementReport",
    "Disagreement",
    "TextAgreement",
    "agreement",
    "coding_alpha",
    "cohen_kappa",
    "krippendorff_alpha",
    "percent_agreement",
    "text_agreement",
    "text_disagreements",
    "text_kappa",
    "unitizing_alpha",
]
