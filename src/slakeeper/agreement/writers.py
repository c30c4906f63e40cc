"""Markdown and HTML writers of a `ContractDocument`.

Every text from the agreement file is escaped: it can never become markup.
"""

from __future__ import annotations

import html
import re

from slakeeper.agreement import words
from slakeeper.agreement.document import (
    Block,
    BulletList,
    ContractDocument,
    Paragraph,
)

__all__ = ["to_html", "to_markdown"]


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_MD_LINE_START = re.compile(r"^(\s*\d*)([#+\-=.)])(?=\s|$)")
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")


def _md(text: str) -> str:
    """Escape text so Markdown shows it as written."""
    text = " ".join(text.split())
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = _MD_ENTITY.sub(r"\\&", text)
    start = _MD_LINE_START.match(text)
    if start is not None and (start.group(1).strip() or start.group(2) in "#+-="):
        text = f"{start.group(1)}\\{text[start.end(1) :]}"
    return text


def _md_cell(text: str) -> str:
    return _md(text) or " "


def to_markdown(doc: ContractDocument) -> str:
    """The contract as CommonMark (tables in the GitHub dialect)."""
    out = [f"# {_md(doc.title)}", ""]
    out.append(
        f"Between {_md(doc.parties[0])} and {_md(doc.parties[1])}."
        f" Effective {_md(doc.effective)}."
    )
    out.append("")
    for section in doc.sections:
        out.append(f"## {_md(section.heading)}")
        out.append("")
        for block in section.blocks:
            out.extend(_md_block(block))
            out.append("")
    out.append("## Signatures")
    out.append("")
    for party, name, role in doc.signatories:
        out.append(f"For {_md(party)}: {_md(name)} ({_md(words.snake(role))})")
        out.append("")
        out.append("Signature: ______________________  Date: ______________")
        out.append("")
    out.append("---")
    out.append("")
    out.append(f"Version {_md(doc.version)} · SHA-256 `{doc.sha256}`")
    return "\n".join(out) + "\n"


def _md_block(block: Block) -> list[str]:
    if isinstance(block, Paragraph):
        return [_md(block.text)]
    if isinstance(block, BulletList):
        return [f"- {_md(item)}" for item in block.items]
    lines = [
        "| " + " | ".join(_md_cell(h) for h in block.header) + " |",
        "|" + "|".join(" --- " for _ in block.header) + "|",
    ]
    for row in block.rows:
        lines.append("| " + " | ".join(_md_cell(c) for c in row) + " |")
    return lines


_CSS = """
@page { size: A4; margin: 22mm 20mm 24mm 20mm; }
html { font-family: Georgia, "Times New Roman", serif; font-size: 11pt;
  line-height: 1.5; color: #1a1a1a; }
body { max-width: 46em; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.8em; line-height: 1.2; margin: 0 0 .3em; }
h2 { font-size: 1.25em; margin: 1.6em 0 .5em; border-bottom: 1px solid #999;
  padding-bottom: .15em; break-after: avoid; page-break-after: avoid; }
p.meta { color: #444; margin-top: 0; }
table { border-collapse: collapse; width: 100%; margin: .6em 0 1em;
  font-size: .92em; break-inside: auto; }
th, td { border: 1px solid #777; padding: .3em .5em; text-align: left;
  vertical-align: top; }
th { background: #eee; }
tr { break-inside: avoid; page-break-inside: avoid; }
ul { padding-left: 1.3em; }
li { margin: .25em 0; }
.signatures { display: flex; gap: 2em; margin-top: 2.5em; break-inside: avoid;
  page-break-inside: avoid; }
.signature { flex: 1; }
.line { border-bottom: 1px solid #000; height: 3em; margin-bottom: .3em; }
footer { margin-top: 2.5em; border-top: 1px solid #999; padding-top: .5em;
  font-size: .8em; color: #444; word-break: break-all; }
code { font-family: "DejaVu Sans Mono", Menlo, monospace; }
@media print { body { margin: 0; max-width: none; padding: 0; } }
"""


def _h(text: str) -> str:
    return html.escape(text, quote=True)


def to_html(doc: ContractDocument) -> str:
    """The contract as one self-contained HTML file that prints well; every
    text is escaped."""
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{_h(doc.title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{_h(doc.title)}</h1>",
        f'<p class="meta">Between {_h(doc.parties[0])} and {_h(doc.parties[1])}.'
        f" Effective {_h(doc.effective)}.</p>",
        "</header>",
        "<main>",
    ]
    for section in doc.sections:
        anchor = f' id="{_h(section.anchor)}"' if section.anchor else ""
        out.append(f"<section{anchor}>")
        out.append(f"<h2>{_h(section.heading)}</h2>")
        for block in section.blocks:
            out.append(_html_block(block))
        out.append("</section>")
    out.append('<section id="signatures">')
    out.append("<h2>Signatures</h2>")
    out.append('<div class="signatures">')
    for party, name, role in doc.signatories:
        out.append(
            '<div class="signature">'
            f"<p>For {_h(party)}</p>"
            '<div class="line"></div>'
            f"<p>{_h(name)} ({_h(words.snake(role))})<br>Date:</p>"
            "</div>"
        )
    out.append("</div>")
    out.append("</section>")
    out.append("</main>")
    out.append(
        f"<footer>Version {_h(doc.version)} · SHA-256 <code>{_h(doc.sha256)}</code>"
        "</footer>"
    )
    out.append("</body>")
    out.append("</html>")
    return "\n".join(out) + "\n"


def _html_block(block: Block) -> str:
    if isinstance(block, Paragraph):
        return f"<p>{_h(block.text)}</p>"
    if isinstance(block, BulletList):
        items = "".join(f"<li>{_h(i)}</li>" for i in block.items)
        return f"<ul>{items}</ul>"
    head = "".join(f"<th>{_h(h)}</th>" for h in block.header)
    body = "".join(
        "<tr>" + "".join(f"<td>{_h(c)}</td>" for c in row) + "</tr>"
        for row in block.rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
