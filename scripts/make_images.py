"""Draw the share image and the icon set from static/img/favicon.svg, once; the PNGs are committed.

    .venv/bin/python scripts/make_images.py

Headless Chromium (Playwright, as the browser tests use) renders each picture, so no image
library is needed. Run it again after changing the mark or the business name.
"""

import struct
from pathlib import Path

from playwright.sync_api import sync_playwright

IMG = Path(__file__).resolve().parent.parent / "static" / "img"
CHROMIUM = "/usr/bin/chromium"
# The site's colours (static/css/site.css): warm low-glare page, sage band, deep green text.
PAGE, TINT, HEADING, MUTED, ACCENT = "#f6f4ef", "#e8efe9", "#1f3b36", "#4f5a61", "#2f6b62"

SHARE = f"""<!doctype html><html><head><style>
html, body {{ margin: 0; width: 1200px; height: 630px; background: {PAGE}; font-family: "DejaVu Sans", sans-serif; }}
.card {{ box-sizing: border-box; height: 630px; padding: 90px 96px; display: flex; align-items: center; gap: 72px;
        border-bottom: 36px solid {TINT}; }}
.mark {{ width: 240px; height: 240px; flex: none; }}
.name {{ font-family: "DejaVu Serif", serif; font-size: 76px; color: {HEADING}; margin: 0 0 24px; }}
.what {{ font-size: 42px; color: {ACCENT}; margin: 0 0 28px; line-height: 1.25; }}
.where {{ font-size: 30px; color: {MUTED}; margin: 0; }}
</style></head><body><div class="card">
<img class="mark" src="data:image/svg+xml;utf8,{{svg}}" alt="">
<div><p class="name">Posture Massage</p><p class="what">Craniosacral therapy<br>for migraines</p>
<p class="where">With Julie in Connecticut · Book online</p></div>
</div></body></html>"""

# Square icons: the mark on the page colour, full bleed, since home screens fill transparency with black.
ICON = f"""<!doctype html><html><head><style>
html, body {{ margin: 0; background: {PAGE}; }}
img {{ display: block; width: 80vw; height: 80vw; margin: 10vw; }}
</style></head><body><img src="data:image/svg+xml;utf8,{{svg}}" alt=""></body></html>"""

# Browser-tab icons: the mark alone, transparent around it.
TAB = """<!doctype html><html><head><style>
html, body { margin: 0; background: transparent; }
img { display: block; width: 100vw; height: 100vw; }
</style></head><body><img src="data:image/svg+xml;utf8,{svg}" alt=""></body></html>"""


def render(browser, html, size, *, transparent=False):
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.set_content(html)
    png = page.screenshot(omit_background=transparent)
    page.close()
    return png


def ico(pngs):
    """An .ico holding PNG images (read by every browser since 2009), one per size."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = len(header) + 16 * len(pngs)
    entries, data = b"", b""
    for size, png in pngs:
        entries += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(png), offset + len(data))
        data += png
    return header + entries + data


def main():
    svg = (IMG / "favicon.svg").read_text().replace("#", "%23").replace('"', "'")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        (IMG / "share.png").write_bytes(render(browser, SHARE.replace("{svg}", svg), (1200, 630)))
        for name, size in [("apple-touch-icon.png", 180), ("icon-192.png", 192), ("icon-512.png", 512)]:
            (IMG / name).write_bytes(render(browser, ICON.replace("{svg}", svg), (size, size)))
        tabs = {
            size: render(browser, TAB.replace("{svg}", svg), (size, size), transparent=True) for size in (16, 32, 48)
        }
        (IMG / "favicon-32.png").write_bytes(tabs[32])
        (IMG / "favicon.ico").write_bytes(ico(sorted(tabs.items())))
        browser.close()


if __name__ == "__main__":
    main()
