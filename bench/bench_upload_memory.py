"""What an upload at the largest allowed size costs a web worker in memory.

    .venv/bin/python bench/bench_upload_memory.py

The partner extract page takes the largest files (INSIGHT_UPLOAD_MAX_BYTES, 200 MB by
default). For each of a CSV and an .xlsx of (nearly) that size, a fresh gunicorn with one
sync worker serves the app from this bench's own database; a signed-in analyst opens the
page, the worker's resident memory is read once it is idle, and the file is posted to the
page as a browser would. The worker's memory is sampled while it receives, checks and
holds the file, and its high-water mark (VmHWM, which cannot be reset: hence a fresh
worker per file) read at the end. Reported: the peak above idle, as a multiple of the
file's size (the goal is under 3), in a table and in bench/results/upload_memory.json
(or BENCH_RESULTS).

The files are synthetic. The CSV is a borough's extract as partners send it. An .xlsx
may unpack to no more than 500 MB (larger is refused as an archive bomb), so one of
200 MB must be mostly text that does not compress: each row has a reference and a long
note of random characters, held as Excel holds text, in the workbook's shared strings.

Environment: BENCH_UPLOAD_BYTES (default: the page's limit), BENCH_UPLOAD_PORT (8003),
DATABASE_URL (default: a fresh SQLite file under bench/.data/).
"""

import base64
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import zipfile
from datetime import date
from pathlib import Path

from setup_django import setup_django

ROOT = Path(__file__).resolve().parent.parent
setup_django("upload_memory")

import numpy as np  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from vawg.accounts.testing import make_member  # noqa: E402
from vawg.core.models import Organisation  # noqa: E402
from vawg.core.permissions import Role  # noqa: E402
from vawg.core.testing import make_organisation, make_partnership  # noqa: E402
from vawg.insight import synthetic  # noqa: E402

BIN = Path(sys.executable).parent
DATA = ROOT / "bench" / ".data"
RESULTS = Path(os.environ.get("BENCH_RESULTS", ROOT / "bench" / "results" / "upload_memory.json"))
PORT = int(os.environ.get("BENCH_UPLOAD_PORT", "8003"))
LIMIT = settings.INSIGHT_UPLOAD_MAX_BYTES
SIZE = int(os.environ.get("BENCH_UPLOAD_BYTES", LIMIT))
GOAL = 3.0
MB = 1024 * 1024


# --- The files ------------------------------------------------------------------------


def extract_csv(path: Path, size: int) -> None:
    """A borough's synthetic extract, cut at the last whole row within `size` bytes."""
    sample = synthetic.to_csv(_rows(20_000, seed=1))
    rows = int(size / (len(sample) / 20_000) * 1.02) + 1
    data = synthetic.to_csv(_rows(rows, seed=2))
    path.write_bytes(data[: data.rindex(b"\n", 0, size) + 1])


def _rows(rows: int, seed: int) -> dict:
    return synthetic.generate(
        rows=rows,
        wards=[f"Ward {w:02d}" for w in range(1, 21)],
        start=date(2016, 4, 1),
        end=date(2026, 3, 31),
        rng=np.random.default_rng(seed),
        id_prefix="B-",
        people_prefix="B-",
        pending_after=date(2025, 10, 1),
    )


HEADINGS = ["Crime Ref", "Incident Date", "Ward", "VAWG Strand", "Victim ID", "Notes"]
WARDS = [f"Ward {w:02d}" for w in range(1, 21)]
STRANDS = ["DA", "SV", "Stalking", "Harassment", "FGM"]
NOTE_CHARS = 400


def extract_xlsx(path: Path, size: int) -> None:
    """A workbook as Excel writes one (text in shared strings, dates as numbers with a
    date style) of about `size` bytes, a little under it."""
    per_row = _write_xlsx(path, 20_000) / 20_000
    _write_xlsx(path, int(size * 0.985 / per_row))
    if path.stat().st_size > size:
        raise SystemExit("the workbook came out larger than the limit")


SHARED = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SHARED_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def _with_shared_strings(name: str, content: bytes) -> bytes:
    """openpyxl writes text inline; Excel, in a shared strings part, declared here."""
    if name == "[Content_Types].xml":
        part = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED}" />'
        return content.replace(b"</Types>", part.encode() + b"</Types>")
    if name == "xl/_rels/workbook.xml.rels":
        rel = f'<Relationship Type="{SHARED_REL}" Target="sharedStrings.xml" Id="rIdShared" />'
        return content.replace(b"</Relationships>", rel.encode() + b"</Relationships>")
    return content


