"""Stories: the documents of a folder grouped by what they report, each titled by its names.

Nothing here knows what news is about: documents are TF-IDF vectors over their content terms,
grouped by average-linkage clustering with a similarity cut-off. Candidate pairs come from an
inverted index of each document's strongest terms (postings of very common terms capped), and
each document keeps its few nearest neighbours, so the work stays near-linear in documents.
A story is titled by the names and terms its documents share and the rest of the folder does
not ("Canada" and "Canadian" are one name). Each claim belongs to the story most of its
citations come from; a folder that is one story is divided by the same clustering, cut finer.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from briefing.models import Claim, Document
from briefing.text import FUNCTION_WORDS, content_terms, stem

OTHER = "Other developments"
CUT = 0.04  # average cosine similarity at which two groups of documents are one story
SMOOTH = 0.3  # added to each term's IDF, so that terms every document shares still count
TERMS_PER_DOC = 40  # a document's vector: its strongest terms
MAX_POSTINGS = 60  # a term in more documents than this finds no neighbours (it says little)
SHARED = 0.6  # a name most documents use, which names the folder in its title
LEAD_CHARS = 2000  # what a document is about is read from its first characters
MIN_SCORE = 0.25  # a title word: used by this share of a story's documents more than by others
NEIGHBOURS = 12  # links kept per document
MAX_PARTS = 4  # sub-sections of a folder that is one story

# Words that name no story: time words and the generic words of news writing. Never subjects.
_GENERIC = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow week
    weekend month year january february march april may june july august september october
    november december jan feb mar apr jun jul aug sep sept oct nov dec morning evening night
    mr mrs ms dr president minister prime chief director general spokesperson spokesman
    spokeswoman official officials government state people city country news report reports
    statement press agency the a an in on at but and or if as he she it they we this that
    these those there his her its their our after before while when where what who however
    meanwhile speaking according earlier later last next new first second third deputy republic
    western eastern northern southern national federal union council committee department
    ministry university institute company group association party house court office
    toward towards among across within without around including despite part parts""".split()
)
# The last word of a name that says what kind of place it is: 'Mill Street' is not 'Street'.
_PLACES = frozenset(
    """street road avenue lane square hall bridge river lake park station airport port hospital
    school college museum centre center island valley bay mountain county city summit
    plant organization organisation institute fund agency bank""".split()
)
_NAME = re.compile(  # a run of capitalised words that does not start a sentence or a line
    r"(?<=[\w,;:’'\"”)][ \t])[A-Z][\w'’-]*[a-z][\w'’-]*(?:[ \t]+[A-Z][\w'’-]*[a-z][\w'’-]*)*"
)
_SURFACE = re.compile(r"\w+(?:['’]\w+)*")


@dataclass
class Story:
    """A group of documents that report one thing."""

    title: str
    sources: list[str]
    names: list[str] = field(default_factory=list)


