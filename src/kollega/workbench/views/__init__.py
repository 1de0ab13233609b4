"""The workbench's pages, by STC step: ``analyses`` (the analyses and their transcripts),
``impression`` (step 1), ``coding`` (step 2), ``comparison`` (blind double coding),
``condensation`` (step 3), ``synthesis`` (step 4 and the check) and ``results`` (the report's
downloads and REFI-QDA exchange); ``common`` holds what they share.
"""

from kollega.workbench.views.coding import SUGGESTION_SALT

__all__ = ["SUGGESTION_SALT"]
