"""The data that flows between the stages, as pydantic models.

folder -> Document -> Chunk -> Fact -> GroundedFact -> Claim/Section/Conflict -> Briefing.
The `Briefing` model is also the JSON contract written by `--format json`, version
`SCHEMA_VERSION`; `briefing.schema` reads it (older versions too) and describes it as a JSON
Schema (`briefing/schema/briefing.schema.json`).
"""

from __future__ import annotations

import datetime as dt
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from briefing.version import __version__

# Every briefing written as text says that briefing wrote it, and reading skips a file that
# does (`briefing.ingest.sources.written_by_briefing`), so a briefing written into the folder it
# briefs is never a source of the next: `<!-- WRITTEN_BY -->` at the end of the last line of
# Markdown and after the footer of an HTML page, whose head has a generator <meta>; WRITTEN_BY
# as the last line of plain text; an X-Mailer: GENERATOR header in a message. The templates'
# shared macros write them, so a template of one's own that uses the macros keeps them.
GENERATOR = f"briefing {__version__}"
WRITTEN_BY = f"written by {GENERATOR}"

SCHEMA_VERSION: Final = 2
"""The version of the JSON contract `Briefing` is. 1: files written before it had a version
(failed chunks as "source#n: reason" strings, claims without a kind); 2: `schema_version`,
`FailedChunk` objects, `Claim.kind`."""


class _Model(BaseModel):
    # Writing is exact: every field is written, and nothing else is accepted when a model is
    # made in code. (Reading a saved briefing is lenient; see briefing.schema.read_briefing.)
    model_config = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=True)


class Document(_Model):
    """One source file as read: its full decoded text and where the content is in it."""

    id: str
    path: str = Field(description="Where the file is read from.")
    shown_path: str = Field(
        "",
        description="The path a briefing shows: relative to the folder it was found under (a "
        "file given by itself: as given when relative, else its name). Empty: the file's name.",
    )
    text: str = Field(repr=False)
    body: list[tuple[int, int]] = Field(
        default_factory=list,
        description="Spans of text[start:end] that are content (not metadata or page furniture).",
    )
    title: str | None = None
    date: dt.date | None = None
    url: str | None = None
    outlet: str | None = Field(
        None,
        description="Who published it, where that can be known: a site's name, a URL's host, "
        "an agency credit.",
    )
    sha256: str
    reader: str = "text"
    encoding: str = "utf-8"


class Chunk(_Model):
    """A piece of a document's content. `spans` are its content passages as offsets into
    `Document.text` (furniture between them left out); `text` is those passages joined by
    blank lines, which is what an engine reads."""

    source: str
    index: int
    spans: list[tuple[int, int]]
    text: str = Field(repr=False)
    sentences: list[tuple[int, int]] = Field(
        default_factory=list,
        repr=False,
        description="The sentences chunking cut it at, so an engine need not split again.",
    )

    @property
    def start(self) -> int:
        return self.spans[0][0]

    @property
    def end(self) -> int:
        return self.spans[-1][1]


class Fact(_Model):
    """What an engine extracted: a claim, and the verbatim quote from the source that backs it.

    `hint` is where the engine believes the quote starts (an offset into the document text);
    grounding uses it to prefer the right occurrence, but never trusts it.
    """

    source: str
    claim: str
    quote: str
    topic: str | None = None
    importance: float = 0.5
    hint: int | None = None


class Citation(_Model):
    """A file ID and the passage of that file, `text[start:end] == quote`."""

    source: str
    quote: str
    start: int
    end: int


class GroundedFact(_Model):
    """A fact whose quote was found in its source file."""

    fact: Fact
    citation: Citation
    match: Literal["exact", "normalised", "fuzzy"]


ClaimKind = Literal["claim", "key_point", "watch"]


class Claim(_Model):
    id: str
    text: str
    citations: list[Citation]
    topic: str | None = None
    importance: float = 0.0
    kind: ClaimKind = Field(
        default="claim",
        description="What it is: 'claim', what the documents say (merged; it may lead as a key "
        "point); 'key_point', a point a model wrote from claims, citing their files; 'watch', a "
        "claim about what is planned or expected, listed under what to watch next.",
    )
    disputed: str | None = Field(
        None,
        description="The ID of the entry under where sources differ that gives another figure "
        "for something this claim states, when the briefing lists one.",
    )
    when: str | None = Field(
        None,
        description="The date a relative time of the claim ('on Tuesday', 'the day after "
        "tomorrow', 'next week') stands for, counted from the date of the source that says it: "
        "'Tuesday 2 December 2025', 'week of 8 December 2025'.",
    )


