"""Container health checks, standard library only: `python -m ahpportal.healthcheck`.

    web URL            healthy when /healthz answers and reports the database "ok" (a 503 that is
                       only "degraded" elsewhere, e.g. a stale nightly recompute, still means this
                       server is up and serving: /healthz and /status/ say what is wrong)
    fresh PATH SECONDS healthy when a file starting with PATH changed in the last SECONDS (Celery
                       beat rewrites its schedule file at least every 3 minutes)

The request to /healthz names the first of DJANGO_ALLOWED_HOSTS as its host, and says it came
through HTTPS (X-Forwarded-Proto), so neither ALLOWED_HOSTS nor the HTTPS redirect refuses it.
"""

import glob
import json
import os
import sys
import time
import urllib.error
import urllib.request


def check_web(url: str) -> str | None:
    hosts = [h.strip().lstrip(".") for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",")]
    host = next((h for h in hosts if h and h != "*"), "localhost")
    request = urllib.request.Request(
        url, headers={"Host": host, "X-Forwarded-Proto": "https", "Accept": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            body = response.read()
    except urllib.error.HTTPError as error:
        if error.code != 503:
            return f"{url} answered {error.code}"
        body = error.read()
    except OSError as error:
        return f"{url}: {error}"
    try:
        database = json.loads(body).get("database")
    except ValueError:
        return f"{url} did not answer JSON"
    return None if database == "ok" else f"database: {database}"


def check_fresh(prefix: str, seconds: float) -> str | None:
    files = glob.glob(glob.escape(prefix) + "*")
    if not files:
        return f"no file {prefix}*"
    age = time.time() - max(os.path.getmtime(f) for f in files)
    return None if age <= seconds else f"{prefix} last changed {age:.0f} s ago"


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "web":
        problem = check_web(argv[1])
    elif len(argv) == 3 and argv[0] == "fresh":
        problem = check_fresh(argv[1], float(argv[2]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    if problem:
        print(f"unhealthy: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
