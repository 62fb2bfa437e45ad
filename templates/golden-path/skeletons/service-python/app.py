"""The HTTP service: a health check for Kubernetes and its own routes."""
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    def _json(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # noqa: N802 (the standard library's name)
        path = self.path.split("?", 1)[0]
        if path == "/healthz":
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
