"""Documents of every format briefing reads, made in the test: no binary fixtures to keep."""

from __future__ import annotations

import email.message
import email.utils
import io
from collections.abc import Sequence


def pdf_bytes(lines: Sequence[str], title: str | None = None, pages: int = 1) -> bytes:
    """A minimal valid PDF whose text layer is `lines` (Helvetica, one text object per page,
    one line each), written by hand so the tests need no PDF library of their own."""
    objects: list[bytes] = []
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(pages))
    font = 3 + 2 * pages
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode())
    for i in range(pages):
        body = "BT /F1 11 Tf 72 760 Td 14 TL\n"
        body += "".join(f"({_pdf_escape(line)}) Tj T*\n" for line in lines if i == 0)
        body += "ET"
        stream = body.encode("latin-1")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * i} 0 R "
            f"/Resources << /Font << /F1 {font} 0 R >> >> >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    info = None
    if title:
        objects.append(f"<< /Title ({_pdf_escape(title)}) >>".encode("latin-1"))
        info = len(objects)
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, obj in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    trailer = f"<< /Size {len(objects) + 1} /Root 1 0 R" + (f" /Info {info} 0 R" if info else "")
    out.write(f"trailer\n{trailer} >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def _pdf_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def encrypted_pdf_bytes(lines: Sequence[str], password: str) -> bytes:
    """The PDF of `lines`, encrypted (RC4, which pypdf writes without extra packages)."""
    import pypdf

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf_bytes(lines))))
    writer.encrypt(user_password=password, owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_bytes(
    paragraphs: Sequence[str],
    title: str | None = None,
    heading: str | None = None,
    table: Sequence[Sequence[str]] = (),
) -> bytes:
    import docx

    document = docx.Document()
    if title:
        document.core_properties.title = title
    if heading:
        document.add_heading(heading, level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def eml_bytes(
    body: str,
    subject: str = "Council news",
    date: str = "Wed, 03 Dec 2025 09:30:00 +0000",
    html: str | None = None,
    charset: str = "utf-8",
) -> bytes:
    msg = email.message.EmailMessage()
    msg["From"] = "Press Office <press@example.org>"
    msg["To"] = "desk@example.org"
    msg["Subject"] = subject
    msg["Date"] = date
    if body:
        msg.set_content(body, charset=charset)
    if html is not None:
        if body:
            msg.add_alternative(html, subtype="html")
        else:
            msg.set_content(html, subtype="html")
    return msg.as_bytes()


def html_page(article: str, title: str = "Council approves budget", head: str = "") -> str:
    """A news page: navigation, a header, the article, a sidebar of links and a footer."""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | City News</title>{head}
<script>var tracking = "Tracking code that must never be read.";</script>
<style>body {{ font-family: serif; }}</style></head>
<body>
<nav class="site-nav"><ul><li><a href="/">Home</a></li><li><a href="/world">World news and
analysis from around the globe</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<header><div class="logo">City News</div><p>Your trusted daily source of city news.</p></header>
<div id="page" class="layout has-sidebar">
<main><article>
<h1>{title}</h1>
{article}
<ul class="related-links"><li><a href="/a">Related: Mayor opens a new bridge across the river
in the north of the city</a></li><li><a href="/b">Related: Schools to get new funding next
year, council says</a></li></ul>
</article></main>
<aside class="sidebar"><h2>Most read</h2><p>Celebrity chef opens a new restaurant in the old
harbour district tonight.</p></aside>
</div>
<div class="comments"><p>Great article, thanks for writing this! I agree with everything
said here.</p></div>
<footer><p>Copyright 2025 City News. All rights reserved. Terms of use and privacy policy.</p>
</footer>
</body></html>
"""
