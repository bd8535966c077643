"""Readers for formats that are not plain text: HTML, PDF, DOCX and e-mail.

Each reader is one function `bytes -> Decoded`, registered in `briefing.ingest.sources.READERS`,
which imports this module only when a file of one of these formats is read; each imports its library
only when called. The text a reader returns is what citations' offsets refer to, and its
`reader` label (kind/library version) is recorded in the briefing so a check can read the file
the same way again. A file a library cannot read raises `Unreadable`, which becomes a note.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
import re
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

from briefing.ingest.decoding import Decoded, Unreadable, decode_text, encoding_note
from briefing.ingest.metadata import parse_date

if TYPE_CHECKING:
    from docx.table import Table
    from lxml.html import HtmlElement


@contextlib.contextmanager
def _library(kind: str) -> Iterator[None]:
    """Turn whatever a parsing library raises on a malformed file into `Unreadable`. Libraries
    raise many kinds of exception on bad input (their own, but also KeyError, ValueError...);
    only the library's parsing runs inside this, never briefing's own code."""
    try:
        yield
    except Unreadable:
        raise
    except Exception as exc:
        detail = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else ""
        what = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
        raise Unreadable(f"not a readable {kind} file ({what})") from exc


def _title(value: object) -> str | None:
    """A metadata title worth showing: not empty, not a file name."""
    text = re.sub(r"\s+", " ", str(value or "")).strip()
    if not text or re.search(r"\.(docx?|pdf|html?|txt|odt|rtf)$", text, re.IGNORECASE):
        return None
    return text[:200]


# ---------------------------------------------------------------------------------------------
# HTML: the article's main text, without menus, sidebars and footers
# ---------------------------------------------------------------------------------------------

# Elements that are never the article's text.
_JUNK_TAGS = """script style noscript template svg math iframe object embed canvas video audio
    picture figure form button input select textarea label nav header footer aside menu dialog
    head""".split()
# class or id words of page furniture: navigation, sharing, comments, adverts, related links.
_JUNK_NAMES = re.compile(
    r"(?:^|[-_\s])(?:nav|navbar|navigation|menu|footer|sidebar|breadcrumbs?|comments?|share|"
    r"sharing|social|related|recommended|advert\w*|ads?|promo\w*|cookies?|banner|subscribe|"
    r"newsletter|popup|modal|masthead|skip|tags|byline|author-bio)(?:$|[-_\s])",
    re.IGNORECASE,
)
_JUNK_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "menu"}
_BLOCKS = set(
    """p div section article main h1 h2 h3 h4 h5 h6 li ul ol dl dt dd blockquote pre table tr
    td th caption address hr br body""".split()
)
_PARAGRAPHS = {"p", "pre", "blockquote", "li", "dd", "td"}
_MIN_PARAGRAPH = 40  # characters: shorter ones (links, labels) do not say where the article is
_MAIN_SHARE = 0.8  # the main container holds at least this share of the page's paragraph text


def read_html(data: bytes) -> Decoded:
    import lxml
    import lxml.html

    text, encoding, note = _decode_html(data)
    with _library("HTML"):
        root = lxml.html.document_fromstring(text)
    # Metadata first: the <head> and the page header go with the furniture.
    title, date = _html_title(root), _html_date(root)
    url = _first(root, '//link[@rel="canonical"]/@href', '//meta[@property="og:url"]/@content')
    outlet = _first(
        root,
        '//meta[@property="og:site_name"]/@content',
        '//meta[@name="application-name"]/@content',
    )
    return Decoded(
        text=html_main_text(root),
        encoding=encoding,
        reader=f"html/lxml {lxml.__version__}",
        title=title,
        date=date,
        url=url,
        outlet=outlet.strip() if outlet and outlet.strip() else None,
        note=note,
    )


def _decode_html(data: bytes) -> tuple[str, str, str | None]:
    """The page as text, its encoding and a note when the encoding was guessed: a byte-order
    mark first, then the charset the page declares, then UTF-8 or Windows-1252."""
    text, encoding, note = "", "", None
    if not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        m = re.search(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", data[:4096], re.IGNORECASE)
        if m:
            encoding = m.group(1).decode("ascii").lower()
            with contextlib.suppress(LookupError, UnicodeDecodeError):
                text = data.decode(encoding)
    if not text:
        text, encoding = decode_text(data)
        note = encoding_note(encoding)
    # lxml refuses a str that still declares an encoding.
    return re.sub(r"^\s*<\?xml[^>]*\?>", "", text), encoding, note


def html_main_text(root: HtmlElement) -> str:
    """The article's text in `root` as paragraphs separated by blank lines: page furniture is
    dropped, then the smallest element holding most of the paragraph text is taken."""
    for el in list(root.iter(*_JUNK_TAGS)):
        _drop(el)
    total = _paragraph_text(root)
    for el in list(root.iter()):
        if el.getparent() is None or not isinstance(el.tag, str) or el.tag in ("body", "html"):
            continue
        names = f"{el.get('class', '')} {el.get('id', '')}"
        furniture = el.get("role", "") in _JUNK_ROLES or _JUNK_NAMES.search(names)
        if furniture and _paragraph_text(el) <= total / 2:  # never the page's main part
            _drop(el)
    main = _main_container(root)
    lines: list[str] = []
    _collect(main, lines, [])
    return "\n\n".join(lines) + ("\n" if lines else "")


def _drop(el: HtmlElement) -> None:
    """Remove `el` but keep the text that follows it."""
    if el.getparent() is not None:
        el.drop_tree()


def _paragraph_text(el: HtmlElement) -> int:
    return sum(_paragraph_weight(p) for p in el.iter(*_PARAGRAPHS))


def _paragraph_weight(p: HtmlElement) -> int:
    """Characters of a paragraph that are not links; 0 for short or mostly linked ones."""
    size = len(" ".join(p.text_content().split()))
    if size < _MIN_PARAGRAPH:
        return 0
    links = sum(len(" ".join(a.text_content().split())) for a in p.iter("a"))
    return size - links if links < size / 2 else 0


def _main_container(root: HtmlElement) -> HtmlElement:
    """The deepest element that still holds most of the paragraph text (the body when the
    page has no paragraphs)."""
    body = root.find("body")
    node = body if body is not None else root
    total = _paragraph_text(node)
    if total == 0:
        return node
    while True:
        for child in node:
            if isinstance(child.tag, str) and _paragraph_text(child) >= _MAIN_SHARE * total:
                node = child
                break
        else:
            return node


def _collect(el: HtmlElement, lines: list[str], buf: list[str]) -> None:
    """Append the text of `el` to `lines`, one line per block (paragraph, heading, item)."""
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in _BLOCKS:
        _flush(lines, buf)
    if tag == "pre":
        lines.extend(line.rstrip() for line in el.text_content().strip("\n").splitlines())
    elif tag in ("ul", "ol", "table", "div", "section") and _link_dense(el):
        pass  # a list of links: a menu or "related stories" inside the article
    else:
        if tag:
            buf.append(el.text or "")
        for child in el:
            _collect(child, lines, buf)
            buf.append(child.tail or "")
    if tag in _BLOCKS:
        _flush(lines, buf)


def _flush(lines: list[str], buf: list[str]) -> None:
    line = " ".join("".join(buf).split())
    buf.clear()
    if line:
        lines.append(line)


def _link_dense(el: HtmlElement) -> bool:
    size = len(" ".join(el.text_content().split()))
    links = sum(len(" ".join(a.text_content().split())) for a in el.iter("a"))
    return size > 0 and links / size > 0.6


def _first(root: HtmlElement, *paths: str) -> str | None:
    for path in paths:
        for value in root.xpath(path):
            text = " ".join(str(value).split())
            if text:
                return text
    return None


def _html_title(root: HtmlElement) -> str | None:
    return _title(
        _first(root, '//meta[@property="og:title"]/@content', "//h1//text()", "//title/text()")
    )


def _html_date(root: HtmlElement) -> dt.date | None:
    value = _first(
        root,
        '//meta[@property="article:published_time"]/@content',
        '//meta[@itemprop="datePublished"]/@content',
        '//meta[@name="date" or @name="pubdate" or @name="publish-date" or @name="dc.date"]'
        "/@content",
        "//time/@datetime",
    )
    return parse_date(value) if value else None


# ---------------------------------------------------------------------------------------------
# PDF: the text layer, page by page
# ---------------------------------------------------------------------------------------------


def read_pdf(data: bytes) -> Decoded:
    import pypdf
    from pypdf.errors import DependencyError

    # pypdf logs what it repairs in a damaged file; the note on the file says what matters.
    logging.getLogger("pypdf").setLevel(logging.ERROR)

    with _library("PDF"):
        try:
            pdf = pypdf.PdfReader(io.BytesIO(data))
            if pdf.is_encrypted and not pdf.decrypt(""):
                raise Unreadable("encrypted PDF; it needs a password")
            pages = [page.extract_text() or "" for page in pdf.pages]
        except DependencyError as exc:
            raise Unreadable(
                "encrypted PDF; reading it needs the 'cryptography' package "
                "(pip install cryptography)"
            ) from exc
        meta = pdf.metadata
        title = _title(meta.title) if meta else None
        created = meta.creation_date if meta else None
    text = "\n\n".join(p.strip("\n") for p in pages if p.strip())
    if not text.strip():
        raise Unreadable(f"no text layer in {len(pages)} page(s) (a scan? briefing does no OCR)")
    empty = sum(1 for p in pages if not p.strip())
    return Decoded(
        text=text + "\n",
        encoding="pdf",
        reader=f"pdf/pypdf {pypdf.__version__}",
        title=title,
        date=created.date() if created else None,
        note=f"{empty} of {len(pages)} pages have no text layer" if empty else None,
    )


# ---------------------------------------------------------------------------------------------
# DOCX: paragraphs and table cells in document order
# ---------------------------------------------------------------------------------------------


def read_docx(data: bytes) -> Decoded:
    import docx
    from docx.table import Table

    with _library("DOCX"):
        document = docx.Document(io.BytesIO(data))
        blocks: list[str] = []
        for item in document.iter_inner_content():
            if isinstance(item, Table):
                blocks.extend(_cells(item))
            else:
                blocks.append(item.text)
        title = _title(document.core_properties.title)
    text = "\n\n".join(b.strip() for b in blocks if b.strip())
    # The date a .docx was created is usually its template's, so the text's own date is used.
    return Decoded(
        text=text + "\n" if text else "",
        encoding="utf-8",
        reader=f"docx/python-docx {docx.__version__}",
        title=title,
    )


def _cells(table: Table) -> Iterator[str]:
    """Each cell's text once (a merged cell appears in every row and column it spans)."""
    kept: list[object] = []  # the cells' elements stay alive, so their ids stay theirs
    seen: set[int] = set()
    for row in table.rows:
        for cell in row.cells:
            if id(cell._tc) not in seen:
                kept.append(cell._tc)
                seen.add(id(cell._tc))
                yield cell.text


