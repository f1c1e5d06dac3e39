#!/usr/bin/env python3
"""report-digest.py FILE.html - a plain-text digest of a feedbench report.

Prints what a reader sees, in document order: headings, cards, every table
row (cells joined by " | "), every SVG chart (its class, data attributes,
label, and the texts drawn in it), list items and paragraphs of class
"note".  The data test compares it with an expected file; the headless
Chromium test compares the digest of the browser's DOM with the digest of
the file, so that the page the browser built holds exactly what was written.

Also checks, and reports on the last lines, that the page is self-contained:
no script, no style or link element pointing elsewhere, no element with a
src attribute, no href that leaves the page, no url() in styles.
"""
import sys
from html.parser import HTMLParser

VOID = {"meta", "br", "link", "img", "input", "hr", "rect", "line", "col"}


class Digest(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []
        self.stack = []      # open elements: (tag, attrs)
        self.text = None     # collecting text for the current block
        self.row = None      # cells of the current table row
        self.cell = None
        self.svg = None      # texts of the current svg
        self.svg_text = None
        self.problems = []
        self.elements = {}

    def count(self, tag):
        self.elements[tag] = self.elements.get(tag, 0) + 1

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.count(tag)
        if tag == "script":
            self.problems.append("script element")
        if "src" in a:
            self.problems.append("%s with src" % tag)
        if tag == "link":
            self.problems.append("link element")
        if "href" in a and not (a["href"] or "").startswith("#"):
            self.problems.append("href leaving the page: %s" % a["href"])
        for k in a:
            if k.startswith("on"):
                self.problems.append("event handler attribute %s" % k)
        if "style" in a and "url(" in (a["style"] or ""):
            self.problems.append("url() in a style attribute")
        if tag in VOID:
            if tag == "br" and self.cell is not None:
                self.cell.append(" ")
            if tag == "rect" and self.svg is not None:
                self.svg_rects += 1
            return
        self.stack.append((tag, a))
        if tag in ("h1", "h2", "h3", "h4", "figcaption", "summary", "li", "dt", "dd") or (
                tag == "p" and "note" in (a.get("class") or "").split()):
            self.text = []
        elif tag == "div" and "card" in (a.get("class") or "").split():
            self.text = ["card %s:" % a.get("id", "")]
        elif tag == "table":
            self.out.append("table %s%s" % (a.get("id", ""), (" ." + a["class"]) if "class" in a else ""))
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.cell = []
        elif tag == "svg":
            data = " ".join("%s=%s" % (k, v) for k, v in attrs if k.startswith("data-"))
            self.svg = ["svg .%s%s \"%s\":" % (a.get("class", ""), (" " + data) if data else "",
                                               a.get("aria-label", ""))]
            self.svg_rects = 0
        elif tag == "text" and self.svg is not None:
            self.svg_text = []

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        while self.stack and self.stack[-1][0] != tag:
            self.stack.pop()
        if self.stack:
            self.stack.pop()
        if tag == "style":
            pass
        if self.text is not None and tag in ("h1", "h2", "h3", "h4", "figcaption", "summary",
                                             "li", "dt", "dd", "p", "div"):
            words = " ".join(" ".join(self.text).split())
            prefix = {"h1": "# ", "h2": "## ", "h3": "### ", "h4": "#### ", "li": "  - ",
                      "dt": "dt ", "dd": "dd ", "figcaption": "caption ", "summary": "details ",
                      "p": "note ", "div": ""}[tag]
            if tag != "dd":  # the definitions are prose: their terms are enough
                self.out.append(prefix + words)
            self.text = None
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append(" ".join(" ".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.out.append("  " + " | ".join(self.row))
            self.row = None
        elif tag == "text" and self.svg_text is not None:
            t = " ".join(" ".join(self.svg_text).split())
            if t:
                self.svg.append(t)
            self.svg_text = None
        elif tag == "svg" and self.svg is not None:
            self.out.append(" ".join(self.svg) + " [%d rects]" % self.svg_rects)
            self.svg = None

    def handle_data(self, data):
        if self.stack and self.stack[-1][0] in ("style", "title") and self.svg is None:
            if self.stack[-1][0] == "style" and ("url(" in data or "@import" in data):
                self.problems.append("url() or @import in the style sheet")
            return
        if self.svg_text is not None:
            self.svg_text.append(data)
        elif self.cell is not None:
            self.cell.append(data)
        elif self.text is not None:
            self.text.append(data)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        page = f.read()
    d = Digest()
    d.feed(page)
    d.close()
    for line in d.out:
        print(line)
    print("elements: %s" % ", ".join("%s %d" % (k, v) for k, v in sorted(d.elements.items())
                                     if k in ("svg", "rect", "text", "table", "tr", "script", "img")))
    if "http:" in page or "https:" in page:
        d.problems.append("an http(s) address in the page")
    print("self-contained: %s" % ("yes" if not d.problems else "NO: " + "; ".join(sorted(set(d.problems)))))


main()
