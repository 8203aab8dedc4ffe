"""A response value the handler writes out, and the publishers' error bodies."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html import escape


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


def json_response(status: int, payload: object) -> Response:
    body = json.dumps(payload, separators=(",", ":")).encode()
    return Response(status, body, "application/json")


def html_page(status: int, title: str, message: str) -> Response:
    """An error page shaped like a publisher's web site would serve (not machine-readable)."""
    body = (f"<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">"
            f"<title>{escape(title)}</title></head>\n<body>\n<h1>{escape(title)}</h1>\n"
            f"<p>{escape(message)}</p>\n</body>\n</html>\n")
    return Response(status, body.encode(), "text/html")


def not_found(path: str) -> Response:
    return html_page(404, "Page Not Found", f"The requested URL {path} was not found.")
