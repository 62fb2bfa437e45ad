"""The service's Prometheus metrics, in the text format Prometheus scrapes
from /metrics, with exactly the names and labels its SLOs query:
http_requests_total and http_request_duration_seconds, labelled by service,
method, route and status code. Routes are the service's own paths
(anything else is "other"), so that a scan of random URLs cannot grow the
series."""
import threading

# Seconds; 0.3 is the latency SLO's threshold.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.3, 0.5, 1, 2.5, 5)


def _escape(value):
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


class HttpMetrics:
    def __init__(self, service, routes):
        self._service = service
        self._routes = frozenset(routes)
        self._lock = threading.Lock()
        self._requests = {}
        self._durations = {}

    def observe(self, method, path, code, seconds):
        """Records one answered request."""
        route = path if path in self._routes else "other"
        base = (
            f'service="{_escape(self._service)}",method="{_escape(method)}",'
            f'route="{_escape(route)}"'
        )
        with self._lock:
            key = f'{base},code="{code}"'
            self._requests[key] = self._requests.get(key, 0) + 1
            series = self._durations.setdefault(
                base, {"count": 0, "sum": 0.0, "buckets": [0] * len(BUCKETS)}
            )
            series["count"] += 1
            series["sum"] += seconds
            for i, le in enumerate(BUCKETS):
                if seconds <= le:
                    series["buckets"][i] += 1

    def render(self):
        """The metrics in Prometheus' text exposition format (0.0.4)."""
        lines = [
            "# HELP http_requests_total Requests answered, by route and status code.",
            "# TYPE http_requests_total counter",
        ]
        with self._lock:
            for labels, value in self._requests.items():
                lines.append(f"http_requests_total{{{labels}}} {value}")
            lines += [
                "# HELP http_request_duration_seconds Time to answer a request.",
                "# TYPE http_request_duration_seconds histogram",
            ]
            for labels, s in self._durations.items():
                for le, n in zip(BUCKETS, s["buckets"]):
                    lines.append(
                        f'http_request_duration_seconds_bucket{{{labels},le="{le}"}} {n}'
                    )
                lines += [
                    f'http_request_duration_seconds_bucket{{{labels},le="+Inf"}} {s["count"]}',
                    f'http_request_duration_seconds_sum{{{labels}}} {s["sum"]}',
                    f'http_request_duration_seconds_count{{{labels}}} {s["count"]}',
                ]
        return "\n".join(lines) + "\n"
