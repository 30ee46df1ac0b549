"""Knowledge articles: ``<config>/knowledge/*.md``, each with ``title`` and ``url`` front matter.

When no intent matches, the NLU layer offers the best passage of these articles with its link.
Front matter is a YAML block between two ``---`` lines at the top of the file::

    ---
    title: Exporting your data
    url: https://demo.example/help/export
    language: en        # optional; default: the hub's default language
    ---
    Markdown body...
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, HttpUrl

from config.errors import ConfigError, Problem
from config.hub import HubFile
from config.source import SourceFile, parse_yaml
from config.validation import StrictModel, validate_source

KNOWLEDGE_DIR = "knowledge"


class ArticleMeta(StrictModel):
    title: str = Field(min_length=1, max_length=200)
    url: HttpUrl
    language: str | None = None


class KnowledgeArticle(StrictModel):
    """One validated article; ``body`` is the Markdown after the front matter."""

    path: str
    title: str
    url: str
    language: str
    body: str


def _split_front_matter(text: str) -> tuple[str, str, int] | None:
    """Return (front matter, body, line where the body starts) or None when there is none."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 2
    return None


def parse_article(
    text: str, display: str, hub: HubFile
) -> tuple[KnowledgeArticle | None, list[Problem]]:
    """Parse one article's text; every problem names the file and line."""
    split = _split_front_matter(text)
    if split is None:
        return None, [
            Problem(display, 1, "needs front matter with 'title' and 'url' between '---' lines")
        ]
    front, body, _ = split
    try:
        # front matter starts on line 2: shift line numbers by parsing with a leading newline
        source: SourceFile = parse_yaml("\n" + front, display)
    except ConfigError as exc:
        return None, list(exc.problems)
    meta, problems = validate_source(ArticleMeta, source)
    if meta is None:
        return None, problems
    language = meta.language or hub.default_language
    if language not in hub.languages:
        return None, [
            source.problem(
                ("language",), f"language '{language}' is not in languages {list(hub.languages)}"
            )
        ]
    if not body.strip():
        return None, [Problem(display, 1, "article has no text after its front matter")]
    article = KnowledgeArticle(
        path=display, title=meta.title, url=str(meta.url), language=language, body=body
    )
    return article, []


def load_knowledge(
    directory: Path, display_root: str, hub: HubFile
) -> tuple[tuple[KnowledgeArticle, ...], list[Problem]]:
    """Load every ``knowledge/*.md`` under a config directory (none is fine)."""
    folder = directory / KNOWLEDGE_DIR
    if not folder.is_dir():
        return (), []
    articles: list[KnowledgeArticle] = []
    problems: list[Problem] = []
    urls: dict[str, str] = {}
    for path in sorted(folder.glob("*.md")):
        display = f"{display_root}/{KNOWLEDGE_DIR}/{path.name}"
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(display, 1, f"cannot read file: {exc}"))
            continue
        article, errors = parse_article(text, display, hub)
        problems += errors
        if article is None:
            continue
        if article.url in urls:
            problems.append(
                Problem(
                    display, 1, f"url {article.url} is also used by {urls[article.url]}", "warning"
                )
            )
        urls.setdefault(article.url, display)
        articles.append(article)
    return tuple(articles), problems
