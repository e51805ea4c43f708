#!/usr/bin/env python3
"""Job lanes, measured against a running hoso: how soon a one-page text upload is searchable
while a 30-page scan is read by OCR, and how two scans uploaded together take turns.

    pdfunite $(printf 'tests/fixtures/scan.pdf %.0s' $(seq 30)) scan30.pdf
    pdfunite $(printf 'tests/fixtures/scan.pdf %.0s' $(seq 6)) scan6.pdf
    HOSO_BOOTSTRAP_PASSWORD=quan-tri-do-luong-1 hoso --data-dir DIR serve --listen 127.0.0.1:18090 &
    python3 benches/scripts/lanes.py text-beside-ocr     # then again on a fresh DIR:
    python3 benches/scripts/lanes.py two-scans

Needs Tesseract with Vietnamese and pdftoppm. Prints the seconds; nothing is asserted.
"""
import json, subprocess, time, urllib.request, uuid, sys, os

BASE = "http://127.0.0.1:18090/api/v1"
def call(method, path, token=None, body=None, raw=None, ctype=None):
    headers = {}
    data = None
    if token: headers["Authorization"] = "Bearer " + token
    if body is not None:
        data = json.dumps(body).encode(); headers["Content-Type"] = "application/json"
    if raw is not None:
        data = raw; headers["Content-Type"] = ctype
    req = urllib.request.Request(BASE + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req) as r: return json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        raise SystemExit(f"{method} {path}: {e.code} {e.read()[:300]}")

def upload(token, doc, name, data):
    b = "b" + uuid.uuid4().hex
    body = (f"--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\r\n").encode() + data + f"\r\n--{b}--\r\n".encode()
    return call("POST", f"/documents/{doc}/versions", token, raw=body, ctype=f"multipart/form-data; boundary={b}")

token = call("POST", "/auth/login", body={"username": "admin", "password": "quan-tri-do-luong-1"})["token"]
agency = call("POST", "/agencies", token, {"code": "SKHCN", "name": "Sở KH&CN", "kind": "department"})["id"]
def doc(code):
    return call("POST", "/documents", token, {"agency_id": agency, "code": code, "title": "Hồ sơ " + code, "kind": "procedure"})["id"]
def searchable(word):
    return call("GET", f"/search?q={word}", token)["total"] > 0

scenario = sys.argv[1]
if scenario == "text-beside-ocr":
    a, b = doc("SCAN-30"), doc("TXT-01")
    upload(token, a, "scan30.pdf", open("scan30.pdf", "rb").read())
    time.sleep(3)  # the scan's OCR is under way
    started = time.time()
    upload(token, b, "ghichu.txt", "Biên bản họp xemxetlai chất lượng".encode())
    while not searchable("xemxetlai"):
        time.sleep(0.05)
    print(f"one-page text searchable after {time.time() - started:.2f} s while the 30-page scan is read")
    v = call("GET", f"/documents/{a}", token)["versions"][0]["extraction"]
    print("scan at that moment:", v["status"], v.get("ocr_pages_done"), "/", v.get("ocr_pages_total"))
elif scenario == "two-scans":
    a, b = doc("SCAN-A"), doc("SCAN-B")
    started = time.time()
    va = upload(token, a, "a.pdf", open("scan6.pdf", "rb").read())["id"]
    vb = upload(token, b, "b.pdf", open("scan6.pdf", "rb").read())["id"]
    marks = {}
    while len(marks) < 4:
        for name, v in (("A", va), ("B", vb)):
            e = call("GET", f"/versions/{v}", token)["extraction"]
            done = e.get("ocr_pages_done") or 0
            if done >= 1 and name + "1" not in marks: marks[name + "1"] = time.time() - started
            if e["status"] == "done" and name + "done" not in marks: marks[name + "done"] = time.time() - started
        time.sleep(0.2)
    print("two 6-page scans uploaded together:", {k: round(v, 1) for k, v in sorted(marks.items(), key=lambda kv: kv[1])})
