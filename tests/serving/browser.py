"""Headless Chromium for the page tests: what renders (text boxes, page height), a screenshot.

A copy of the page gets one measuring script appended (the page itself has none); Chromium
runs it and `--dump-dom` returns its JSON, so tests assert on laid-out boxes, not markup.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", "--window-size=1000,1400"]

MEASURE = """<script>
const box = e => { const r = e.getBoundingClientRect();
  return {x: r.left, y: r.top, w: r.width, h: r.height}; };
const out = {height: document.documentElement.scrollHeight, sections: {}};
for (const sec of document.querySelectorAll('__SELECTOR__')) {
  const svg = sec.querySelector('svg');
  out.sections[sec.id] = {
    box: box(sec), svg: svg ? box(svg) : null,
    zero: sec.querySelectorAll('svg line.zero').length,
    texts: [...sec.querySelectorAll('svg text')].map(t => ({
      cls: t.getAttribute('class') || '', text: t.textContent, ...box(t)})),
  };
}
out.first_h2 = (document.querySelector('h2') || {}).textContent || '';
out.details = document.querySelectorAll('details').length;
out.open = document.querySelectorAll('details[open]').length;
document.body.insertAdjacentHTML('beforeend',
  '<pre id="meas' + 'ured">' + JSON.stringify(out).replace(/</g, '\\\\u003c') + '</pre>');
</script>"""


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    reason = "chromium not installed (apt-get install -y chromium)"
    if os.environ.get("REQUIRE_CHROMIUM") == "1":
        pytest.fail(f"REQUIRE_CHROMIUM=1 but {reason}")
    pytest.skip(reason)


def _run(args: list[str], profile: Path) -> str:
    run = subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", *args],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout


def measure(page: Path, work: Path, selector: str) -> dict:
    """Page height, and the laid-out boxes of the elements matching `selector` (keyed by id):
    the section, its SVG, its zero lines and every SVG text with its class."""
    copy = work / f"measured-{page.name}"
    script = MEASURE.replace("__SELECTOR__", selector)
    copy.write_text(page.read_text(encoding="utf-8").replace("</body>", script + "</body>"),
                    encoding="utf-8")
    dom = _run(["--virtual-time-budget=5000", "--dump-dom", copy.as_uri()], work / "profile")
    found = re.search(r'<pre id="measured">(.*?)</pre>', dom, re.S)
    assert found, dom[-2000:]
    return json.loads(html.unescape(found.group(1)))


def screenshot(page: Path, out: Path, work: Path, height: int = 1400) -> tuple[int, int]:
    """A PNG of the page's top `height` px; returns its width and height from the header."""
    _run([f"--window-size=1000,{height}", f"--screenshot={out}", page.as_uri()],
         work / "profile-shot")
    head = out.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def overlapping(texts: list[dict]) -> list[tuple[str, str]]:
    """Pairs of rendered labels whose boxes intersect (by more than half a pixel)."""
    pairs = []
    for i, a in enumerate(texts):
        for b in texts[i + 1:]:
            if (a["x"] + 0.5 < b["x"] + b["w"] and b["x"] + 0.5 < a["x"] + a["w"]
                    and a["y"] + 0.5 < b["y"] + b["h"] and b["y"] + 0.5 < a["y"] + a["h"]):
                pairs.append((a["text"], b["text"]))
    return pairs
