#!/usr/bin/env python3
"""tests/record_check.py - check one run's recordings against the file
formats and against each other (run by tests/record.sh).

    record_check.py --stats S.csv --trace T.json --hist H.csv [--program P.py]

--trace is checked against the trace-event format: valid JSON, every event
has name, ph, pid, tid, cat (and ts unless it is metadata), B/E pairs and
complete events nest properly on each thread (no two slices of one thread
overlap unless one contains the other), every flow start has exactly one
finish (same id, cat and name; the finish binds to its enclosing slice),
both inside a slice of their thread: a hand-off from one thread's hold to
another's, a drop request from a waiter's request to a forced release at
the end of a hold.  Each state keeps one name, category and colour.

--stats must agree with the trace, thread by thread: held_ms is the sum of
the "holding the GIL" slices and wait_ms of the "waiting for the GIL" ones
(to the rounding of the CSV: 0.5 us), acquisitions the number of holding
slices, io_releases the number of slices without the GIL, drop_requests
the number of forced releases, switched_in the hand-off arrows into the
thread (plus its first acquisition if nobody held the lock before).

--hist must redraw its histograms: per histogram the bucket counts add up
to the summary's count, the buckets are increasing and disjoint, min and
max fall in the first and last bucket, each percentile is the top of the
bucket holding its rank; gil_wait counts every acquisition and
io_to_running every return from a blocking call.  Both CSV files carry the
run's settings, the OS model figure by figure (empty in real mode).

With --program, every line of it marked "# BLOCK <name>" must be the
"at" of a slice called <name>.

Exit status 0, or 1 with one line per failed check.
"""
import argparse
import bisect
import csv
import json
import os
import re
import sys
from collections import Counter, defaultdict

failures = []


def fail(msg):
    failures.append(msg)


def ns(us):
    """Trace microseconds (three decimals) as integer nanoseconds."""
    return round(us * 1000)


# ---- the trace-event format -----------------------------------------------

STATES = {  # name (or prefix) -> category, colour
    "holding the GIL": ("gil.holding", "thread_state_running"),
    "waiting for the GIL": ("gil.waiting", "thread_state_runnable"),
    "blocked on ": ("blocked", "thread_state_iowait"),
    "running without the GIL": ("nogil", "generic_work"),
}


def state_of(name):
    for key in STATES:
        if name == key or (key.endswith(" ") and name.startswith(key)):
            return key
    return None


