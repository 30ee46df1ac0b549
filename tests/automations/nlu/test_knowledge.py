"""BM25 retrieval over knowledge articles and its calibrated threshold."""

from __future__ import annotations

from automations.nlu.knowledge import ArticleText, KnowledgeIndex, split_passages

ARTICLES = [
    ArticleText(
        "Exporting your data",
        "https://x.example/export",
        "en",
        "# Formats\n\nExport projects as CSV or JSON from Settings > Export.\n\n"
        "# Schedules\n\nSchedule a weekly export to Google Drive or S3.",
    ),
    ArticleText(
        "Keyboard shortcuts",
        "https://x.example/shortcuts",
        "en",
        "Press c to create a task and slash to search. Press ? to list all shortcuts.",
    ),
    ArticleText(
        "Exporter vos données",
        "https://x.example/fr/export",
        "fr",
        "Exportez vos projets en CSV ou JSON depuis Paramètres > Exporter.",
    ),
]
NEGATIVES = ["what is the weather tomorrow", "tell me a joke", "how much does it cost"]


def test_passages_follow_headings():
    passages = split_passages("T", "u", "en", ARTICLES[0].body)
    assert [p.text.split(":")[0] for p in passages] == ["Formats", "Schedules"]


def test_best_passage_with_its_link():
    index = KnowledgeIndex(ARTICLES, NEGATIVES)
    hit = index.search("how can I export my projects to CSV?", "en")
    assert hit is not None
    assert hit.url == "https://x.example/export"
    assert "CSV" in hit.passage
    assert hit.score >= hit.threshold
    french = index.search("exporter mes projets en CSV", "fr")
    assert french is not None
    assert french.url == "https://x.example/fr/export"


def test_unrelated_message_finds_nothing():
    index = KnowledgeIndex(ARTICLES, NEGATIVES)
    assert index.search("who painted the Mona Lisa", "en") is None
    assert index.search("", "en") is None
    assert index.search("😀", "en") is None


def test_threshold_depends_on_the_configuration():
    base = KnowledgeIndex(ARTICLES, NEGATIVES)
    strict = KnowledgeIndex(ARTICLES, [*NEGATIVES, "export csv"])
    no_negatives = KnowledgeIndex(ARTICLES, [])
    assert 0 < base.threshold < strict.threshold
    # never above what keeps most articles reachable by their own headings
    assert strict.threshold <= no_negatives.threshold


def test_no_articles_never_matches():
    assert KnowledgeIndex([]).search("export my data") is None
