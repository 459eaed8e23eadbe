"""The UI through Flask's test client, on each backend: sessions, CSRF, escaping."""

from __future__ import annotations

import io
import zipfile
from uuid import UUID
from xml.sax.saxutils import escape

from service.domain.base import Meta
from tests.ui.conftest import CSRF, Ui
from tests.values import risk_values

HEAD = Meta("olivia", "pmo-head", "test")
NASTY = "<script>alert(\"x\")</script> & 'quoted'"


def test_pages_need_a_session(ui: Ui) -> None:
    response = ui.client.get("/ui/audit")
    assert response.status_code == 302
    assert response.headers["Location"] == "/ui/login?next=/audit"
    back = ui.client.post(
        "/ui/login",
        data={
            "token": ui.issued["auditor"].secret,
            "csrf_token": ui.csrf(),
            "next": "/audit",
        },
    )
    assert back.headers["Location"] == "/ui/audit"
    elsewhere = ui.client.post(
        "/ui/login",
        data={
            "token": ui.issued["auditor"].secret,
            "csrf_token": ui.csrf(),
            "next": "//evil.example/",
        },
    )
    assert elsewhere.headers["Location"] == "/ui/"


def test_bad_token_is_refused_and_gives_no_session(ui: Ui) -> None:
    response = ui.client.post(
        "/ui/login", data={"token": "pmo_not-a-token", "csrf_token": ui.csrf()}
    )
    assert response.status_code == 401
    assert "That token is not valid." in response.text
    assert ui.client.get("/ui/").status_code == 302


def test_sign_in_sets_a_strict_http_only_cookie_then_sign_out(ui: Ui) -> None:
    response = ui.sign_in("auditor")
    assert response.status_code == 302 and response.headers["Location"] == "/ui/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/ui" in cookie
    assert "Secure" not in cookie  # plain HTTP here; HTTPS marks it Secure
    assert ui.issued["auditor"].secret not in cookie
    page = ui.client.get("/ui/")
    assert page.status_code == 200 and "auditor-user" in page.text
    out = ui.client.post("/ui/logout", data={"csrf_token": ui.csrf("/ui/")})
    assert out.status_code == 302 and out.headers["Location"] == "/ui/login"
    assert ui.client.get("/ui/").status_code == 302


def test_cookie_is_secure_over_https(ui: Ui) -> None:
    https = "https://localhost"
    login = ui.client.get("/ui/login", base_url=https)
    assert "; Secure" in login.headers["Set-Cookie"]
    token = CSRF.search(login.text).group(1)  # type: ignore[union-attr]
    signed_in = ui.client.post(
        "/ui/login",
        base_url=https,
        data={"token": ui.issued["auditor"].secret, "csrf_token": token},
    )
    assert signed_in.status_code == 302
    assert "; Secure" in signed_in.headers["Set-Cookie"]


def test_posts_without_the_csrf_token_are_refused(ui: Ui) -> None:
    ui.client.get("/ui/login")
    refused = ui.client.post("/ui/login", data={"token": ui.issued["pmo-head"].secret})
    assert refused.status_code == 403
    assert "form has expired" in refused.text
    ui.sign_in("pmo-head")
    wrong = ui.client.post("/ui/logout", data={"csrf_token": "forged"})
    assert wrong.status_code == 403
    assert ui.client.get("/ui/").status_code == 200  # still signed in


def test_a_revoked_token_ends_the_session(ui: Ui) -> None:
    ui.sign_in("custodian")
    assert ui.client.get("/ui/").status_code == 200
    ui.services.app.revoke_token(ui.issued["custodian"].token_id, HEAD)
    response = ui.client.get("/ui/audit")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/ui/login")
    page = ui.client.get(response.headers["Location"])
    assert "Your session has ended" in page.text


def test_security_headers_on_every_page(ui: Ui) -> None:
    ui.sign_in()
    for path in ("/ui/login", "/ui/", "/ui/audit", "/ui/integrity", "/ui/nowhere"):
        headers = ui.client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"