def _write_xlsx(path: Path, rows: int) -> int:
    # The parts around the data, as openpyxl writes them.
    book = Workbook()
    book.active.append(HEADINGS)
    book.active.append(["X", date(2025, 1, 1), "W", "S", "V", "N"])
    template = DATA / "template.xlsx"
    DATA.mkdir(parents=True, exist_ok=True)
    book.save(template)
    fixed = len(HEADINGS) + len(WARDS) + len(STRANDS)
    with zipfile.ZipFile(template) as parts:
        sheet = parts.read("xl/worksheets/sheet1.xml").decode()
        date_style = re.search(r'<c r="B2" s="(\d+)"', sheet).group(1)
        head, _, rest = sheet.partition("<sheetData>")
        tail = rest.partition("</sheetData>")[2]
        head = re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="A1:F{rows + 1}"', head)
        with zipfile.ZipFile(
            path, "w", zipfile.ZIP_DEFLATED, compresslevel=1, allowZip64=True
        ) as out:
            for item in parts.infolist():
                if item.filename != "xl/worksheets/sheet1.xml":
                    out.writestr(item, _with_shared_strings(item.filename, parts.read(item)))
            with out.open("xl/sharedStrings.xml", "w", force_zip64=True) as xml:
                count = fixed + 3 * rows
                xml.write(
                    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                    + f'count="{count}" uniqueCount="{count}">'.encode()
                )
                for text in HEADINGS + WARDS + STRANDS:
                    xml.write(f"<si><t>{text}</t></si>".encode())
                for start in range(0, rows, 10_000):
                    batch = min(10_000, rows - start)
                    noise = base64.b64encode(os.urandom(batch * (16 + NOTE_CHARS) * 3 // 4))
                    chunk = []
                    for n in range(batch):
                        cut = n * (16 + NOTE_CHARS)
                        victim = noise[cut : cut + 16].decode()
                        note = noise[cut + 16 : cut + 16 + NOTE_CHARS].decode()
                        chunk.append(
                            f"<si><t>CR-{start + n:08d}</t></si><si><t>V-{victim}</t></si>"
                            f"<si><t>{note}</t></si>"
                        )
                    xml.write("".join(chunk).encode())
                xml.write(b"</sst>")
            with out.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as xml:
                xml.write(head.encode() + b"<sheetData>")
                heading = "".join(
                    f'<c r="{c}1" t="s"><v>{n}</v></c>' for n, c in enumerate("ABCDEF")
                )
                xml.write(f'<row r="1">{heading}</row>'.encode())
                for start in range(0, rows, 10_000):
                    chunk = []
                    for n in range(start, min(rows, start + 10_000)):
                        r, own = n + 2, fixed + 3 * n
                        chunk.append(
                            f'<row r="{r}"><c r="A{r}" t="s"><v>{own}</v></c>'
                            f'<c r="B{r}" s="{date_style}"><v>{45000 + n % 3000}</v></c>'
                            f'<c r="C{r}" t="s"><v>{len(HEADINGS) + n % 20}</v></c>'
                            f'<c r="D{r}" t="s"><v>{len(HEADINGS) + 20 + n % 5}</v></c>'
                            f'<c r="E{r}" t="s"><v>{own + 1}</v></c>'
                            f'<c r="F{r}" t="s"><v>{own + 2}</v></c></row>'
                        )
                    xml.write("".join(chunk).encode())
                xml.write(b"</sheetData>" + tail.encode())
    template.unlink()
    return path.stat().st_size


# --- The worker -----------------------------------------------------------------------


def signed_in_analyst() -> tuple[str, int]:
    """A partnership, a partner, and an analyst's session cookie (made here, so that the
    worker never hashes a password: that alone would raise its high-water mark)."""
    call_command("migrate", verbosity=0)
    partnership = make_partnership("upload-borough", "Upload Borough")
    partner = make_organisation(partnership, "Metropolitan Police", kind=Organisation.Kind.POLICE)
    analyst = make_member(Role.ANALYST, partnership, organisation=partner)
    client = Client()
    client.force_login(analyst, backend="django.contrib.auth.backends.ModelBackend")
    return client.cookies[settings.SESSION_COOKIE_NAME].value, partner.pk


def serve() -> tuple[subprocess.Popen, int]:
    server = subprocess.Popen(  # noqa: S603 - our own programs, fixed arguments
        [
            BIN / "gunicorn",
            "config.wsgi",
            "--workers=1",
            "--worker-class=sync",
            "--timeout=1800",
            f"--bind=127.0.0.1:{PORT}",
        ],
        cwd=ROOT,
        env={**os.environ, "ALLOWED_HOSTS": "127.0.0.1,localhost"},
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz/", timeout=2)  # noqa: S310 - our own server
            children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
            if children:
                return server, int(children[0])
        except OSError:
            pass
        time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def page(path: str, cookies: dict) -> tuple[int, str, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=1800)
    connection.request("GET", path, headers={"Cookie": _cookie_header(cookies)})
    response = connection.getresponse()
    body = response.read().decode()
    cookies.update(_set_cookies(response))
    return response.status, body, cookies


def _cookie_header(cookies: dict) -> str:
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def _set_cookies(response) -> dict:
    found = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, value = header.split(";", 1)[0].partition("=")
        found[name.strip()] = value.strip()
    return found


def post_file(path: str, cookies: dict, fields: dict, upload: Path) -> tuple[int, str, str]:
    """Post `upload` as a browser posts a form, streaming it from disk."""
    boundary = "----bench" + base64.b16encode(os.urandom(8)).decode()
    before = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    )
    kind = "text/csv" if upload.suffix == ".csv" else "application/octet-stream"
    before += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{upload.name}"\r\nContent-Type: {kind}\r\n\r\n'
    ).encode()
    after = f"\r\n--{boundary}--\r\n".encode()

    def body():
        yield before
        with open(upload, "rb") as file:
            while chunk := file.read(MB):
                yield chunk
        yield after

    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=1800)
    connection.request(
        "POST",
        path,
        body=body(),
        headers={
            "Cookie": _cookie_header(cookies),
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(len(before) + upload.stat().st_size + len(after)),
        },
    )
    response = connection.getresponse()
    text = response.read().decode(errors="replace")
    return response.status, response.headers.get("Location", ""), text