def check_format(events):
    stacks = defaultdict(list)      # (pid, tid) -> open B events
    slices = defaultdict(list)      # (pid, tid) -> [(start, end, event)]
    flows = defaultdict(lambda: {"s": [], "t": [], "f": []})
    looks = {}
    for i, e in enumerate(events):
        where = "event %d (%s)" % (i, e.get("name"))
        for key in ("name", "ph", "pid", "tid", "cat"):
            if key not in e:
                fail("%s has no %s" % (where, key))
        ph = e.get("ph")
        if ph != "M" and not isinstance(e.get("ts"), (int, float)):
            fail("%s has no numeric ts" % where)
            continue
        if not isinstance(e.get("cat"), str) or not e.get("cat"):
            fail("%s: cat is not a non-empty string" % where)
        key = (e.get("pid"), e.get("tid"))
        if ph == "X":
            dur = e.get("dur")
            if not isinstance(dur, (int, float)) or dur < 0:
                fail("%s: bad dur %r" % (where, dur))
                continue
            slices[key].append((ns(e["ts"]), ns(e["ts"]) + ns(dur), e))
            state = state_of(e["name"])
            if state is None:
                fail("%s: a slice gilt does not name" % where)
            else:
                look = (e["cat"], e.get("cname"))
                if look != STATES[state]:
                    fail("%s: %r looks like %r, not %r" % (where, state, look, STATES[state]))
                looks.setdefault(e["name"], look)
                if state in ("blocked on ", "running without the GIL"):
                    at = e.get("args", {}).get("at", "")
                    if not re.match(r"^.+:\d+$", at):
                        fail("%s: no file:line where it left the GIL (%r)" % (where, at))
        elif ph == "B":
            stacks[key].append(e)
        elif ph == "E":
            if not stacks[key]:
                fail("%s: E without a B" % where)
            else:
                b = stacks[key].pop()
                slices[key].append((ns(b["ts"]), ns(e["ts"]), b))
        elif ph in ("s", "t", "f"):
            if "id" not in e:
                fail("%s: a flow event without an id" % where)
                continue
            flows[(e["cat"], e["name"], e["id"])][ph].append(e)
        elif ph in ("i", "I"):
            if e.get("s", "t") not in ("t", "p", "g"):
                fail("%s: bad instant scope %r" % (where, e.get("s")))
        elif ph != "M":
            fail("%s: unexpected phase %r" % (where, ph))
    for key, stack in stacks.items():
        if stack:
            fail("thread %r: %d B events never ended" % (key, len(stack)))
    # Slices of one thread nest or follow each other, never overlap.
    for key, spans in slices.items():
        spans.sort(key=lambda s: (s[0], -s[1]))
        open_ends = []
        for start, end, e in spans:
            while open_ends and open_ends[-1] <= start:
                open_ends.pop()
            if open_ends and end > open_ends[-1]:
                fail("thread %r: %r at %d ns overlaps the slice before it by %d ns"
                     % (key, e["name"], start, open_ends[-1] - start))
            open_ends.append(end)

    starts = {key: [s[0] for s in spans] for key, spans in slices.items()}

    def enclosing(key, t):
        # Sorted by start, the innermost slice that can enclose t is the
        # last to start by then; a parent (slices nest) starts a little
        # before it.
        spans = slices.get(key, [])
        i = bisect.bisect_right(starts.get(key, []), t) - 1
        for j in range(i, max(i - 64, -1), -1):
            if spans[j][0] <= t <= spans[j][1]:
                return spans[j][2]
        return None

    instants = defaultdict(list)   # (tid, name) -> sorted ns
    for e in events:
        if e.get("ph") == "i":
            instants[(e.get("tid"), e.get("name"))].append(ns(e["ts"]))
    for v in instants.values():
        v.sort()

    def instant_near(tid, name, lo, hi):
        v = instants.get((tid, name), [])
        i = bisect.bisect_left(v, lo)
        return i < len(v) and v[i] <= hi

    arrows = defaultdict(list)
    for (cat, name, fid), f in flows.items():
        if len(f["s"]) != 1 or len(f["f"]) != 1:
            fail("flow %s/%s id %r: %d starts, %d finishes"
                 % (cat, name, fid, len(f["s"]), len(f["f"])))
            continue
        s, t = f["s"][0], f["f"][0]
        if t.get("bp") != "e":
            fail("flow %r id %r: the finish does not bind to its enclosing slice" % (name, fid))
        if ns(s["ts"]) > ns(t["ts"]):
            fail("flow %r id %r goes back in time" % (name, fid))
        around = []
        for end in (s, t):
            around.append(enclosing((end["pid"], end["tid"]), ns(end["ts"])))
            if around[-1] is None:
                fail("flow %r id %r: an end outside every slice of thread %r"
                     % (name, fid, end["tid"]))
        if None not in around and name == "GIL hand-off":
            # From a hold to the hold of another thread.
            if [x["name"] for x in around] != ["holding the GIL"] * 2 or s["tid"] == t["tid"]:
                fail("hand-off id %r joins %r to %r" % (fid, around[0]["name"], around[1]["name"]))
        if None not in around and name == "drop request":
            # From a waiter that asked (the instant may be stamped a little
            # later in virtual time) to the end of a hold that was let go.
            hold = around[1]
            end = ns(hold["ts"]) + ns(hold["dur"])
            if (around[0]["name"] != "waiting for the GIL" or hold["name"] != "holding the GIL"
                    or not instant_near(s["tid"], "drop request", ns(s["ts"]), ns(s["ts"]) + 1000)
                    or not instant_near(t["tid"], "forced release", end, end)):
                fail("drop-request arrow id %r does not join a request to a forced release" % fid)
        arrows[name].append((s, t))
    return slices, arrows


# ---- --stats against the trace --------------------------------------------

def read_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    if not rows:
        fail("%s is empty" % path)
        return [], []
    header = rows[0]
    for i, r in enumerate(rows[1:], 2):
        if len(r) != len(header):
            fail("%s line %d has %d cells, the header %d" % (path, i, len(r), len(header)))
    return header, [dict(zip(header, r)) for r in rows[1:]]


