"""Security headers on every response of the API application, /docs included,
and OpenAPI media types that match what document content is served as."""

from __future__ import annotations

import hashlib
import json
from contextlib import ExitStack
from pathlib import Path

import pytest
from playwright import sync_api as playwright

from tests.api.conftest import Api
from tests.reliability.conftest import start_server

CHROMIUM = Path("/usr/bin/chromium")
HTML = b"<html><body><script>document.title='ran'</script>hello</body></html>"


def assert_secure(response: object, path: str) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    csp = headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp, path
    assert "default-src 'none'" in csp, path
    assert headers.get("X-Frame-Options") == "DENY", path
    assert headers.get("X-Content-Type-Options") == "nosniff", path
    assert headers.get("Referrer-Policy") == "no-referrer", path


def html_version(api: Api) -> str:
    """A document whose version 1 is an HTML page carrying a script."""
    document_id = api.document(api.project())
    uploaded = api.post(
        f"/documents/{document_id}/versions",
        data=HTML,
        headers={"Content-Type": "text/html", "X-Filename": "page.html"},
    )
    assert uploaded.status_code == 201, uploaded.json
    return document_id


def test_every_kind_of_response_carries_the_headers(api: Api) -> None:
    document_id = html_version(api)
    answers = {
        "/healthz": api.client.get("/healthz"),
        "/readyz": api.client.get("/readyz"),
        "/openapi.json": api.client.get("/openapi.json"),
        "/docs": api.client.get("/docs"),
        "/static/swagger-ui/init.js": api.client.get("/static/swagger-ui/init.js"),
        "/metrics": api.client.get("/metrics", headers=api.headers("auditor", None)),
        "unknown URL": api.client.get("/nowhere"),
        "no token": api.get("/projects", role=None),
        "wrong method": api.client.delete("/api/v1/projects"),
        "invalid query": api.get("/projects", query_string={"as_of": "x"}),
        "a read": api.get("/projects"),
        "a write": api.post("/projects", {"code": "HDR-1", "name": "n",
                                          "sponsor": "s", "manager": "m"}),
        "content": api.get(f"/documents/{document_id}/versions/1/content",
                           role="pmo-head"),
    }  # fmt: skip
    for path, response in answers.items():
        response.close()
        assert_secure(response, path)
    assert answers["content"].headers["Content-Type"].startswith("text/html")
    assert "sandbox" in answers["content"].headers["Content-Security-Policy"]
    docs = answers["/docs"].headers["Content-Security-Policy"]
    assert "script-src 'self'" in docs and "unsafe-inline" not in docs


def test_content_media_types_are_documented_as_served(api: Api) -> None:
    document_id = html_version(api)
    served = api.get(f"/documents/{document_id}/versions/1/content", role="pmo-head")
    spec = api.client.get("/openapi.json").json["paths"]
    for path in (
        "/api/v1/documents/{document_id}/versions/{number}/content",
        "/api/v1/documents/{document_id}/content",
    ):
        documented = spec[path]["get"]["responses"]["200"]["content"]
        assert "*/*" in documented, path
    assert served.headers["Content-Type"].startswith("text/html")
    assert served.get_data() == HTML
    assert served.headers["ETag"] == f'"{hashlib.sha256(HTML).hexdigest()}"'


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")
def test_swagger_ui_works_under_its_csp_and_refuses_framing(tmp_path: Path) -> None:
    with ExitStack() as stack:
        server = start_server(stack, "sqlite", tmp_path)
        base = f"http://127.0.0.1:{server.port}"
        with playwright.sync_playwright() as driver:
            browser = driver.chromium.launch(
                executable_path=str(CHROMIUM), args=["--no-sandbox"]
            )
            try:
                page = browser.new_page()
                violations: list[str] = []
                page.on(
                    "console",
                    lambda m: (
                        violations.append(m.text)
                        if "Content Security Policy" in m.text
                        else None
                    ),
                )
                page.goto(base + "/docs")
                # Every tag is listed (folded: the API is long); one opens on click.
                spec = json.loads(page.request.get(base + "/openapi.json").text())
                tags = page.locator(".opblock-tag")
                tags.nth(len(spec["tags"]) - 1).wait_for(timeout=30_000)
                assert tags.count() == len(spec["tags"])
                page.click("#operations-tag-risks")
                risk_operations = page.locator("#operations-tag-risks ~ div .opblock")
                risk_operations.nth(5).wait_for(timeout=30_000)
                assert violations == [], violations
                # A page of another origin cannot show /docs in a frame.
                framing = browser.new_page()
                framing.set_content(f'<iframe src="{base}/docs"></iframe>')
                framing.wait_for_timeout(1000)
                frame = framing.frames[-1]
                assert frame.url != base + "/docs"  # Chromium shows its error page
                assert frame.locator("#swagger-ui").count() == 0
            finally:
                browser.close()