class Section(_Model):
    title: str
    claims: list[Claim]


class ConflictValue(_Model):
    """One of the differing figures, with the sources that give it."""

    value: str
    citations: list[Citation]


class Conflict(_Model):
    """Sources that give different figures for what looks like the same thing."""

    id: str
    title: str
    values: list[ConflictValue]
    measure: str = Field("", description="What the differing figures measure, in a source's words.")


class SourceInfo(_Model):
    id: str
    path: str = Field(
        description="The file's path relative to the folder it was found under (a file given "
        "by itself: as given when relative, else its name); never where it lies on the machine "
        "that made the briefing, as a briefing may be mailed."
    )
    title: str | None
    date: dt.date | None
    url: str | None
    outlet: str | None = Field(None, description="Who published it, where that can be known.")
    sha256: str
    reader: str
    encoding: str
    excerpt: str = Field("", description="The first words of the content, for untitled sources.")


class Usage(_Model):
    """What the model cost: requests sent, answers served from the cache, tokens of every
    attempt (re-asks included), and the dollars they cost where the price is known."""

    requests: int = 0
    cached: int = 0
    reasks: int = 0
    fallbacks: int = Field(
        0,
        description="Claims and key points whose figures or names were still not in their "
        "cited sentences after every re-ask, printed as those sentences (or claims) instead.",
    )
    prompt_tokens: int = 0
    completion_tokens: int = 0
    retries: int = Field(
        0,
        description="Requests the SDK sent again after a network fault (429, 5xx, timeout); "
        "a failed attempt is not billed.",
    )
    batched: int = Field(0, description="Requests answered through the Batch API (half price).")
    unsent: int = Field(
        0,
        description="Passages not sent because the run's budget (--max-cost, --token-budget) "
        "would have been exceeded; they are listed in failed_chunks.",
    )
    cost: float | None = Field(
        None,
        description="US dollars the tokens cost at the model's price (batch requests at the "
        "batch price); null when the price is unknown.",
    )


class FailedChunk(_Model):
    """A passage of a source that the engine could not read, and why."""

    source: str = Field(description="The ID of the source it is a passage of.")
    index: int = Field(
        description="Which passage of the source, counted from 1 (as 'source#1' on stderr)."
    )
    reason: str = Field(description="Why it could not be read, for the people who run briefing.")


class Stats(_Model):
    documents: int = 0
    chunks: int = 0
    facts_found: int = 0
    facts_dropped: int = 0
    facts_rewritten: int = Field(
        0,
        description="Facts whose claim gave a figure or name its quote lacks, printed as the "
        "quote instead.",
    )
    claims: int = 0
    claims_shown: int = 0
    skipped_files: list[str] = Field(default_factory=list)
    failed_chunks: list[FailedChunk] = Field(default_factory=list)
    usage: Usage | None = None


class Period(_Model):
    start: dt.date | None = None
    end: dt.date | None = None


class Briefing(_Model):
    """The whole briefing: what the templates render and what `--format json` writes."""

    schema_version: Literal[2] = Field(
        default=SCHEMA_VERSION,
        description="The version of this JSON contract (see briefing.models).",
    )
    title: str
    generated_at: dt.datetime
    engine: str
    model: str | None = None
    audience: str = "default"
    period: Period = Field(default_factory=Period)
    sources: list[SourceInfo]
    key_points: list[Claim]
    sections: list[Section]
    conflicts: list[Conflict]
    stats: Stats
    watch: list[Claim] = Field(
        default_factory=list,
        description="What to watch next: cited claims about what is planned or expected.",
    )
    new_sources: list[str] = Field(
        default_factory=list,
        description="IDs of the sources that are new or changed since the last briefing "
        "(with --state); empty on a first run or without a state file.",
    )
    updated_sources: list[str] = Field(
        default_factory=list,
        description="Of the new sources, those an earlier briefing covered with other content "
        "(an article updated since).",
    )
    since: dt.datetime | None = Field(
        None, description="When the last briefing recorded in the state file was made."
    )
