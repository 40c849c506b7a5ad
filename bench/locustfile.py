"""The web load during a city-wide send (locust, headless): office staff on the console, parents on
their message pages. Run by bench/load.py; not imported by the product.

Users are FastHttpUser (geventhttpclient), locust's client for high rates: it shares the bench
machine's 2 cores with what it measures, and with python-requests (HttpUser) it used more of them and
fell short of 100 requests/s (90 of 100 on the idle web, p95 73 ms against 58 ms with this client).

Environment: BENCH_CONSOLE_EMAIL / BENCH_CONSOLE_PASSWORD (an office account), BENCH_ALERT_ID,
BENCH_PARENT_PATHS (a file of /m/… paths, one a line), BENCH_USER_RPS (requests per second per user).
"""

import os
import random
import re
from pathlib import Path

from locust import FastHttpUser, constant_throughput, task

RPS = float(os.environ.get("BENCH_USER_RPS", "5"))
PARENT_PATHS = Path(os.environ["BENCH_PARENT_PATHS"]).read_text().split()
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class OfficeStaff(FastHttpUser):
    """Signs in once, then reads the console's front page and the alert's page (its live figures)."""

    weight = 1
    wait_time = constant_throughput(RPS)

    def on_start(self):
        page = self.client.get("/login", name="/login")
        token = CSRF.search(page.text).group(1)
        self.client.post("/login", name="/login", data={
            "csrf_token": token, "email": os.environ["BENCH_CONSOLE_EMAIL"],
            "password": os.environ["BENCH_CONSOLE_PASSWORD"]})

    @task(1)
    def console(self):
        self.client.get("/console/", name="/console/")

    @task(2)
    def alert(self):
        self.client.get(f"/console/alerts/{os.environ['BENCH_ALERT_ID']}", name="/console/alerts/[id]")


class Parent(FastHttpUser):
    """Opens the link from their message."""

    weight = 3
    wait_time = constant_throughput(RPS)

    @task
    def message_page(self):
        self.client.get(random.choice(PARENT_PATHS), name="/m/[code]")
