#!/usr/bin/env python3
"""`hoso import` of an agency's folder, timed: files/s to import in force, extract and index
(the import does all three when no server holds the index), and a second run over the unchanged
folder (everything skipped).

    cargo build --release --bin hoso -p hoso && cargo build --release -p hoso-bench
    python3 benches/scripts/import_tree.py 10000      # TARGET=target/release by default

Prints the numbers; nothing is asserted.
"""
import json, os, subprocess, sys, tempfile, time, urllib.request

docs = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
target = os.environ.get("TARGET", os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "release"))
hoso = os.path.join(target, "hoso")
work = tempfile.mkdtemp(prefix="hoso-import-")
tree, data = os.path.join(work, "tree"), os.path.join(work, "data")
subprocess.run([os.path.join(target, "hoso-bench"), "--docs", str(docs), "--write-tree", tree], check=True)
size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(tree) for f in fs)

# The agency the folder belongs to, made through the API of a short-lived server.
env = dict(os.environ, HOSO_BOOTSTRAP_PASSWORD="quan-tri-do-luong-1")
server = subprocess.Popen([hoso, "--data-dir", data, "serve", "--listen", "127.0.0.1:18091"], env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
def call(path, body, token=None):
    headers = {"Content-Type": "application/json"}
    if token: headers["Authorization"] = "Bearer " + token
    req = urllib.request.Request("http://127.0.0.1:18091/api/v1" + path, json.dumps(body).encode(), headers)
    with urllib.request.urlopen(req) as reply: return json.loads(reply.read())
for _ in range(100):
    try:
        token = call("/auth/login", {"username": "admin", "password": "quan-tri-do-luong-1"})["token"]
        break
    except Exception:
        time.sleep(0.2)
call("/agencies", {"code": "SKHCN", "name": "Sở Khoa học và Công nghệ", "kind": "department"}, token)
server.terminate(); server.wait()

def timed(*extra):
    """Seconds until the import's summary (files recorded), seconds in all, and what it said."""
    started = time.time()
    run = subprocess.Popen([hoso, "--data-dir", data, "import", tree, "--agency", "SKHCN", *extra],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    recorded, said = None, []
    for line in run.stdout:
        said.append(line.strip())
        if recorded is None and line.startswith("imported"):
            recorded = time.time() - started
    if run.wait() != 0:
        raise SystemExit(f"hoso import failed: {said}")
    return recorded or 0.0, time.time() - started, said

recorded, first, said = timed("--effective-from", "2026-01-05")
_, again, said_again = timed("--effective-from", "2026-01-05")
print(f"{docs} files, {size / 1e6:.1f} MB of text")
print(f"import in force + extract + index: {first:.1f} s = {docs / first:.0f} files/s  ({said[0]})")
print(f"  of which recording the files: {recorded:.1f} s = {docs / recorded:.0f} files/s; "
      f"extracting and indexing: {first - recorded:.1f} s")
print(f"second run, all unchanged: {again:.1f} s = {docs / again:.0f} files/s  ({said_again[0]})")
for line in said + said_again:
    if line.startswith("failed:"):
        print("  " + line)
print(f"data folder (for register_load.py): {data}")
