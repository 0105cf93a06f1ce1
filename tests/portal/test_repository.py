"""The tree holds no unresolved merge: a conflict marker left in a stylesheet silently drops the
rules around it."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MARKER = re.compile(r"^(<{7} |={7}$|>{7} )", re.MULTILINE)
TEXT = (".py", ".html", ".txt", ".css", ".js", ".md", ".toml", ".yml", ".json", ".cfg")


def test_no_file_holds_a_merge_conflict_marker():
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert tracked, "git ls-files listed nothing"
    marked = [
        name
        for name in tracked
        if name.endswith(TEXT)
        and not name.startswith("portal/static/vendor/")
        and MARKER.search((ROOT / name).read_text(errors="replace"))
    ]
    assert marked == []
