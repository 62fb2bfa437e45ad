import json
import threading
import unittest
import urllib.error
import urllib.request

from app import create_server


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


if __name__ == "__main__":
    unittest.main()
