#!/usr/bin/env python3
"""Issue 24, check 2, for real: a load generator sends events to `lstmrec serve --journal DIR`, the server is killed
with SIGKILL at a random moment, a new server starts on the same journal, and every acknowledged event must be in the
users' histories exactly once, in order.

Each user belongs to one sender thread, which sends that user's events one request at a time, so after the kill a
user's events in the restarted server's history must be exactly the first A or A + B events that were sent for it,
where A counts the acknowledged ones and B the events of the one request that was in flight when the server died
(durable or not: it was never acknowledged, so either is correct). Anything else -- a missing acknowledged event, a
duplicate, an event out of order, an event never sent -- fails the check (exit status 1). Then the senders send
the rest of the planned events to the restarted server (so all of --events are sent; the in-flight requests are not
retried), and the same check runs on the final histories.

  python3 serve/scripts/kill-restart-check.py --jar cli/target/lstmrec.jar --model ml.lstmrec \
      [--events 100000] [--senders 16] [--port 18089] [--seed N]

Events use the model's ML-100K-style ids (users 1..943, items 1..1682) plus ~10% items no model knows (kept, not
scored). Request sizes are drawn from 1, 1, 1, 10 and 100 events.
"""
import argparse
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time


def start_server(jar, model, journal, port, log):
    cmd = ["java", "--add-modules", "jdk.incubator.vector", "-jar", jar, "serve", "--model", model,
           "--journal", journal, "--port", str(port)]
    proc = subprocess.Popen(cmd, stdout=log, stderr=log)
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}; see {log.name}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/health")
            if c.getresponse().status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not come up within 120 s")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jar", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--senders", type=int, default=16)
    ap.add_argument("--users", type=int, default=943)
    ap.add_argument("--items", type=int, default=1682)
    ap.add_argument("--port", type=int, default=18089)
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rnd = random.Random(seed)
    work = tempfile.mkdtemp(prefix="lstmrec-kill-")
    journal = os.path.join(work, "journal")
    log = open(os.path.join(work, "server.log"), "w")
    print(f"seed {seed}; journal {journal}; server log {log.name}")

    # The events, planned up front: per request (sender, user, [items]).
    users = [str(u) for u in range(1, args.users + 1)]
    plan = [[] for _ in range(args.senders)]
    total = 0
    serial = 0
    while total < args.events:
        n = min(rnd.choice([1, 1, 1, 10, 100]), args.events - total)
        user = rnd.choice(users)
        items = []
        for _ in range(n):
            serial += 1
            items.append(f"new-{serial}" if rnd.random() < 0.1 else str(rnd.randint(1, args.items)))
        plan[int(user) % args.senders].append((user, items))
        total += n
    kill_after = rnd.randint(args.events // 10, args.events * 9 // 10)  # acknowledged events before the kill

    server = start_server(args.jar, args.model, journal, args.port, log)
    acked = {}        # user -> acknowledged events, in order
    inflight = {}     # user -> the events of the request in flight at the kill
    sent = {}         # user -> every event sent, in order
    lock = threading.Lock()
    count = [0]
    dead = threading.Event()
    progress = [0] * args.senders  # per sender: the next planned request

    def sender(s, acked, may_kill):
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
        while progress[s] < len(plan[s]):
            user, items = plan[s][progress[s]]
            progress[s] += 1
            if dead.is_set():
                progress[s] -= 1
                return
            body = json.dumps({"user": user, "item": items[0]} if len(items) == 1 else
                              {"events": [{"user": user, "item": i} for i in items]})
            with lock:
                sent.setdefault(user, []).extend(items)
            try:
                conn.request("POST", "/events", body, {"Content-Type": "application/json"})
                r = conn.getresponse()
                r.read()
                ok = r.status == 200
            except (OSError, http.client.HTTPException):  # refused, reset, or an answer cut off by the kill
                ok = False
            with lock:
                if not ok:
                    inflight[user] = items
                    dead.set()
                    return
                acked.setdefault(user, []).extend(items)
                count[0] += len(items)
                if may_kill and count[0] >= kill_after and not dead.is_set():
                    os.kill(server.pid, signal.SIGKILL)  # kill -9, mid-load: other senders have requests in flight
                    dead.set()

    t0 = time.time()
    threads = [threading.Thread(target=sender, args=(s, acked, True)) for s in range(args.senders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    server.wait()
    seconds = time.time() - t0
    n_acked = sum(len(v) for v in acked.values())
    n_sent = sum(len(v) for v in sent.values())
    n_inflight = sum(len(v) for v in inflight.values())
    print(f"sent {n_sent:,} events in {seconds:.1f} s; {n_acked:,} acknowledged before the SIGKILL "
          f"(planned after {kill_after:,}); {n_inflight:,} in {len(inflight)} requests in flight")

    server = start_server(args.jar, args.model, journal, args.port, log)
    try:
        problems, found, in_flight_kept, position = check(args.port, sent, acked, {}, inflight)
        print(f"after restart: {found:,} of {n_acked:,} acknowledged events found, each once and in order; "
              f"{in_flight_kept:,} unacknowledged in-flight events were durable; journal position {position:,}")
        if position != n_acked + in_flight_kept:
            problems.append(f"journal holds {position} events, expected {n_acked + in_flight_kept}")
        # The rest of the plan, to the restarted server.
        dead.clear()
        later = {}
        t0 = time.time()
        threads = [threading.Thread(target=sender, args=(s, later, False)) for s in range(args.senders)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        n_later = sum(len(v) for v in later.values())
        print(f"then sent the remaining {n_later:,} events in {time.time() - t0:.1f} s "
              f"({n_sent + n_later:,} sent in all, {n_inflight:,} of them in flight at the kill and not retried)")
        more, found2, _, position2 = check(args.port, sent, acked, later, inflight)
        problems += more
        print(f"final: {found2:,} of {n_acked + n_later:,} acknowledged events found, each once and in order;"
              f" journal position {position2:,}")
        if dead.is_set():
            problems.append("a request to the restarted server failed")
    finally:
        server.terminate()
        server.wait()
    if problems:
        print(f"FAILED: {len(problems)} problem(s)")
        for p in problems[:20]:
            print("  " + p)
        return 1
    print("OK: every acknowledged event is in the histories, nothing duplicated")
    shutil.rmtree(work)
    return 0


def check(port, sent, before, after, inflight):
    """Each user's events must be before + after or before + in-flight + after. Returns problems, found, kept, position."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    problems = []
    found = kept = 0
    for user in sorted(sent, key=int):
        conn.request("GET", f"/users/{user}/history")
        h = json.loads(conn.getresponse().read())
        events = h["history"][h["stored"]:]
        a, b, c = before.get(user, []), inflight.get(user, []), after.get(user, [])
        if events == a + c:
            found += len(a) + len(c)
        elif b and events == a + b + c:
            found += len(a) + len(c)
            kept += len(b)
        else:
            want = a + b + c
            diff = next((i for i, (x, y) in enumerate(zip(events, want)) if x != y), min(len(events), len(want)))
            problems.append(f"user {user}: {len(events)} events, {len(a) + len(c)} acknowledged (+{len(b)} in flight);"
                            f" first difference at {diff}")
    conn.request("GET", "/info")
    position = json.loads(conn.getresponse().read())["live"]["journal_position"]
    return problems, found, kept, position


if __name__ == "__main__":
    sys.exit(main())
