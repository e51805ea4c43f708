#!/usr/bin/env python3
"""The register and search under load, over HTTP, on a filled data folder: about 50 people at
once (200 mixed requests/s: register pages of 50, register pages of 200, searches), then the
same requests one at a time. p50/p95/p99 ms per kind of request; nothing is asserted.

    python3 benches/scripts/import_tree.py 100000     # fills a data folder, prints its path
    TARGET=target/release python3 benches/scripts/register_load.py DATA_DIR [SECONDS] [PEOPLE] [RATE]

The data folder's admin password is the one import_tree.py sets (`quan-tri-do-luong-1`).
"""
import json, os, random, statistics, subprocess, sys, threading, time, urllib.parse, urllib.request

data = sys.argv[1]
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 60
people = int(sys.argv[3]) if len(sys.argv) > 3 else 50
rate = float(sys.argv[4]) if len(sys.argv) > 4 else 200
target = os.environ.get("TARGET", os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "release"))
base = "http://127.0.0.1:18093/api/v1"

server = subprocess.Popen([os.path.join(target, "hoso"), "--data-dir", data, "serve", "--listen", "127.0.0.1:18093"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

def call(path, token=None, body=None):
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token: headers["Authorization"] = "Bearer " + token
    req = urllib.request.Request(base + path, json.dumps(body).encode() if body is not None else None, headers)
    with urllib.request.urlopen(req, timeout=60) as reply:
        return json.loads(reply.read())

token = None
for _ in range(300):
    try:
        token = call("/auth/login", body={"username": "admin", "password": "quan-tri-do-luong-1"})["token"]
        break
    except Exception:
        time.sleep(0.2)
if token is None:
    server.terminate()
    raise SystemExit("the server did not answer")
first = call("/documents?per_page=1", token)
total = first["total"]  # at most 10,000: lists count no further
shown_total = f"{total}" if first.get("total_exact", True) else f"{total}+"
# Words people type: subjects of agency papers, with and without diacritics.
words = ["đánh giá nội bộ", "khắc phục", "quy trình tiếp nhận", "hồ sơ", "mục tiêu chất lượng",
         "xem xét của lãnh đạo", "danh gia noi bo", "khac phuc", "ban chi dao iso", "kiểm soát tài liệu",
         "rủi ro", "sự hài lòng", "bo phan mot cua", "phân công nhiệm vụ", "thủ tục hành chính",
         "báo cáo tổng kết", "kế hoạch", "cải tiến", "quyết định", "thông báo kết luận"]

def request(kind, rng):
    if kind == "register, 50 a page":
        return f"/documents?per_page=50&page={rng.randint(1, max(1, total // 50))}"
    if kind == "register, 200 a page":
        return f"/documents?per_page=200&page={rng.randint(1, max(1, total // 200))}&sort=code"
    return "/search?q=" + urllib.parse.quote(rng.choice(words))

kinds = [("register, 50 a page", 0.4), ("register, 200 a page", 0.1), ("search", 0.5)]
def pick(rng):
    roll, seen = rng.random(), 0.0
    for kind, share in kinds:
        seen += share
        if roll < seen:
            return kind
    return kinds[-1][0]

def timed(path):
    started = time.perf_counter()
    call(path, token)
    return (time.perf_counter() - started) * 1000

times, errors, lock = {kind: [] for kind, _ in kinds}, [], threading.Lock()
def person(n, until):
    rng = random.Random(n)
    gap = people / rate  # each person's pace, so that all together make `rate` requests/s
    next_at = time.perf_counter() + rng.random() * gap
    while True:
        now = time.perf_counter()
        if now >= until:
            return
        if next_at > now:
            time.sleep(next_at - now)
        next_at += gap
        kind = pick(rng)
        try:
            ms = timed(request(kind, rng))
            with lock:
                times[kind].append(ms)
        except Exception as error:  # counted and shown, not fatal
            with lock:
                errors.append(str(error))

def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]

def report(title, elapsed):
    print(title)
    done = sum(len(v) for v in times.values())
    print(f"  {done} requests in {elapsed:.0f} s = {done / elapsed:.0f}/s, {len(errors)} errors")
    for kind, values in times.items():
        if values:
            print(f"  {kind:<22} n={len(values):>6}  p50 {pct(values, .5):7.1f}  p95 {pct(values, .95):7.1f}  "
                  f"p99 {pct(values, .99):7.1f} ms")

try:
    for _ in range(20):  # warm the page cache and the index readers
        timed(request("register, 200 a page", random.Random(0)))
        timed(request("search", random.Random(_)))
    print(f"{shown_total} documents; {people} people at {rate:.0f} requests/s for {seconds:.0f} s")
    started = time.perf_counter()
    crowd = [threading.Thread(target=person, args=(n, started + seconds)) for n in range(people)]
    for thread in crowd: thread.start()
    for thread in crowd: thread.join()
    report("under load", time.perf_counter() - started)
    for values in times.values(): values.clear()
    errors.clear()
    rng = random.Random(7)
    started = time.perf_counter()
    for kind, _ in kinds:
        for _ in range(60):
            times[kind].append(timed(request(kind, rng)))
    report("one request at a time", time.perf_counter() - started)
finally:
    server.terminate()
    server.wait()
