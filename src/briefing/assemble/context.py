"""Lines a reader can take alone: a claim that opens by pointing back at the sentence before it
('But when pressed, he...', 'Therefore, it would be...', 'This will...') is not shown, since
the briefing does not show that sentence."""

from __future__ import annotations

import re

_LEANS_BACK = re.compile(
    r"^[\"“‘']?(?:he|she|they|it|this|these|those|that|his|her|its|their|them|him|such|"
    r"and|but|or|so|also|therefore|thus|hence|however|moreover|furthermore|additionally|"
    r"besides|instead|still|yet|then|meanwhile|nonetheless|nevertheless|likewise|similarly|"
    r"otherwise|accordingly|consequently|in addition|as a result|by contrast|even so|"
    r"on the other hand|at the same time|in turn)\b(?!['’]s\b)",
    re.IGNORECASE,
)
# A quotation that opens by pointing back: '"Highly on the agenda and this could be discussed."'
_QUOTE_POINTS_BACK = re.compile(
    r"^[\"“](?:[\w'’-]+,?\s+){0,6}(?:this|that|these|those)\s+"
    r"(?:could|would|will|can|may|might|is|was|are|were|has|had|should|must)\b",
    re.IGNORECASE,
)
_SAID = re.compile(r"\b(?:said|says|told|added|stated|according to)\b", re.IGNORECASE)
_WE_SPEAK = re.compile(r"^[\"“‘']?(?:we|our|us|i|my)\b", re.IGNORECASE)


def stands_alone(text: str) -> bool:
    """False when `text` opens with a connective or a pronoun whose referent lies in a sentence
    before it, or is a speaker's 'we'/'I' with no speaker named."""
    text = text.strip()
    if _LEANS_BACK.match(text) or _QUOTE_POINTS_BACK.match(text):
        return False
    # 'We are developing...' with no 'Peskov said' in it: whose 'we'?
    return not _WE_SPEAK.match(text) or bool(_SAID.search(text))
