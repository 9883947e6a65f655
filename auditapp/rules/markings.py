"""The protective markings a board report may carry (the Government Security Classifications
a council uses): OFFICIAL for a paper to be published, OFFICIAL-SENSITIVE for internal use."""

from __future__ import annotations

OFFICIAL = "OFFICIAL"
OFFICIAL_SENSITIVE = "OFFICIAL-SENSITIVE"
MARKINGS = (OFFICIAL, OFFICIAL_SENSITIVE)
#: What each marking means, in the words the app shows beside it.
MEANINGS = {OFFICIAL: "to be published (for example on the council's website)",
            OFFICIAL_SENSITIVE: "for internal use, not for publication"}
