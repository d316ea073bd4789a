"""Locust users for bench/outreach.py: outreach workers recording street contacts through the API.

Run by bench/outreach.py as its own process (locust cannot be imported where Django is):

    WAYMARK_LOCUST_WORKERS=bench/tmp/outreach-workers.json \
        .venv/bin/locust -f bench/locustfile_outreach.py --headless -u 50 -r 10 -t 60s \
        --csv bench/tmp/outreach --host http://127.0.0.1:8765

The JSON file (written by bench/outreach.py from the bench database) holds the
model's choice codes and the demo's outreach workers: each with an API token, the id of the outreach service
they act for, references of people their team has met, and pins where their team
has met people (the demo's hotspots). Each simulated worker takes the next entry,
so 50 users are 50 different workers when the file has 50 entries.

Each request is `POST /api/v1/contacts/` with a fresh idempotency key; anything
but 201 Created is a failure. `WAYMARK_LOCUST_WAIT` is the pause between one
worker's contacts, "min,max" seconds (default "1,5").
"""

from __future__ import annotations

import datetime
import itertools
import json
import os
import random
import uuid

from locust import HttpUser, between, task

with open(os.environ.get("WAYMARK_LOCUST_WORKERS", "bench/tmp/outreach-workers.json")) as prepared:
    PREPARED = json.load(prepared)
WORKERS = PREPARED["workers"]
# The model's own codes, written by bench/outreach.py, so a renamed choice cannot turn into 400s here.
CHOICES = PREPARED["choices"]
WAIT = [float(x) for x in os.environ.get("WAYMARK_LOCUST_WAIT", "1,5").split(",")]
_next_worker = itertools.count()

# A pin is dropped where the worker stands: within about 30 m of where the team has met people before.
JITTER = 0.0003
# Outreach teams mostly meet people bedded down at night; the rest of the choices now and then.
SEEN_DOING = ["bedded_down"] * 6 + [c for c in CHOICES["seen_doing"] if c not in ("bedded_down", "day_centre")]
ACTIONS = CHOICES["actions"]
NEEDS = [c for c in CHOICES["needs"] if c != "none_seen"]
SITE_TYPES = CHOICES["site_types"]
DESCRIPTIONS = [
    "man, 40s, green sleeping bag",
    "woman, 30s, red coat, with a dog",
    "young man, grey hoodie, Polish speaker",
    "older man, beard, several bags",
    "two men sharing a tent by the arches",
]
PLACES = ["shop doorway", "under the railway arches", "bus shelter", "church porch", "car park stairwell"]


class OutreachWorker(HttpUser):
    """One outreach worker on a shift, recording each person they meet."""

    wait_time = between(WAIT[0], WAIT[-1])

    def on_start(self) -> None:
        self.worker = WORKERS[next(_next_worker) % len(WORKERS)]
        self.rng = random.Random()
        self.headers = {
            "Authorization": f"Token {self.worker['token']}",
            "X-Waymark-Service": self.worker["service"],
            "Accept": "application/json",
        }

    def body(self) -> dict:
        lat, lng = self.rng.choice(self.worker["points"])
        seen_at = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=self.rng.randint(0, 20))
        body = {
            "seen_at": seen_at.isoformat(timespec="seconds"),
            "seen_doing": self.rng.choice(SEEN_DOING),
            "latitude": round(lat + self.rng.uniform(-JITTER, JITTER), 6),
            "longitude": round(lng + self.rng.uniform(-JITTER, JITTER), 6),
            "place": self.rng.choice(PLACES),
            "site_type": self.rng.choice(SITE_TYPES),
            "actions": self.rng.sample(ACTIONS, self.rng.randint(1, 2)),
            "needs": self.rng.sample(NEEDS, self.rng.randint(0, 2)),
            "idempotency_key": str(uuid.uuid4()),
        }
        # Most people met are known to the team; some are not identified yet.
        if self.worker["people"] and self.rng.random() < 0.7:
            body["person"] = self.rng.choice(self.worker["people"])
        else:
            body["description"] = self.rng.choice(DESCRIPTIONS)
        return body

    @task
    def record_contact(self) -> None:
        with self.client.post(
            "/api/v1/contacts/", json=self.body(), headers=self.headers, name="record contact", catch_response=True
        ) as response:
            if response.status_code != 201:
                response.failure(f"HTTP {response.status_code}: {response.text[:200]}")
