import json
import threading
import unittest
import urllib.error
import urllib.request

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from app import create_server
from tracing import Tracer


class ServiceTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = create_server(0)
        cls.base = f"http://127.0.0.1:{cls.server.server_address[1]}"
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()

    def get(self, path):
        try:
            with urllib.request.urlopen(self.base + path) as res:
                return res.status, json.loads(res.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def test_answers_its_health_check(self):
        self.assertEqual(self.get("/healthz"), (200, {"status": "ok"}))

    def test_says_which_service_it_is(self):
        self.assertEqual(self.get("/"), (200, {"service": "${{ values.name }}"}))

    def test_refuses_unknown_routes_with_a_404_that_names_them(self):
        status, body = self.get("/nope")
        self.assertEqual(status, 404)
        self.assertIn("GET /nope", body["error"])


    def test_counts_its_requests_and_their_durations_as_its_slos_query_them(self):
        self.get("/")
        self.get("/no-such-page")
        with urllib.request.urlopen(self.base + "/metrics") as res:
            self.assertEqual(res.status, 200)
            text = res.read().decode()
        service = 'service="${{ values.name }}"'
        self.assertRegex(
            text,
            rf'http_requests_total\{{{service},method="GET",route="/",code="200"\}} [1-9]',
        )
        self.assertRegex(
            text,
            rf'http_requests_total\{{{service},method="GET",route="other",code="404"\}} [1-9]',
        )
        self.assertRegex(
            text,
            rf'http_request_duration_seconds_bucket\{{{service},method="GET",route="/",le="0.3"\}} [1-9]',
        )


class TracingTest(unittest.TestCase):
    def test_sends_a_span_per_request_to_an_otlp_collector_when_one_is_configured(self):
        received = []

        class Collector(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers["content-length"])
                received.append((self.path, json.loads(self.rfile.read(length))))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        collector = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
        threading.Thread(target=collector.serve_forever, daemon=True).start()
        endpoint = f"http://127.0.0.1:{collector.server_address[1]}"
        tracer = Tracer.from_env("${{ values.name }}", {"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint})
        tracer.record(
            "GET", "/", 200, 1_000, 2_000,
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        )
        tracer.shutdown()
        collector.shutdown()
        collector.server_close()

        self.assertEqual(len(received), 1)
        path, body = received[0]
        self.assertEqual(path, "/v1/traces")
        resource_spans = body["resourceSpans"][0]
        self.assertEqual(
            resource_spans["resource"]["attributes"],
            [{"key": "service.name", "value": {"stringValue": "${{ values.name }}"}}],
        )
        span = resource_spans["scopeSpans"][0]["spans"][0]
        self.assertEqual(span["name"], "GET /")
        self.assertEqual(span["traceId"], "0af7651916cd43dd8448eb211c80319c")
        self.assertEqual(span["parentSpanId"], "b7ad6b7169203331")

    def test_sends_no_span_when_no_collector_is_configured(self):
        self.assertFalse(Tracer.from_env("x", {}).enabled)


if __name__ == "__main__":
    unittest.main()
