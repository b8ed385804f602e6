"""The README is a front door and docs/ holds the long story: links work, numbers cannot drift."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from recommender.evaluation.report import format_page, parse_evaluation
from tests.doc_links import anchors, broken_links, slug

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
MAX_README_LINES = 300


def _markdown_files() -> list[Path]:
    return [README, *sorted(DOCS.rglob("*.md"))]


def test_every_relative_link_and_anchor_in_the_readme_and_docs_resolves():
    broken = broken_links(_markdown_files())
    assert not broken, "\n".join(map(str, broken))


def test_the_link_check_finds_a_missing_file_a_missing_heading_and_skips_code(tmp_path):
    (tmp_path / "other.md").write_text("# Other page\n\n## A section: with `code`\n")
    page = tmp_path / "page.md"
    page.write_text(
        "# Page\n\n"
        "[fine](other.md#a-section-with-code) [self](#page) [web](https://example.org/x)\n"
        "[gone](missing.md) ![img](pic.png)\n"
        "[bad anchor](other.md#no-such-section) [bad self](#nowhere)\n"
        "`[in code](missing-too.md)`\n"
        "```\n[fenced](missing-three.md)\n```\n"
    )
    found = {(b.line, b.target, b.why) for b in broken_links([page])}
    assert found == {
        (4, "missing.md", "no such file"),
        (4, "pic.png", "no such file"),
        (5, "other.md#no-such-section", "no such heading"),
        (5, "#nowhere", "no such heading"),
    }


def test_a_deliberately_broken_link_in_a_copy_of_the_readme_is_reported(tmp_path):
    copy = tmp_path / "README.md"
    text = README.read_text(encoding="utf-8")
    assert "(docs/data.md)" in text
    copy.write_text(text.replace("(docs/data.md)", "(docs/no-such-page.md)", 1))
    (tmp_path / "docs").symlink_to(DOCS)
    broken = broken_links([copy])
    assert [b.target for b in broken] == ["docs/no-such-page.md"]


def test_heading_slugs_follow_github():
    assert slug("Cost model: query time and memory against catalog size") == (
        "cost-model-query-time-and-memory-against-catalog-size"
    )
    assert slug("Resolving a listener's tracks") == "resolving-a-listeners-tracks"
    assert slug("Markup and input paths (`tests/browser/test_e2e_markup.py`)") == (
        "markup-and-input-paths-testsbrowsertest_e2e_markuppy"
    )
    assert anchors("# A\n## A\n```\n# not a heading\n```\n") == {"a", "a-1"}


def test_the_readme_is_a_front_door():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_README_LINES
    # The two commands, verbatim: .ci/run calls the second.
    assert (
        "pip install -r requirements.txt && streamlit run streamlit_app.py "
        "--server.address 127.0.0.1"
    ) in text
    assert "\nbash scripts/test.sh\n" in text
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for heading in ("Quick start", "Configuration", "Spotify setup"):
        assert f"\n## {heading}\n" in text
    for page in ("data", "engine", "evaluation", "benchmarks", "reliability", "deploy"):
        assert f"(docs/{page}.md)" in text, page
    assert "(docs/development.md)" in text


def test_every_setting_the_app_reads_is_in_the_readmes_configuration_table():
    settings = (ROOT / "recommender" / "settings.py").read_text(encoding="utf-8")
    pattern = r'"((?:RECOMMENDER|SPOTIPY|SPOTIFY|RECCOBEATS|AUDIO)_[A-Z_]+)"'
    names = set(re.findall(pattern, settings))
    assert len(names) >= 10
    table = README.read_text(encoding="utf-8").split("## Configuration", 1)[1].split("\n## ", 1)[0]
    assert not {name for name in names if f"`{name}`" not in table}


def _recorded_page() -> str:
    return format_page(parse_evaluation((DOCS / "evaluation.json").read_text(encoding="utf-8")))


def test_the_evaluation_page_is_generated_from_the_recorded_json():
    committed = (DOCS / "evaluation.md").read_text(encoding="utf-8")
    assert committed == _recorded_page(), (
        "docs/evaluation.md differs from docs/evaluation.json; regenerate it with "
        "python -m recommender evaluate --from-json docs/evaluation.json --page docs/evaluation.md"
    )


def test_the_generated_page_changes_when_the_json_does():
    text = (DOCS / "evaluation.json").read_text(encoding="utf-8")
    first = re.search(r'"mean": (0\.\d+)', text)
    assert first
    changed = text.replace(first.group(0), '"mean": 0.987654', 1)
    assert format_page(parse_evaluation(changed)) != _recorded_page()


def test_the_evaluate_command_writes_the_same_page(tmp_path):
    page = tmp_path / "evaluation.md"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "recommender",
            "evaluate",
            "--from-json",
            str(DOCS / "evaluation.json"),
            "--page",
            str(page),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert page.read_text(encoding="utf-8") == _recorded_page()


def test_the_evaluate_command_names_a_file_that_is_not_a_recorded_result(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"systems": []}', encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "recommender", "evaluate", "--from-json", str(bad)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert str(bad) in done.stderr
    assert "protocol" in done.stderr


_FIGURE = re.compile(r"(?<![\w.])[+-]?\d[\d,]*\.\d+|\d+/\d+")


def _reading_figures() -> list[str]:
    method = (DOCS / "evaluation-method.md").read_text(encoding="utf-8")
    reading = method.split("## Reading the recorded result", 1)[1].split("\n## ", 1)[0]
    return _FIGURE.findall(reading)


def test_every_figure_the_evaluation_reading_quotes_is_on_the_generated_page():
    figures = _reading_figures()
    assert len(figures) >= 15
    page = _recorded_page()
    missing = [figure for figure in figures if figure not in page]
    assert not missing, f"quoted in docs/evaluation-method.md but not on evaluation.md: {missing}"


@pytest.mark.parametrize(
    "comment_owner",
    ["recommender/engine/features.py", "recommender/engine/recommend.py"],
)
def test_long_measurement_comments_point_to_decision_records(comment_owner):
    text = (ROOT / comment_owner).read_text(encoding="utf-8")
    records = re.findall(r"docs/decisions/(\d{4}-[a-z-]+\.md)", text)
    assert records
    for record in records:
        assert (DOCS / "decisions" / record).is_file(), record
    # No measurement log left in the comments: figures belong to the records.
    comments = "\n".join(line for line in text.splitlines() if line.lstrip().startswith("#"))
    assert not re.search(r"recall@50|\d+\.\d+ points", comments)
