"""What every report page shares: its style, its Content-Security-Policy, escaping, and the
name of and link to a student's page."""

import html
import urllib.parse

from autograder.reports.class_results import safe_name

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 72em; color: #222;
       line-height: 1.4; border-left: 1em solid transparent; border-right: 1em solid transparent; }
h1 { font-size: 1.6em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ddd; }
table { border-collapse: separate; border-spacing: 1px; margin: 0.6em 0; }
th, td { border: 0.25em solid transparent; border-left-width: 0.6em; border-right-width: 0.6em;
         outline: 1px solid #ddd; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; }
pre { background: #f6f8fa; border: 0.6em solid #f6f8fa; overflow-x: auto; white-space: pre-wrap;
      word-break: break-word; }
pre.printed { background: #fff8e1; border-color: #fff8e1; }
.full { color: #1a7f37; } .partial { color: #9a6700; } .zero { color: #cf222e; }
.tag { font-size: 0.8em; font-weight: normal; color: #555; border: 1px solid #bbb;
       border-radius: 3px; }
.bar { background: #cf222e; height: 0.8em; display: inline-block; }
.bar.ok { background: #1a7f37; } .bar.mid { background: #d4a72c; }
figure { display: inline-block; margin: 0.5em; } figcaption { text-align: center; }
.note { color: #555; font-size: 0.9em; }
"""
"""Space inside boxes comes from transparent (or background-coloured) borders and lines from
outlines: the engine names no question of the lab, and one is called ``p-a-d-d-i-n-g``."""


def e(text: object) -> str:
    """``text`` as HTML text or attribute value: every markup character escaped."""
    return html.escape(str(text), quote=True)


def page_name(student: str) -> str:
    """The file name of a student's page (an id no file could have is %-quoted)."""
    name = student if safe_name(student) else urllib.parse.quote(student, safe="")
    return f"{name}.html"


def page_link(student: str) -> str:
    """The class page's link to a student's page, as an attribute value."""
    return e("students/" + urllib.parse.quote(page_name(student), safe=""))


def page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}\n"
        "</body>\n</html>\n"
    )


def score_class(score: float, total: float) -> str:
    return "full" if score >= total else "zero" if score <= 0 else "partial"


def student_link(student: str, shown: str | None = None) -> str:
    """A link to ``student``'s page, showing ``shown`` (their name; default: the id)."""
    return f'<a href="{page_link(student)}">{e(shown if shown is not None else student)}</a>'
