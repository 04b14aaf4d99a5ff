"""With REDIS_URL set, app servers share sign-in limits: two processes count attempts together."""

import os
import subprocess
import sys
import uuid

ATTEMPTS = """
import sys
from civicladder.app import create_app

app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False,
                  "SIGNIN_LIMIT_PER_ACCOUNT": "3 per minute"})
client = app.test_client()
email, count = sys.argv[1], int(sys.argv[2])
data = {"email": email, "password": "not the password"}
print(" ".join(str(client.post("/sign-in", data=data).status_code) for _ in range(count)))
"""


def attempts(database_url: str, redis_url: str, email: str, count: int) -> list[str]:
    env = os.environ | {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "shared-limits-test",
    }
    done = subprocess.run(  # noqa: S603 (runs this test's own script with this interpreter)
        [sys.executable, "-c", ATTEMPTS, email, str(count)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.split()


def test_two_app_servers_share_the_per_account_limit(database_url, app, redis_url):
    email = f"shared-{uuid.uuid4().hex}@city.example.gov"
    assert attempts(database_url, redis_url, email, 2) == ["422", "422"]
    # A second server process sees the first one's attempts: the third is the last allowed.
    assert attempts(database_url, redis_url, email, 2) == ["422", "429"]
