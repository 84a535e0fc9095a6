"""The clients of the load test: each one is a person with their own data,
keeping their cookies, sending what the pages' htmx sends, and writing down
every request and what each write was told (recorded, refused, or no answer).
"""

import http.client
import http.cookies
import random
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

TIMEOUT = 30
PROMPT = re.compile(r'name="prompt" value="(\d+)"')
REPS = re.compile(r'name="reps" value="(\d+)"')


@dataclass
class Call:
    """One request: when it was sent and answered, and how."""

    client: int
    kind: str
    method: str
    path: str
    start: float
    end: float = 0.0
    status: int | None = None
    error: str | None = None
    body: str = ""  # kept for answers >= 500 only


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: str


class NoAnswer(Exception):
    """The connection failed or was cut: the request may or may not have been applied."""


class Browser:
    """Just enough of a browser: its cookies, the CSRF token, htmx's header."""

    def __init__(self, port: int, session_key: str, number: int, calls: list[Call]):
        self.port = port
        self.number = number
        self.cookies = {"sessionid": session_key}
        self.calls = calls

    def request(self, kind: str, method: str, path: str, data: dict | None = None, htmx=False):
        headers = {
            "Host": "127.0.0.1",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        if htmx:
            headers["HX-Request"] = "true"
        call = Call(self.number, kind, method, path, start=time.monotonic())
        self.calls.append(call)
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as error:
            call.end, call.error = time.monotonic(), f"{type(error).__name__}: {error}"
            raise NoAnswer(call.error) from error
        finally:
            connection.close()
        call.end, call.status = time.monotonic(), response.status
        if response.status >= 500:
            call.body = text[:20_000]
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in http.cookies.SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return Answer(response.status, response.headers, text)


@dataclass
class Ledger:
    """What one client was told about its writes."""

    # grades: (user, prompt, review number)
    acked: set = field(default_factory=set)  # recorded, said the answer
    confirmed: set = field(default_factory=set)  # no answer, then a retry was refused as a repeat
    unknown: set = field(default_factory=set)  # no answer: maybe recorded
    refused: int = 0
    # checklist items and mock answers: id -> every text sent, in order, with its outcome
    items: dict = field(default_factory=dict)
    answers: dict = field(default_factory=dict)


class LoadClient:
    """One person working through the app until the deadline."""

    def __init__(self, number: int, spec: dict, port: int, deadline: float, calls: list[Call]):
        self.number = number
        self.spec = spec
        self.deadline = deadline
        self.browser = Browser(port, spec["session_key"], number, calls)
        self.random = random.Random(number)
        self.reps: dict[int, int | None] = dict.fromkeys(spec["prompts"], 0)
        self.ledger = Ledger()
        self.sequence = 0
        self.failure: BaseException | None = None

    # The mix -----------------------------------------------------------------------------

    def run(self) -> None:
        try:
            while time.monotonic() < self.deadline:
                if "csrftoken" not in self.browser.cookies:
                    action = self.start  # a page first: the CSRF cookie comes with it
                else:
                    action = self.random.choices(
                        [self.read, self.grade, self.edit_checklist, self.save_mock_answer],
                        weights=[35, 30, 17, 18],
                    )[0]
                try:
                    action()
                except NoAnswer:
                    time.sleep(0.05)
        except BaseException as error:  # reported by the test
            self.failure = error

    def _get(self, kind: str, path: str, htmx: bool = False):
        return self.browser.request(kind, "GET", path, htmx=htmx)

    def start(self) -> None:
        self._get("read", f"/study/{self.spec['study']}/")

    def read(self) -> None:
        spec = self.spec
        path = self.random.choice(
            [
                f"/study/{spec['study']}/",
                "/",
                "/topics/",
                f"/topics/{spec['topic']}/",
                "/progress/",
                f"/interviews/{spec['interview']}/",
                f"/mock/{spec['mock']}/",
                "/search/?q=load",
            ]
        )
        self._get("read", path)

    # Grading, retried after no answer as a browser's user would ------------------------------

    def _sync(self, prompt: int) -> int | None:
        """How many reviews the prompt has, as its study page says."""
        answer = self._get("read", f"/study/{self.spec['study']}/?prompt={prompt}")
        if answer.status != 200:
            return None
        shown = PROMPT.search(answer.body)
        reps = REPS.search(answer.body)
        if not shown or int(shown.group(1)) != prompt or not reps:
            return None
        self.reps[prompt] = int(reps.group(1))
        return self.reps[prompt]

    def grade(self) -> None:
        prompt = self.random.choice(self.spec["prompts"])
        reps = self.reps[prompt]
        if reps is None:
            reps = self._sync(prompt)
            if reps is None:
                return
        key = (self.spec["user"], prompt, reps + 1)
        data = {
            "prompt": prompt,
            "rating": self.random.randint(1, 4),
            "reps": reps,
            "shown_at": int(time.time() * 1000),
        }
        path = f"/study/{self.spec['study']}/grade/"
        for attempt in range(20):
            try:
                answer = self.browser.request("grade", "POST", path, data, htmx=True)
            except NoAnswer:
                answer = None
            if answer is not None and answer.status == 200:
                if "study-refused" in (answer.headers.get("HX-Trigger") or ""):
                    if attempt == 0:
                        self.ledger.refused += 1  # the count it was shown with was stale
                        self.reps[prompt] = None
                    else:  # refused as a repeat: the attempt that got no answer was recorded
                        self.ledger.unknown.discard(key)
                        self.ledger.confirmed.add(key)
                        self.reps[prompt] = reps + 1
                    return
                self.ledger.unknown.discard(key)
                self.ledger.acked.add(key)
                self.reps[prompt] = reps + 1
                return
            self.ledger.unknown.add(key)
            self.reps[prompt] = None
            if time.monotonic() >= self.deadline:
                return
            time.sleep(min(0.1 * 2**attempt, 1.0))

    # Autosaved text: the last text acknowledged must be the one kept -------------------------

    def _text(self, what: str, target: int) -> str:
        self.sequence += 1
        return (
            f"client {self.number} {what} {target} edit {self.sequence} {self.random.random():.6f}"
        )

    def edit_checklist(self) -> None:
        item = self.random.choice(self.spec["items"])
        text = self._text("item", item)
        sent = self.ledger.items.setdefault(item, [])
        sent.append([text, "unknown"])
        data = {"answer": text}
        if self.random.random() < 0.5:
            data["asked"] = "on"
        answer = self.browser.request(
            "checklist",
            "POST",
            f"/interviews/{self.spec['interview']}/checklist/{item}/",
            data,
            htmx=True,
        )
        if answer.status == 200 and "Saved" in answer.body and "text-success" in answer.body:
            sent[-1][1] = "acked"
        elif answer.status < 500:
            sent[-1][1] = "refused"

    def save_mock_answer(self) -> None:
        target = self.random.choice(self.spec["answers"])
        text = self._text("answer", target)
        sent = self.ledger.answers.setdefault(target, [])
        sent.append([text, "unknown"])
        answer = self.browser.request(
            "mock",
            "POST",
            f"/mock/{self.spec['mock']}/save/",
            {"answer": target, "text": text},
            htmx=True,
        )
        if answer.status == 200 and "mock-saved" in (answer.headers.get("HX-Trigger") or ""):
            sent[-1][1] = "acked"
        elif answer.status < 500:
            sent[-1][1] = "refused"


def run_clients(specs: list[dict], port: int, seconds: float):
    """Start one thread per client; they stop by themselves at the deadline."""
    calls: list[Call] = []
    start = time.monotonic()
    clients = [
        LoadClient(number, spec, port, start + seconds, calls) for number, spec in enumerate(specs)
    ]
    threads = [
        threading.Thread(target=client.run, name=f"load-client-{client.number}", daemon=True)
        for client in clients
    ]
    for thread in threads:
        thread.start()
    return clients, calls, start, threads
