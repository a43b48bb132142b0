"""Helpers for scripts/bench-api and scripts/bench-scale: register a user, time submissions
one at a time from POST to done (e2e), or submit a burst at once and measure throughput."""
import json, statistics, sys, time, urllib.request, uuid

def call(base, method, path, body=None, token=None):
    req = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body is not None else None)
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", "Bearer " + token)
    with urllib.request.urlopen(req) as r:
        return json.load(r)

def e2e(base, token, count, code):
    times, accepted = [], 0
    for i in range(count + 1):
        start = time.perf_counter()
        sid = call(base, "POST", "/api/v1/submissions", {"challenge": "counter", "code": code}, token)["id"]
        while True:
            s = call(base, "GET", "/api/v1/submissions/" + sid, token=token)
            if s["status"] == "done":
                break
            time.sleep(0.005)
        if i > 0:  # the first one also launches Chromium
            times.append((time.perf_counter() - start) * 1000)
            accepted += s["verdict"] == "accepted"
    times.sort()
    p = lambda q: times[min(len(times) - 1, int(q * len(times)))]
    print(f"  {count} submissions, {accepted} accepted; submit-to-result ms: p50 {p(0.5):.0f}, p90 {p(0.9):.0f}, max {times[-1]:.0f}, mean {statistics.mean(times):.0f}")

def burst(base, token, count, code):
    start = time.perf_counter()
    ids = [call(base, "POST", "/api/v1/submissions", {"challenge": "counter", "code": code}, token)["id"] for _ in range(count)]
    pending, accepted = set(ids), 0
    while pending:
        for sid in list(pending):
            s = call(base, "GET", "/api/v1/submissions/" + sid, token=token)
            if s["status"] == "done":
                pending.discard(sid)
                accepted += s["verdict"] == "accepted"
        time.sleep(0.05)
    elapsed = time.perf_counter() - start
    print(f"  {count} submissions at once, {accepted} accepted, all done in {elapsed:.1f} s: {count / elapsed:.2f} submissions/s")

def main():
    base, what = sys.argv[1], sys.argv[2]
    if what == "register":
        name = "bench" + uuid.uuid4().hex[:8]
        print(call(base, "POST", "/api/v1/auth/register", {"username": name, "email": name + "@example.com", "password": "benchmark!"})["token"])
        return
    token, count = sys.argv[3], int(sys.argv[4])
    code = open("challenges/counter/reference.jsx").read()
    (burst if what == "burst" else e2e)(base, token, count, code)

main()