# ---------------------------------------------------------------------------------------------
# E-mail (.eml): the message body; the subject is the title, the Date header the date
# ---------------------------------------------------------------------------------------------


def read_eml(data: bytes) -> Decoded:
    import email
    import email.policy

    label = f"eml/email python {sys.version_info.major}.{sys.version_info.minor}"
    with _library("e-mail"):
        msg = email.message_from_bytes(data, policy=email.policy.default)
        part = msg.get_body(preferencelist=("plain", "html"))
        if part is None:
            raise Unreadable("an e-mail without a text body")
        body = part.get_content()
        charset = part.get_content_charset() or "us-ascii"
        subject = msg.get("subject")
        sent = msg.get("date")
        when = getattr(sent, "datetime", None) if sent is not None else None
    if part.get_content_type() == "text/html":
        import lxml
        import lxml.html

        with _library("HTML"):
            body = html_main_text(lxml.html.document_fromstring(body))
        label += f" + html/lxml {lxml.__version__}"
    else:
        body = _without_signature(body.replace("\r\n", "\n"))
    return Decoded(
        text=body,
        encoding=charset,
        reader=label,
        title=_title(subject),
        date=when.date() if isinstance(when, dt.datetime) else None,
    )


def _without_signature(body: str) -> str:
    """The body up to the signature delimiter ('-- ' alone on a line)."""
    m = re.search(r"^-- $", body, re.MULTILINE)
    return body[: m.start()] if m else body