def check_settings(path, header, rows, mode):
    """The run's settings and its OS model, a figure a column."""
    for col in ("policy", "switch_interval_s", "check_interval", "force_switching", "cores",
                "mode", "seed", "costs"):
        if col not in header:
            fail("%s: no %s column" % (path, col))
    model = [c for c in header if c.startswith("os_")]
    if len(model) < 10:
        fail("%s: only %d os_ columns" % (path, len(model)))
    if "os_model" in header:
        fail("%s: the OS model is still packed in one cell" % path)
    for r in rows:
        if r.get("mode") != mode:
            fail("%s: mode %r, not %r" % (path, r.get("mode"), mode))
        for c in model:
            v = r[c]
            if (mode == "sim") != bool(re.fullmatch(r"\d+", v)) or (mode != "sim" and v):
                fail("%s: %s is %r in %s mode" % (path, c, v, mode))
    return {c: rows[0].get(c) for c in header[:7] + model + ["costs"]} if rows else {}


def check_stats(path, slices, arrows, events, daemons):
    header, rows = read_csv(path)
    if not rows:
        return None, rows
    mode = rows[0]["mode"]
    settings = check_settings(path, header, rows, mode)
    by_tid = defaultdict(list)
    for (pid, tid), spans in slices.items():
        by_tid[tid] += spans
    forced = Counter(e["tid"] for e in events if e["ph"] == "i" and e["name"] == "forced release")
    names = {e["tid"]: e["args"]["name"] for e in events
             if e["ph"] == "M" and e["name"] == "thread_name"}
    handoffs_in = Counter(t["tid"] for s, t in arrows.get("GIL hand-off", []))
    total_switched = 0
    for r in rows:
        tid = int(r["thread"])
        if tid not in names:
            fail("thread %d of --stats has no track in the trace" % tid)
        elif names[tid] != r["name"]:
            fail("thread %d is %r in --stats, %r in the trace" % (tid, r["name"], names[tid]))
        spans = by_tid[tid]
        holds = [s for s in spans if s[2]["name"] == "holding the GIL"]
        waits = [s for s in spans if s[2]["name"] == "waiting for the GIL"]
        off = [s for s in spans if s[2]["cat"] in ("blocked", "nogil")]
        for col, mine in (("held_ms", holds), ("wait_ms", waits)):
            traced = sum(e - s for s, e, _ in mine)
            stated = round(float(r[col]) * 1e6)
            # %.3f ms rounds to 500 ns; one more for the float read back.
            if abs(traced - stated) > 501:
                fail("thread %d (%s): %s %s but the trace sums to %.6f ms"
                     % (tid, r["name"], col, r[col], traced / 1e6))
        for col, count in (("acquisitions", len(holds)), ("io_releases", len(off)),
                           ("drop_requests", forced[tid])):
            # A thread still blocked at the end (--daemons) is inside one
            # more blocking call than the trace has spans of.
            extra = int(r[col]) - count
            if extra != 0 and not (daemons and col == "io_releases" and extra == 1):
                fail("thread %d (%s): %s %s, the trace has %d"
                     % (tid, r["name"], col, r[col], count))
        total_switched += int(r["switched_in"])
        if r["policy"] != "none":
            first = 1 if tid == 1 else 0   # the main thread took a free lock
            if int(r["switched_in"]) - first != handoffs_in[tid]:
                fail("thread %d (%s): switched_in %s, %d hand-offs in the trace"
                     % (tid, r["name"], r["switched_in"], handoffs_in[tid]))
    if rows[0]["policy"] == "none" and handoffs_in:
        fail("--gil none hands the lock off in the trace")
    if len(names) != len(rows):
        fail("the trace has %d threads, --stats %d" % (len(names), len(rows)))
    return settings, rows


# ---- --hist -----------------------------------------------------------------

