"""Signed-in staff browsing the platform's main pages (bench/load.py runs this).

Each simulated user signs in as a demo partnership admin, as a strategic lead would on a
Monday morning, then opens the main staff pages in turn. `LOAD_PAGES=minimal` opens only
the account page, the lightest signed-in page, for the saturation baseline.
"""

import os
import random
import re

import requests
from locust import HttpUser, constant_throughput, task

PAGES = [
    "/p/{p}/",
    "/p/{p}/strategy/{s}/",
    "/p/{p}/actions/",
    "/p/{p}/delivery/{s}/dashboard/",
    "/p/{p}/measures/",
    "/p/{p}/insight/",
    "/p/{p}/learning/",
    "/p/{p}/marac/statistics/",
]
STRATEGIES = {"wandsworth": "wandsworth-2022-2025", "lambeth": "lambeth-2021-2027"}
MINIMAL = ["/account/"]
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Staff(HttpUser):
    # Each user asks for a page at this rate; bench/load.py sets how many users there are.
    wait_time = constant_throughput(float(os.environ.get("LOAD_PAGES_PER_USER", "1")))

    def on_start(self) -> None:
        # Signing in (a deliberately slow password hash) is done outside locust's figures:
        # what is measured is the pages, not the sign-in.
        self.partnership = random.choice(list(STRATEGIES))  # noqa: S311 - which demo partnership to browse
        with requests.Session() as session:
            form = session.get(self.host + "/account/sign-in/", timeout=30)
            token = TOKEN.search(form.text).group(1)
            session.post(
                self.host + "/account/sign-in/",
                {
                    "csrfmiddlewaretoken": token,
                    "username": f"{self.partnership}-admin",
                    "password": os.environ.get("DEMO_PASSWORD", "demo-password-2026"),
                },
                headers={"Referer": self.host + "/account/sign-in/"},
                timeout=30,
            )
            self.client.cookies.update(session.cookies)
        pages = MINIMAL if os.environ.get("LOAD_PAGES") == "minimal" else PAGES
        self.pages = [p.format(p=self.partnership, s=STRATEGIES[self.partnership]) for p in pages]

    @task
    def open_a_page(self) -> None:
        path = random.choice(self.pages)  # noqa: S311 - which page to open next
        name = re.sub(r"/p/[a-z]+/", "/p/<partnership>/", path)
        name = re.sub(r"/[a-z]+-20\d\d-20\d\d/", "/<strategy>/", name)
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200 or "/account/sign-in/" in response.url:
                response.failure(f"{response.status_code}")
