"""Search for the inbox's ``/`` command: shortcuts first, then fuzzy titles, tags, names."""

from __future__ import annotations

from snippets import SnippetLibrary, find
from tests.snippets.conftest import snippets_file


def names(library: SnippetLibrary, query: str) -> list[str]:
    return [hit.name for hit in library.find(query)]


def test_an_empty_query_lists_every_snippet_in_file_order(demo_library: SnippetLibrary) -> None:
    assert names(demo_library, "") == ["greeting", "ticket-received", "ack-refund", "closing"]
    assert names(demo_library, "/") == names(demo_library, "")
    assert [hit.command for hit in demo_library.find("/")] == [
        "hi",
        "ack",
        "ack-refund",  # no shortcut: the name is the command
        "closing",
    ]


def test_shortcut_prefix_matches_come_first_exact_before_longer(
    demo_library: SnippetLibrary,
) -> None:
    hits = demo_library.find("/ack")
    assert [(h.name, h.matched) for h in hits[:2]] == [
        ("ticket-received", "shortcut"),  # /ack exactly
        ("ack-refund", "shortcut"),  # /ack-refund starts with it
    ]
    assert names(demo_library, "/ACK-r") == ["ack-refund"]
    assert names(demo_library, "h")[0] == "greeting"


def test_titles_tags_and_names_match_loosely(demo_library: SnippetLibrary) -> None:
    typo = demo_library.find("closng")
    assert [(h.name, h.matched) for h in typo] == [("closing", "name")]
    assert 70 <= typo[0].score < 100
    # equal scores keep file order
    assert [(h.name, h.matched) for h in demo_library.find("acknowledgement")] == [
        ("ticket-received", "title"),
        ("ack-refund", "title"),
    ]
    assert [(h.name, h.matched) for h in demo_library.find("goodbye")] == [("closing", "tag")]
    assert [(h.name, h.matched) for h in demo_library.find("/refund")] == [("ack-refund", "title")]


def test_shortcut_hits_come_before_fuzzy_hits_however_good() -> None:
    snippets = snippets_file(
        "snippets:\n"
        "  - {name: refund-policy, shortcut: rp, title: Refund policy, text: {en: a}}\n"
        "  - {name: referral, shortcut: refer, title: Invite a friend, text: {en: b}}\n"
    ).snippets
    hits = find(snippets, "/ref")
    assert [(h.name, h.matched) for h in hits] == [
        ("referral", "shortcut"),
        ("refund-policy", "title"),
    ]
    assert hits[1].score >= 90  # a close fuzzy match still comes second


def test_unrelated_queries_find_nothing(demo_library: SnippetLibrary) -> None:
    assert demo_library.find("xylophone") == ()
    assert demo_library.find("zzz") == ()


def test_limit() -> None:
    snippets = snippets_file().snippets
    assert len(find(snippets, "", limit=2)) == 2
    assert find(snippets, "", limit=0) == ()