def measure(upload: Path, session: str, partner: int) -> dict:
    server, worker = serve()
    try:
        url = "/p/upload-borough/insight/imports/"
        cookies = {settings.SESSION_COOKIE_NAME: session}
        for _ in range(3):  # warm: every module the page and the form use is loaded
            status, html, cookies = page(url, cookies)
        if status != 200:
            raise SystemExit(f"the import page answered {status}")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        time.sleep(1)
        idle = status_kb(worker, "VmRSS")
        samples = []
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                samples.append(status_kb(worker, "VmRSS"))
                time.sleep(0.02)

        sampler = threading.Thread(target=sample)
        sampler.start()
        started = time.perf_counter()
        status, location, text = post_file(
            url, cookies, {"csrfmiddlewaretoken": token, "partner": partner}, upload
        )
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
        peak = max(status_kb(worker, "VmHWM"), *samples)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    size = upload.stat().st_size
    # Accepted: on to the page that maps its columns.
    accepted = status == 302 and re.search(r"/imports/\d+/columns/$", location) is not None
    if not accepted:
        error = re.search(r'govuk-error-message">(.*?)</', text, re.S)
        said = error.group(1).strip() if error else location
        print(f"  {upload.name} was not accepted ({status}): {said}")
    return {
        "bytes": size,
        "accepted": accepted,
        "seconds": round(seconds, 1),
        "idle_rss_mb": round(idle / 1024, 1),
        "peak_rss_mb": round(peak / 1024, 1),
        "peak_above_idle_mb": round((peak - idle) / 1024, 1),
        "times_file_size": round((peak - idle) * 1024 / size, 2),
    }


def main() -> None:
    DATA.mkdir(parents=True, exist_ok=True)
    session, partner = signed_in_analyst()
    files = {"csv": DATA / "upload-extract.csv", "xlsx": DATA / "upload-extract.xlsx"}
    extract_csv(files["csv"], SIZE)
    extract_xlsx(files["xlsx"], SIZE)
    results = {}
    for kind, path in files.items():
        results[kind] = measure(path, session, partner)
        path.unlink()
    report = {
        "page": "insight: partner extract upload",
        "limit_bytes": LIMIT,
        "goal_times_file_size": GOAL,
        "files": results,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"Upload memory: one sync worker, the partner extract page (limit {LIMIT / MB:.0f} MB)")
    print(f"{'file':<6}{'MB':>8}{'idle MB':>10}{'peak MB':>10}{'above idle':>12}{'× size':>8}")
    for kind, r in results.items():
        print(
            f"{kind:<6}{r['bytes'] / MB:>8.1f}{r['idle_rss_mb']:>10.1f}{r['peak_rss_mb']:>10.1f}"
            f"{r['peak_above_idle_mb']:>12.1f}{r['times_file_size']:>8.2f}"
            + ("" if r["accepted"] else "  (not accepted)")
        )
    worst = max(r["times_file_size"] for r in results.values())
    print(
        f"Goal: under {GOAL:g}× the file's size above idle: {'met' if worst < GOAL else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