def find_stories(docs: Sequence[Document]) -> list[Story]:
    """The stories of `docs`, largest first. A folder that is one story comes back as the
    parts of it its documents tell apart (at most MAX_PARTS), each titled against the rest."""
    if not docs:
        return []
    counts = [_terms(d) for d in docs]
    edges = _edges(_weights(counts))
    groups = _cluster(len(docs), edges, CUT)
    if len(groups) == 1 and len(docs) >= 3:
        groups = _cluster(len(docs), edges, 0.0, min_groups=min(MAX_PARTS, (len(docs) + 1) // 2))
    groups.sort(key=lambda g: (-len(g), min(g)))
    return _titled(docs, groups, counts)


def assign(claims: Iterable[Claim], stories: Sequence[Story]) -> list[Claim]:
    """`claims`, each with the title of the story most of its citations come from as topic
    (ties go to the larger story)."""
    story_of = {src: n for n, s in enumerate(stories) for src in s.sources}
    out = []
    for claim in claims:
        votes = Counter(story_of[c.source] for c in claim.citations if c.source in story_of)
        if votes:
            best = min(votes, key=lambda n: (-votes[n], n))
            claim = claim.model_copy(update={"topic": stories[best].title})
        out.append(claim)
    return out


def canonical_topic(name: str | None, text: str) -> str | None:
    """A topic name from a model, tidied; the section a claim goes to is its story's."""
    return name.strip()[:60] if name and name.strip() else None


def headline(docs: Sequence[Document], stories: Sequence[Story]) -> str:
    """A briefing title naming the main stories: the names most documents share ('Briefing:
    A, B and C') when the folder is one story or its stories share names, else the first
    names of its largest stories ('Briefing: A and B; C and D')."""
    if not stories:
        return "Briefing"
    names = _fold_variants([_names(d) for d in docs])
    used: Counter[str] = Counter(k for d in names for k in d)
    total: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    for d in names:
        for key, f in d.items():
            forms[key].update(f)
            total[key] += sum(f.values())
    shared = [k for k in used if used[k] >= SHARED * len(docs) and used[k] > 1]
    shared.sort(key=lambda k: (-used[k], -total[k], k))
    if len(stories) == 1 or len(shared) >= 2:
        if shared:
            return "Briefing: " + _joined([_form(forms[k]) for k in shared[:3]])
        return "Briefing: " + stories[0].title
    parts = [_joined(s.names[:2]) for s in stories[:3] if s.names]
    return "Briefing: " + "; ".join(parts) if parts else "Briefing"


# ---------------------------------------------------------------------------------------------
# Vectors and clustering
# ---------------------------------------------------------------------------------------------


def _lead(doc: Document) -> str:
    """The start of a document's content, which says what its story is (news puts it first)."""
    parts: list[str] = []
    size = 0
    for s, e in doc.body or [(0, len(doc.text))]:
        parts.append(doc.text[s : min(e, s + LEAD_CHARS - size)])
        size += len(parts[-1])
        if size >= LEAD_CHARS:
            break
    return "\n".join(parts)


def _terms(doc: Document) -> Counter[str]:
    # The function words of the common languages too (content_terms leaves out English ones
    # only): 'der', 'la', 'les' would otherwise make every two documents of one language a
    # story.
    return Counter(
        t for t in content_terms(_lead(doc)) if not t.isdigit() and t not in FUNCTION_WORDS
    )


def _weights(counts: list[Counter[str]]) -> list[dict[str, float]]:
    """Each document's TF-IDF vector, unit length, held by its TERMS_PER_DOC strongest terms
    that another document also uses (a term of one document links nothing)."""
    df: Counter[str] = Counter()
    for c in counts:
        df.update(c.keys())
    n = len(counts)
    out = []
    for c in counts:
        w = {t: (1 + math.log(k)) * (math.log((n + 1) / df[t]) + SMOOTH) for t, k in c.items()}
        norm = math.sqrt(sum(x * x for x in w.values())) or 1.0
        shared = sorted(((t, x) for t, x in w.items() if df[t] > 1), key=lambda tx: (-tx[1], tx[0]))
        out.append({t: x / norm for t, x in shared[:TERMS_PER_DOC]})
    return out


def _edges(vectors: list[dict[str, float]]) -> dict[tuple[int, int], float]:
    """Cosine similarities of each document with its nearest neighbours, through an inverted
    index whose long postings are left out."""
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for i, vec in enumerate(vectors):
        for term, w in vec.items():
            postings[term].append((i, w))
    edges: dict[tuple[int, int], float] = {}
    for i, vec in enumerate(vectors):
        acc: defaultdict[int, float] = defaultdict(float)
        for term, w in vec.items():
            posting = postings[term]
            if len(posting) > MAX_POSTINGS:
                continue
            for j, w2 in posting:
                if j != i:
                    acc[j] += w * w2
        for j, sim in heapq.nlargest(NEIGHBOURS, acc.items(), key=lambda kv: kv[1]):
            edges[(min(i, j), max(i, j))] = sim
    return edges


def _cluster(
    n: int, edges: dict[tuple[int, int], float], cut: float, min_groups: int = 1
) -> list[list[int]]:
    """Average-linkage clustering of n items: the two groups of highest average similarity
    (pairs without an edge count 0) merge while that average exceeds `cut` and there are more
    than `min_groups` groups."""
    members = [[i] for i in range(n)]
    links: list[dict[int, float]] = [{} for _ in range(n)]  # summed similarities
    for (i, j), sim in edges.items():
        links[i][j] = sim
        links[j][i] = sim
    version = [0] * n
    heap = [(-sim, i, j, 0, 0) for (i, j), sim in edges.items()]
    heapq.heapify(heap)
    groups = n
    while heap and groups > min_groups:
        neg, i, j, vi, vj = heapq.heappop(heap)
        if not members[i] or not members[j] or version[i] != vi or version[j] != vj:
            continue
        if -neg <= cut:
            break
        if len(members[i]) < len(members[j]):
            i, j = j, i
        members[i].extend(members[j])
        members[j] = []
        links[i].pop(j, None)
        for k, s in links[j].items():
            if k == i:
                continue
            links[i][k] = links[i].get(k, 0.0) + s
            links[k][i] = links[k].get(i, 0.0) + s
            links[k].pop(j, None)
        links[j] = {}
        version[i] += 1
        version[j] += 1
        groups -= 1
        size = len(members[i])
        for k, s in links[i].items():
            heapq.heappush(heap, (-s / (size * len(members[k])), i, k, version[i], version[k]))
    return [sorted(m) for m in members if m]


# ---------------------------------------------------------------------------------------------
# Titles
# ---------------------------------------------------------------------------------------------


def _titled(
    docs: Sequence[Document], groups: list[list[int]], counts: list[Counter[str]]
) -> list[Story]:
    """Each group as a story titled by its distinctive names, else (few capitals, or a script
    without them) its distinctive terms (`counts`: each document's stemmed terms)."""
    names = _fold_variants([_names(d) for d in docs])
    uses = [{key: sum(forms.values()) for key, forms in d.items()} for d in names]
    name_df: Counter[str] = Counter(k for d in names for k in d)
    term_df: Counter[str] = Counter(k for c in counts for k in c)
    n = len(docs)
    stories = []
    for group in groups:
        picked = _distinctive([uses[i] for i in group], name_df, n, 3)
        forms: Counter[str] = Counter()
        words = []
        for key in picked:
            forms.clear()
            for i in group:
                forms.update(names[i].get(key, {}))
            words.append(_form(forms))
        if len(words) < 2:
            for key in _distinctive([counts[i] for i in group], term_df, n, 3):
                form = _surface(key, [docs[i] for i in group])
                if form and len(words) < 3 and not any(_within(form, w) for w in words):
                    words.append(form)
        title = _joined(words) if words else docs[group[0]].title or docs[group[0]].id
        stories.append(Story(title=title, sources=[docs[i].id for i in group], names=words))
    _unique_titles(stories)
    return stories


def _within(term: str, name: str) -> bool:
    """`term` says again what `name` says: the same stem, or one of its parts
    ('bouches' and 'Bouches-du-Rhône')."""
    parts = re.split(r"[\s\-‐–]+", name.lower())
    return stem(term) == stem(name) or term.lower() in parts


def _surface(key: str, docs: Sequence[Document]) -> str | None:
    """How the documents write the stemmed term `key`: its commonest word."""
    forms = Counter(
        word
        for doc in docs
        for m in _SURFACE.finditer(_lead(doc))
        if stem(word := m.group(0).lower()) == key
        and word not in FUNCTION_WORDS
        and word not in _GENERIC
    )
    return _form(forms) if forms else None


def _distinctive(per_doc: list[Mapping[str, int]], df: Counter[str], n: int, k: int) -> list[str]:
    """The k keys most of a group's documents use and the rest of the folder does not
    (`per_doc`: how often each document of the group uses each key)."""
    inside: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for d in per_doc:
        inside.update(d.keys())
        total.update(d)
    size = len(per_doc)
    outside = n - size

    def score(key: str) -> float:
        share_in = inside[key] / size
        share_out = (df[key] - inside[key]) / outside if outside else 0.0
        return share_in * (1 - share_out) + 0.01 * math.log1p(total[key])

    ranked = sorted(
        (k for k in inside if score(k) >= MIN_SCORE and total[k] > 1),  # said once: by chance
        key=lambda k: (-score(k), k),
    )
    wide = [key for key in ranked if inside[key] >= min(2, size)]  # used by two documents
    return wide[:k] if len(wide) >= 2 else (wide + [x for x in ranked if x not in wide])[:k]


def _names(doc: Document) -> dict[str, Counter[str]]:
    """Capitalised words that do not start a sentence, by variant key ('Canada', 'Canadian')."""
    found: dict[str, Counter[str]] = {}
    for line in _lead(doc).split("\n"):
        for m in _NAME.finditer(line):
            run = m.group(0).split()  # 'Vladimir Putin' is Putin, 'New Delhi' Delhi,
            word = " ".join(run[-2:]) if run[-1].lower() in _PLACES and len(run) > 1 else run[-1]
            word = word.rstrip("’'-").removesuffix("’s").removesuffix("'s")
            if word.lower() in _GENERIC or word.lower() in FUNCTION_WORDS or len(word) < 3:
                continue
            found.setdefault(stem(word.lower()), Counter())[word] += 1
    return found


def _fold_variants(per_doc: list[dict[str, Counter[str]]]) -> list[dict[str, Counter[str]]]:
    """Keys that are one name in two forms ('canada', 'canadian') folded onto the shorter,
    across all documents. Names are compared within their first three letters."""
    by_prefix: dict[str, list[str]] = defaultdict(list)
    for key in sorted({k for d in per_doc for k in d}, key=lambda k: (len(k), k)):
        by_prefix[key[:3]].append(key)
    home: dict[str, str] = {}
    for keys in by_prefix.values():
        homes: list[str] = []
        for key in keys:
            home[key] = next((h for h in homes if _same_name(h, key)), key)
            if home[key] == key:
                homes.append(key)
    out = []
    for d in per_doc:
        folded: dict[str, Counter[str]] = {}
        for key, forms in d.items():
            folded.setdefault(home[key], Counter()).update(forms)
        out.append(folded)
    return out


def _same_name(a: str, b: str) -> bool:
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return common >= max(4, min(len(a), len(b)) - 1)


def _form(forms: Counter[str]) -> str:
    """How a name is shown: its shortest common form ('Canada' for Canada/Canadian)."""
    common = [w for w, k in forms.items() if k * 4 >= max(forms.values())]
    return min(common, key=lambda w: (len(w), -forms[w], w))


def _joined(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _unique_titles(stories: list[Story]) -> None:
    seen: Counter[str] = Counter()
    for story in stories:
        seen[story.title] += 1
        if seen[story.title] > 1:
            story.title = f"{story.title} ({seen[story.title]})"
