#!/usr/bin/env python3
"""plots/trace.py - draw a gilt --trace file as a PNG with gnuplot: one row
per thread, each slice coloured by its state (holding the GIL green,
waiting for it blue, blocked orange, running without it grey), the
hand-off arrows in black and the drop-request arrows in red.  For a look
at a run without a browser; Perfetto shows more.

    plots/trace.py TRACE.json OUT.png [--from MS] [--to MS] [--width PX]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

COLOURS = {  # category -> colour (the trace's own cnames, close enough)
    "gil.holding": "#7ec894",
    "gil.waiting": "#85a0d2",
    "blocked": "#ff8c00",
    "nogil": "#7d7d7d",
}
ARROWS = {"gil.handoff": "#000000", "gil.drop": "#d00000"}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("trace")
    ap.add_argument("png")
    ap.add_argument("--from", dest="t0", type=float, default=None, help="start, ms")
    ap.add_argument("--to", dest="t1", type=float, default=None, help="end, ms")
    ap.add_argument("--width", type=int, default=1600)
    a = ap.parse_args()
    with open(a.trace) as f:
        events = json.load(f)["traceEvents"]
    names = {e["tid"]: e["args"]["name"] for e in events
             if e["ph"] == "M" and e["name"] == "thread_name"}
    rows = {tid: i for i, tid in enumerate(sorted(names))}
    ends = [e["ts"] + e.get("dur", 0) for e in events if "ts" in e]
    t0 = a.t0 if a.t0 is not None else 0.0
    t1 = a.t1 if a.t1 is not None else max(ends) / 1e3

    def visible(start_ms, end_ms):
        return end_ms >= t0 and start_ms <= t1

    tmp = tempfile.mkdtemp()
    boxes = os.path.join(tmp, "boxes")
    arrows = os.path.join(tmp, "arrows")
    instants = os.path.join(tmp, "instants")
    with open(boxes, "w") as b:
        for e in events:
            if e["ph"] != "X" or e["tid"] not in rows:
                continue
            s, d = e["ts"] / 1e3, e["dur"] / 1e3
            if not visible(s, s + d):
                continue
            y = rows[e["tid"]]
            colour = int(COLOURS.get(e["cat"], "#ff00ff")[1:], 16)
            b.write("%.6f %d %.6f %.6f %.3f %.3f %d\n"
                    % (s + d / 2, y, max(s, t0), min(s + d, t1), y - 0.35, y + 0.35, colour))
    flows = {}
    for e in events:
        if e["ph"] in ("s", "f"):
            flows.setdefault((e["cat"], e["id"]), {})[e["ph"]] = e
    with open(arrows, "w") as f:
        for (cat, _), ends_ in flows.items():
            if "s" not in ends_ or "f" not in ends_:
                continue
            s, t = ends_["s"], ends_["f"]
            xs, xf = s["ts"] / 1e3, t["ts"] / 1e3
            if not visible(min(xs, xf), max(xs, xf)):
                continue
            ys, yf = rows.get(s["tid"]), rows.get(t["tid"])
            if ys is None or yf is None:
                continue
            # From the edge of the source row to the edge of the target's.
            dy = 0.35 if yf > ys else -0.35
            f.write("%.6f %.3f %.6f %.3f %d\n" % (xs, ys + dy, xf - xs, (yf - dy) - (ys + dy),
                                                  int(ARROWS.get(cat, "#ff00ff")[1:], 16)))
    with open(instants, "w") as f:
        for e in events:
            if e["ph"] == "i" and e["cat"] == "gil.drop" and e["tid"] in rows \
                    and t0 <= e["ts"] / 1e3 <= t1:
                f.write("%.6f %d\n" % (e["ts"] / 1e3, rows[e["tid"]]))
    labels = ", ".join('"%s" %d' % (names[tid].replace('"', "'"), i) for tid, i in rows.items())
    height = 140 + 60 * len(rows)
    script = """
set terminal pngcairo size {w},{h} font "sans,10"
set output "{png}"
set xrange [{t0}:{t1}]
set yrange [-0.7:{ymax}]
set ytics ({labels})
set xlabel "ms from the start of recording"
set grid xtics
set key outside top center horizontal
set style fill solid 1.0 noborder
plot "{boxes}" using 1:2:3:4:5:6:7 with boxxyerror lc rgb variable notitle, \\
     NaN with boxes lc rgb "{hold}" title "holding the GIL", \\
     NaN with boxes lc rgb "{wait}" title "waiting for the GIL", \\
     NaN with boxes lc rgb "{blocked}" title "blocked on ...", \\
     NaN with boxes lc rgb "{nogil}" title "running without the GIL", \\
     "{instants}" using 1:($2+0.42) with points pt 11 ps 0.6 lc rgb "#d00000" title "drop request / forced release", \\
     "{arrows}" using 1:2:3:4:5 with vectors head filled size screen 0.006,20 lw 1 lc rgb variable notitle, \\
     NaN with vectors lc rgb "#000000" title "hand-off", \\
     NaN with vectors lc rgb "#d00000" title "drop request -> forced release"
""".format(w=a.width, h=height, png=a.png, t0=t0, t1=t1, ymax=len(rows) - 0.3, labels=labels,
           boxes=boxes, arrows=arrows, instants=instants, hold=COLOURS["gil.holding"],
           wait=COLOURS["gil.waiting"], blocked=COLOURS["blocked"], nogil=COLOURS["nogil"])
    gp = os.path.join(tmp, "trace.gp")
    with open(gp, "w") as f:
        f.write(script)
    r = subprocess.run(["gnuplot", gp])
    for p in (boxes, arrows, instants, gp):
        os.remove(p)
    os.rmdir(tmp)
    return r.returncode


if __name__ == "__main__":
    sys.exit(main())
