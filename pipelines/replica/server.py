"""The HTTP side: a threading server, fault injection, request log and control endpoints."""

from __future__ import annotations

import base64
import json
import re
import socket
import struct
import threading
import time
from dataclasses import asdict, dataclass
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from .faults import Fault, FaultBook
from .fred_api import MSG_429, error_response
from .responses import Response, html_page, json_response
from .site import Site

CONTROL = "/_replica/"
KEY_IN_QUERY = re.compile(r"(^|&)(api_key=)[^&]*")


@dataclass(frozen=True)
class RequestRecord:
    """One request as the replica saw it; the API key never appears here."""

    method: str
    path: str
    query: str
    status: int  # 0 when the connection was reset without a response
    bytes_sent: int
    time: float  # epoch seconds when the request arrived
    fault: str | None = None


def redact_query(query: str) -> str:
    return KEY_IN_QUERY.sub(r"\1\2REDACTED", query)


# Rows dated long before any window a refresh asks for (the attacks of issue 14).
OLD_FRED_ROW = ("2010-01-01,7.5",)
OLD_JGB_ROW = ("2020/1/6," + ",".join(["1.5"] * 15),)
_HEADER_STARTS = (b"observation_date,", b"DATE,", b"Date,", "基準日,".encode("cp932"))


def with_rows(body: bytes, rows: list[str]) -> bytes:
    """`body` with `rows` inserted right after its header row (same line endings)."""
    newline = b"\r\n" if b"\r\n" in body else b"\n"
    lines = body.split(newline)
    at = next((i + 1 for i, ln in enumerate(lines) if ln.startswith(_HEADER_STARTS)), 0)
    extra = [r.encode("cp932") for r in rows]
    return newline.join(lines[:at] + extra + lines[at:])


def echo_400(path: str, target: str) -> Response:
    """A 400 that quotes the request back, as some API gateways do (key included)."""
    if path.startswith("/fred/"):
        return json_response(400, {"error_code": 400,
                                   "error_message": f"Bad Request. Cannot serve {target}"})
    return html_page(400, "Bad Request", f"Cannot serve {target}")


class ReplicaServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr: tuple[str, int], site: Site, *, latency_s: float = 0.0) -> None:
        super().__init__(addr, Handler)
        self.site = site
        self.faults = FaultBook()
        self.latency_s = latency_s
        self.stopping = threading.Event()
        self.records: list[RequestRecord] = []
        self.records_lock = threading.Lock()

    def record(self, rec: RequestRecord) -> None:
        with self.records_lock:
            self.records.append(rec)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ReplicaServer

    def version_string(self) -> str:
        return "Apache"

    def log_message(self, format: str, *args: object) -> None:
        """Silent: the default would print request lines, API keys included, to stderr."""

    def do_GET(self) -> None:
        self._handle("GET")

    def do_HEAD(self) -> None:
        self._handle("HEAD")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        started = time.time()
        url = urlsplit(self.path)
        path, query = url.path, url.query
        if path.startswith(CONTROL):
            self._write(self._control(method, path, dict(parse_qsl(query))), method)
            return
        srv = self.server
        if srv.latency_s:
            srv.stopping.wait(srv.latency_s)
        fault = srv.faults.take(path + ("?" + query if query else ""))
        status, sent = 0, 0
        try:
            status, sent = self._serve(method, path, query, fault)
        finally:
            srv.record(RequestRecord(method, path, redact_query(query), status, sent, started,
                                     fault.kind if fault else None))

    def _serve(self, method: str, path: str, query: str, fault: Fault | None) -> tuple[int, int]:
        srv = self.server
        opts = fault.options if fault else {}
        if fault and fault.kind in ("timeout", "latency"):
            srv.stopping.wait(float(opts.get("seconds", 30.0 if fault.kind == "timeout" else 2.0)))
        if fault and fault.kind == "reset":
            self._reset()
            return 0, 0
        if fault and fault.kind == "status":
            code = int(opts.get("code", 503))
            return self._write(html_page(code, f"Error {code}", "The service is unavailable."),
                               method)
        if fault and fault.kind == "429":
            return self._write(self._too_many(path, opts.get("retry_after")), method)
        if fault and fault.kind == "html200":
            return self._write(html_page(200, "Service Temporarily Unavailable",
                                         "We are performing maintenance. Please try later."),
                               method)
        target = path + ("?" + query if query else "")
        if fault and fault.kind == "redirect":
            location = str(opts.get("location", "{target}")).replace("{target}", target)
            return self._write(Response(int(opts.get("code", 302)), b"", None,
                                        {"Location": location}), method)
        if fault and fault.kind == "echo_400":
            return self._write(echo_400(path, target), method)
        if fault and fault.kind == "not_modified":
            return self._write(Response(304, b"", None, {}), method)
        if method == "POST":
            return self._write(html_page(405, "Method Not Allowed", "Use GET."), method)
        req_headers = {k.lower(): v for k, v in self.headers.items()}
        if fault and fault.kind == "slow_body":
            req_headers = {}  # the whole body, slowly, even to a conditional GET
        resp = srv.site.get(path, dict(parse_qsl(query, keep_blank_values=True)), req_headers,
                             client=self.client_address[0])
        if fault and fault.kind == "empty":
            resp = Response(200, b"", resp.content_type, {})
        if fault and fault.kind in ("extra_rows", "old_row") and resp.status == 200:
            rows = opts.get("rows") or (OLD_JGB_ROW if fault.kind == "old_row" else OLD_FRED_ROW)
            resp = Response(200, with_rows(resp.body, list(rows)), resp.content_type,
                            {k: v for k, v in resp.headers.items() if k != "ETag"})
        if fault and fault.kind == "truncate":
            return self._truncate(resp)
        if fault and fault.kind == "slow_body":
            return self._slow(resp, float(opts.get("bytes_per_s", 1.0)))
        return self._write(resp, method)

    def _too_many(self, path: str, retry_after: object) -> Response:
        if path.startswith("/fred/"):
            resp = error_response(429, MSG_429, "json")
        else:
            resp = html_page(429, "Too Many Requests", "Too many requests. Try again later.")
        if retry_after is not None:
            resp.headers["Retry-After"] = str(retry_after)
        return resp

    def _write(self, resp: Response, method: str) -> tuple[int, int]:
        self.send_response(resp.status)
        if resp.content_type:
            self.send_header("Content-Type", resp.content_type)
        for k, v in resp.headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(resp.body)))
        self.end_headers()
        sent = 0
        if method != "HEAD" and resp.status != 304 and resp.body:
            try:
                self.wfile.write(resp.body)
                sent = len(resp.body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True
        return resp.status, sent

    def _slow(self, resp: Response, bytes_per_s: float) -> tuple[int, int]:
        """The full Content-Length promised, then one byte every 1/bytes_per_s seconds."""
        self.send_response(resp.status)
        if resp.content_type:
            self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(resp.body)))
        self.end_headers()
        sent = 0
        try:
            for i in range(len(resp.body)):
                if self.server.stopping.wait(1.0 / bytes_per_s):
                    break
                self.wfile.write(resp.body[i:i + 1])
                self.wfile.flush()
                sent += 1
        except OSError:
            pass
        self.close_connection = True
        return resp.status, sent

    def _truncate(self, resp: Response) -> tuple[int, int]:
        """Promise the full Content-Length, send half, hang up."""
        half = resp.body[: len(resp.body) // 2]
        self.send_response(resp.status)
        if resp.content_type:
            self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(resp.body)))
        self.end_headers()
        try:
            self.wfile.write(half)
            self.wfile.flush()
        except OSError:
            pass
        self.close_connection = True
        self._hang_up()
        return resp.status, len(half)

    def _reset(self) -> None:
        """Close the socket without any response; SO_LINGER 0 makes it a TCP RST."""
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.close_connection = True
        self._hang_up()

    def _hang_up(self) -> None:
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.connection.close()

    def _control(self, method: str, path: str, params: dict[str, str]) -> Response:
        srv = self.server
        action = path[len(CONTROL):]
        body = {}
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                return json_response(400, {"error": "body must be JSON"})
        try:
            if action == "requests" and method == "GET":
                with srv.records_lock:
                    return json_response(200, [asdict(r) for r in srv.records])
            if action == "state" and method == "GET":
                return json_response(200, {"as_of": srv.site.as_of.isoformat()})
            if method != "POST":
                return json_response(405, {"error": "use POST"})
            if action == "inject":
                options = dict(body.get("options") or {})
                srv.faults.inject(body["path_prefix"], str(body["fault"]),
                                  int(body.get("times", 1)), **options)
                return json_response(200, {"ok": True})
            if action == "clear":
                srv.faults.clear()
                return json_response(200, {"ok": True})
            if action == "publish-day":
                day = body.get("day") or params.get("day")
                new = srv.site.publish_day(date.fromisoformat(day) if day else None)
                return json_response(200, {"as_of": new.isoformat()})
            if action == "put":
                raw = base64.b64decode(body["body_base64"])
                srv.site.put(body["path"], raw, body.get("content_type"))
                return json_response(200, {"ok": True})
        except (KeyError, ValueError, TypeError) as e:
            return json_response(400, {"error": str(e)})
        return json_response(404, {"error": f"unknown control action {action!r}"})