def check_hist(path, stats_rows, stats_settings, daemons):
    header, rows = read_csv(path)
    if not rows:
        return
    mode = rows[0]["mode"]
    settings = check_settings(path, header, rows, mode)
    if stats_settings is not None and settings != stats_settings:
        fail("--hist and --stats disagree on the run's settings")
    for col in ("kind", "name", "count", "min_us", "p50_us", "p90_us", "p99_us", "p999_us",
                "max_us", "mean_us", "lower_us", "upper_us"):
        if col not in header:
            fail("%s: no %s column" % (path, col))
            return
    summaries = {}
    buckets = defaultdict(list)
    for r in rows:
        if r["kind"] == "summary":
            if r["name"] in summaries:
                fail("%s: two summaries of %r" % (path, r["name"]))
            summaries[r["name"]] = r
        elif r["kind"] == "bucket":
            buckets[r["name"]].append((ns(float(r["lower_us"])), ns(float(r["upper_us"])),
                                       int(r["count"])))
        else:
            fail("%s: kind %r" % (path, r["kind"]))
    for name in buckets:
        if name not in summaries:
            fail("%s: buckets of %r without a summary" % (path, name))
    for name, s in summaries.items():
        b = buckets[name]
        count = int(s["count"])
        if sum(c for _, _, c in b) != count:
            fail("%r: the buckets count %d, the summary %d" % (name, sum(c for _, _, c in b), count))
        if count == 0:
            continue
        for (lo, hi, c), nxt in zip(b, b[1:] + [None]):
            if not lo < hi or c <= 0 or (nxt and hi > nxt[0]):
                fail("%r: bucket [%d, %d) ns of %d is out of order" % (name, lo, hi, c))
        vmin, vmax = ns(float(s["min_us"])), ns(float(s["max_us"]))
        if not b[0][0] <= vmin < b[0][1] or not b[-1][0] <= vmax < b[-1][1]:
            fail("%r: min or max outside the first or last bucket" % name)
        for p, col in ((50, "p50_us"), (90, "p90_us"), (99, "p99_us"), (99.9, "p999_us")):
            rank = max(1, int(p / 100.0 * count + 0.5))
            seen = 0
            for lo, hi, c in b:
                seen += c
                if seen >= rank:
                    want = min(hi - 1, vmax)
                    break
            if ns(float(s[col])) != want:
                fail("%r: %s is %s us, the buckets say %.3f" % (name, col, s[col], want / 1e3))
        mean = ns(float(s["mean_us"]))
        if not vmin - 1 <= mean <= vmax + 1:
            fail("%r: mean %s outside [min, max]" % (name, s["mean_us"]))
    if stats_rows:
        for name, col in (("gil_wait", "acquisitions"), ("io_to_running", "io_releases")):
            want = sum(int(r[col]) for r in stats_rows)
            got = int(summaries[name]["count"]) if name in summaries else -1
            if got != want and not (daemons and col == "io_releases" and got <= want):
                fail("%s counts %d, --stats has %d %s" % (name, got, want, col))


def check_program(program, slices):
    want = {}
    with open(program) as f:
        for i, line in enumerate(f, 1):
            m = re.search(r"# BLOCK (.+?)\s*$", line)
            if m:
                want[(m.group(1), i)] = False
    base = os.path.basename(program)
    for spans in slices.values():
        for _, _, e in spans:
            at = e.get("args", {}).get("at", "")
            file, _, line = at.rpartition(":")
            key = (e["name"], int(line) if line.isdigit() else -1)
            if os.path.basename(file) == base and key in want:
                want[key] = True
    for (name, line), seen in sorted(want.items(), key=lambda kv: kv[0][1]):
        if not seen:
            fail("no %r slice at %s:%d" % (name, base, line))


FLOWS = {"handoff": "GIL hand-off", "drop": "drop request"}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--trace", required=True)
    ap.add_argument("--stats")
    ap.add_argument("--hist")
    ap.add_argument("--program")
    ap.add_argument("--daemons", action="store_true",
                    help="threads may still be blocked when the run ends")
    ap.add_argument("--want-flow", action="append", default=[], choices=sorted(FLOWS),
                    help="arrows that must appear: handoff (GIL hand-off), drop (drop request)")
    a = ap.parse_args()
    try:
        with open(a.trace) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        print("FAIL: %s is not JSON: %s" % (a.trace, e))
        return 1
    events = doc.get("traceEvents") if isinstance(doc, dict) else doc
    if not isinstance(events, list):
        print("FAIL: %s has no traceEvents list" % a.trace)
        return 1
    slices, arrows = check_format(events)
    for key in a.want_flow:
        name = FLOWS[key]
        if not arrows.get(name):
            fail("no %r arrow in the trace" % name)
    settings, stats_rows = (None, [])
    if a.stats:
        settings, stats_rows = check_stats(a.stats, slices, arrows, events, a.daemons)
    if a.hist:
        check_hist(a.hist, stats_rows, settings, a.daemons)
    if a.program:
        check_program(a.program, slices)
    for msg in failures[:40]:
        print("FAIL: " + msg)
    if len(failures) > 40:
        print("FAIL: ... and %d more" % (len(failures) - 40))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
