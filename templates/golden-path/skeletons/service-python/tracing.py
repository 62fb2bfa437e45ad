"""The service's traces, sent to an OpenTelemetry collector over OTLP/HTTP
(JSON encoding) when OTEL_EXPORTER_OTLP_ENDPOINT (or
OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set, and not at all otherwise. One
server span per request, joined to the caller's trace when the request
carries a W3C traceparent header. Spans are sent in batches every few
seconds; a collector that does not answer loses them, never the service."""
import json
import os
import re
import secrets
import threading
import urllib.request

TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$")


class Tracer:
    def __init__(self, service, endpoint=None, flush_seconds=5.0):
        self.service = service
        self.endpoint = endpoint
        self.flush_seconds = flush_seconds
        self._lock = threading.Lock()
        self._batch = []
        self._stop = threading.Event()
        if endpoint:
            threading.Thread(target=self._loop, daemon=True).start()

    @classmethod
    def from_env(cls, service, env=None):
        """From the environment, as OpenTelemetry's SDKs read it."""
        env = os.environ if env is None else env
        base = env.get("OTEL_EXPORTER_OTLP_ENDPOINT")
        endpoint = env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or (
            base.rstrip("/") + "/v1/traces" if base else None
        )
        return cls(env.get("OTEL_SERVICE_NAME") or service, endpoint)

    @property
    def enabled(self):
        return bool(self.endpoint)

    def record(self, method, route, status_code, start_ns, end_ns, traceparent=None):
        """Records one answered request as a server span."""
        if not self.endpoint:
            return
        parent = TRACEPARENT.match(traceparent or "")
        span = {
            "traceId": parent.group(1) if parent else secrets.token_hex(16),
            "spanId": secrets.token_hex(8),
            "name": f"{method} {route}",
            "kind": 2,  # SPAN_KIND_SERVER
            "startTimeUnixNano": str(start_ns),
            "endTimeUnixNano": str(end_ns),
            "attributes": [
                {"key": "http.request.method", "value": {"stringValue": method}},
                {"key": "http.route", "value": {"stringValue": route}},
                {
                    "key": "http.response.status_code",
                    "value": {"intValue": str(status_code)},
                },
            ],
            "status": {"code": 2} if status_code >= 500 else {},
        }
        if parent:
            span["parentSpanId"] = parent.group(2)
        with self._lock:
            self._batch.append(span)

    def flush(self):
        """Sends what is waiting; a failure drops the batch."""
        with self._lock:
            spans, self._batch = self._batch, []
        if not self.endpoint or not spans:
            return
        body = {
            "resourceSpans": [
                {
                    "resource": {
                        "attributes": [
                            {"key": "service.name", "value": {"stringValue": self.service}}
                        ]
                    },
                    "scopeSpans": [{"scope": {"name": "golden-path-http"}, "spans": spans}],
                }
            ]
        }
        request = urllib.request.Request(
            self.endpoint,
            data=json.dumps(body).encode(),
            headers={"content-type": "application/json"},
            method="POST",
        )
        try:
            urllib.request.urlopen(request, timeout=self.flush_seconds).close()
        except OSError:
            pass  # the collector is away: these spans are lost, the service goes on

    def shutdown(self):
        self._stop.set()
        self.flush()

    def _loop(self):
        while not self._stop.wait(self.flush_seconds):
            self.flush()