def test_markup_in_values_is_shown_as_text_everywhere(ui: Ui) -> None:
    app = ui.services.app
    project = app.register_project("XSS", NASTY, NASTY, NASTY, NASTY, HEAD).id
    app.report_project_status(
        project,
        *_period(),
        dict.fromkeys(("time", "cost", "scope", "quality", "benefits", "risk"), "red"),
        NASTY, NASTY, NASTY, "within tolerance", NASTY, HEAD,
    )  # fmt: skip
    risk = app.perform(
        "identify_risk",
        project,
        {
            "title": NASTY,
            "cause": NASTY,
            "event": NASTY,
            "effect": NASTY,
            "category": "cost",
            "kind": "threat",
            "owner": NASTY,
            "proximity": "imminent",
            "probability": 5,
            "impact": 5,
        },
        Meta(NASTY, "pmo-head", NASTY),
    ).id
    ui.caught_up()
    ui.sign_in()
    pages = [
        "/ui/",
        f"/ui/projects/{project}",
        f"/ui/projects/{project}/risks",
        f"/ui/projects/{project}/highlight",
        f"/ui/risks/{risk}",
        f"/ui/audit?project={project}",
    ]
    for path in pages:
        text = ui.client.get(path).text
        assert "<script>" not in text, path
        assert "&lt;script&gt;alert(" in text, path
    assert "&#34;x&#34;" in ui.client.get(f"/ui/risks/{risk}").text


def test_heat_map_cells_count_open_risks_and_link_to_them(ui: Ui) -> None:
    app = ui.services.app
    project = app.register_project("HEAT", "Heat", "", "S", "M", HEAD).id
    ids = [_risk(ui, project, p, i) for p, i in ((5, 5), (5, 5), (2, 3))]
    app.perform(
        "assess_risk",
        ids[0],
        {
            "inherent_probability": 5,
            "inherent_impact": 5,
            "residual_probability": 1,
            "residual_impact": 2,
        },
        HEAD,
    )
    app.perform("close_risk", ids[2], {}, HEAD)
    ui.caught_up()
    ui.sign_in()
    text = ui.client.get(f"/ui/projects/{project}").text
    inherent, residual = text.split('id="heat-residual"')
    assert 'data-cell="5-5" data-count="2"' in inherent
    assert 'data-cell="2-3" data-count="0"' in inherent  # closed: not counted
    assert 'data-cell="5-5" data-count="1"' in residual
    assert 'data-cell="1-2" data-count="1"' in residual
    listed = ui.client.get(
        f"/ui/projects/{project}/risks?status=open"
        "&residual_probability=1&residual_impact=2"
    ).text
    assert listed.count('data-status="open"') == 1 and str(ids[0]) in listed
    # The project's code, in any case, names it in a page's path as its id does.
    by_code = ui.client.get(
        "/ui/projects/heat/risks?status=open&residual_probability=1&residual_impact=2"
    ).text
    assert by_code.count('data-status="open"') == 1 and str(ids[0]) in by_code


def _risk(ui: Ui, project: UUID, probability: int, impact: int) -> UUID:
    return ui.services.app.perform(
        "identify_risk",
        project,
        {
            "title": "R",
            "cause": "c",
            "event": "e",
            "effect": "f",
            "category": "cost",
            "kind": "threat",
            "owner": "O",
            "proximity": "imminent",
            "probability": probability,
            "impact": impact,
        },
        HEAD,
    ).id


def _period() -> tuple[object, object]:
    from datetime import date

    return date(2026, 9, 1), date(2026, 9, 7)


def test_register_exports_are_streamed_whole_and_recorded(ui: Ui) -> None:
    app = ui.services.app
    project = app.register_project("EXP", "Export", "", "S", "M", HEAD).id
    titles = [f"risk {n} <&>" for n in range(3)]
    for title in titles:
        app.perform(
            "identify_risk",
            project,
            risk_values(title=title),
            HEAD,
        )
    ui.caught_up()
    ui.sign_in()
    head = app.head_position()
    csv = ui.client.get(f"/ui/projects/{project}/risks.csv")
    assert csv.status_code == 200
    assert all(title in csv.text for title in titles)
    xlsx = ui.client.get(f"/ui/projects/{project}/risks.xlsx")
    assert xlsx.status_code == 200
    disposition = xlsx.headers["Content-Disposition"]
    assert disposition == 'attachment; filename="EXP-risks.xlsx"'
    with zipfile.ZipFile(io.BytesIO(xlsx.data)) as book:
        assert book.testzip() is None
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert sheet.count("<row ") == 1 + len(titles)
    assert all(escape(title) in sheet for title in titles)
    # Each download was recorded as an export event before it was handed over.
    assert app.head_position() == head + 2
    assert ui.client.get(f"/ui/projects/{project}/risks.pdf").status_code == 404
    assert app.head_position() == head + 2
