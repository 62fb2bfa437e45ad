"""The HTTP service: a health check for Kubernetes, its own routes, and its
Prometheus metrics on /metrics (what its SLOs are computed from)."""
import json
import os
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from metrics import HttpMetrics
from tracing import Tracer

ROUTES = ("/", "/healthz")
METRICS = HttpMetrics("${{ values.name }}", ROUTES)
TRACER = Tracer.from_env("${{ values.name }}")


class Handler(BaseHTTPRequestHandler):
    def _send(self, status, content_type, data):
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _json(self, status, body):
        # Recorded before the answer is sent: a client that reads /metrics
        # right after this answer finds it counted.
        path = self.path.split("?", 1)[0]
        elapsed = time.perf_counter() - self._started
        METRICS.observe(self.command, path, status, elapsed)
        TRACER.record(
            self.command,
            path if path in ROUTES else "other",
            status,
            self._started_ns,
            self._started_ns + int(elapsed * 1e9),
            self.headers.get("traceparent"),
        )
        self._send(status, "application/json", json.dumps(body).encode())

    def do_GET(self):  # noqa: N802 (the standard library's name)
        self._started = time.perf_counter()
        self._started_ns = time.time_ns()
        path = self.path.split("?", 1)[0]
        if path == "/metrics":
            self._send(200, "text/plain; version=0.0.4", METRICS.render().encode())
        elif path == "/healthz":
            self._json(200, {"status": "ok"})
        elif path == "/":
            self._json(200, {"service": "${{ values.name }}"})
        else:
            self._json(404, {"error": f"no route for GET {path}"})

    def log_message(self, format, *args):  # one line per request, on stderr
        super().log_message(format, *args)


def create_server(port: int) -> ThreadingHTTPServer:
    return ThreadingHTTPServer(("0.0.0.0", port), Handler)


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "${{ values.port }}"))
    server = create_server(port)
    print(f"${{ values.name }} listening on :{port}")
    server.serve_forever()
