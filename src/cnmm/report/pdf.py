"""PDF from the HTML report, printed by headless Chromium through Playwright (extra `pdf`).

Needs `pip install 'cnmm[pdf]'` (Playwright) and a Chromium on the machine: the Debian
package `chromium` (/usr/bin/chromium), or the one named by CNMM_CHROMIUM. cnmm never
downloads a browser. The page is loaded with `set_content`, so Chromium reads nothing but the
report itself.
"""

from __future__ import annotations

import os
import shutil

CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


class PdfUnavailable(RuntimeError):
    """Playwright or Chromium is missing; the message says how to install them."""


def chromium_path() -> str | None:
    """The Chromium to use: $CNMM_CHROMIUM, else `chromium` / `chromium-browser` on PATH."""
    configured = os.environ.get("CNMM_CHROMIUM")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def html_to_pdf(html: str) -> bytes:
    """Print an HTML page to an A4 PDF; PdfUnavailable when Playwright or Chromium is missing."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise PdfUnavailable(
            "PDF output needs the `pdf` extra: python -m pip install 'cnmm[pdf]'"
        ) from exc
    executable = chromium_path()
    if executable is None:
        raise PdfUnavailable(
            "PDF output needs Chromium: install it (Debian/Ubuntu: apt-get install chromium) "
            "or set CNMM_CHROMIUM to its path; cnmm does not download browsers"
        )
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
            try:
                page = browser.new_page()
                page.set_content(html, wait_until="load")
                page.emulate_media(media="print")
                return page.pdf(
                    format="A4",
                    print_background=True,
                    margin={"top": "14mm", "bottom": "14mm", "left": "12mm", "right": "12mm"},
                )
            finally:
                browser.close()
    except PlaywrightError as exc:
        raise PdfUnavailable(f"Chromium could not print the report: {exc}") from exc
