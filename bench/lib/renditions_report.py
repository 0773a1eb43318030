"""Turns the raw outputs of one bench/renditions.sh into bench/results/<stamp>-renditions.json, its
goals printed MET / SHORT, and a row in the renditions table of bench/RESULTS.md (the section
between its <!-- renditions --> markers, above bench/run.sh's tables). A run of fewer than 200
photos writes <stamp>-renditions-partial.json and no row.
Usage: renditions_report.py RAW_DIR BENCH_DIR STAMP COMMIT DIRTY_FILES ELAPSED_S
(BENCH_PHOTOS, BENCH_HEIC, BENCH_VIDEOS, BENCH_WORKERS, BENCH_API_CONNECTIONS, BENCH_API_DELAY_MS from the
environment)"""
import json
import os
import platform
import statistics
import subprocess
import sys

raw, bench, stamp, commit, dirty, elapsed = sys.argv[1:7]
photos = int(os.environ["BENCH_PHOTOS"])
workers = int(os.environ["BENCH_WORKERS"])
full = photos >= 200


def load(name):
    with open(os.path.join(raw, name + ".json")) as f:
        return json.load(f)


def pct(xs, p):
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, round(p / 100 * len(s) + 0.5) - 1))]


def sh(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=20).stdout.strip()
    except Exception:
        return ""


def wrk(name):
    d = load(name)
    lat = d["latency_us"]
    return {"req_per_s": d["requests"] * 1e6 / d["duration_us"], "requests": d["requests"],
            "errors": sum(d["errors"].values()),
            "latency_ms": {k: lat[k] / 1000 for k in ("p50", "p75", "p90", "p99", "p999", "max", "mean")}}


with open("/proc/cpuinfo") as f:
    cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
with open("/proc/meminfo") as f:
    mem_gb = round(int(f.readline().split()[1]) / 1024 / 1024, 1)
with open(os.path.join(raw, "load-start")) as f:
    load_start = float(f.read().strip())
with open(os.path.join(raw, "corpus-bytes")) as f:
    corpus_bytes = int(f.read().strip())

ref, srv, tasks = load("reference"), load("server"), load("server-tasks")
items = srv["originals"]
ref_cpu = ref["user_s"] + ref["system_s"]
srv_cpu = srv["own_cpu_s"] + srv["children_cpu_s"]
throughput = {
    "originals": items, "corpus_mb": round(corpus_bytes / 1e6, 1), "workers": workers,
    "server": {"seconds": srv["seconds"], "originals_per_s": items / srv["seconds"],
               "cpu_s_per_original": srv_cpu / items, "own_cpu_s_per_original": srv["own_cpu_s"] / items,
               "decoders_cpu_s_per_original": srv["children_cpu_s"] / items,
               "uploads_seconds": srv["upload_seconds"], "files": tasks["files"], "tasks": tasks["tasks"],
               "tasks_failed": tasks["failed"], "task_errors": tasks["errors"]},
    "reference": {"seconds": ref["seconds"], "originals_per_s": items / ref["seconds"],
                  "cpu_s_per_original": ref_cpu / items, "files": ref["files"]},
    # Each chunk: the bare batch, then the server, on every CHUNKS-th original.
    "chunks": [{"reference": r, "server": s} for r, s in zip(ref["chunks"], srv["chunks"])],
}
throughput["rate_ratio"] = throughput["server"]["originals_per_s"] / throughput["reference"]["originals_per_s"]
# CPU: the reference's seconds per original over the server's (higher is better, like the rate).
throughput["cpu_ratio"] = throughput["reference"]["cpu_s_per_original"] / throughput["server"]["cpu_s_per_original"]
burst = tasks["burst_seconds"] or [0]
throughput["server"]["burst_wait_s"] = {"p50": pct(burst, 50), "p99": pct(burst, 99)}

idle, busy = wrk("api-idle"), wrk("api-busy")
api = {"connections": int(os.environ["BENCH_API_CONNECTIONS"]),
       "pause_ms": int(os.environ.get("BENCH_API_DELAY_MS", "25")),
       "path": "GET /api/assets?library_id=<the corpus's library>&limit=50",
       "idle": idle, "busy": busy, **load("api-busy-queue"),
       "p99_ratio": busy["latency_ms"]["p99"] / idle["latency_ms"]["p99"]}

samples = []
with open(os.path.join(raw, "rss.txt")) as f:
    for line in f:
        parts = line.split()
        if len(parts) == 2:
            samples.append((float(parts[0]), int(parts[1]) / 1024))
half = len(samples) // 2
first, second = [s[1] for s in samples[:half]], [s[1] for s in samples[half:]]
rss = {"samples": len(samples), "start_mb": round(samples[0][1]), "end_mb": round(samples[-1][1]),
       "peak_first_half_mb": round(max(first)), "peak_second_half_mb": round(max(second)),
       "median_first_half_mb": round(statistics.median(first)),
       "median_second_half_mb": round(statistics.median(second))}
rss["growth"] = max(second) / max(first)

lat = load("latency")
ref_lat = load("reference-latency")["seconds"]
latency = {"photos": lat["photos"], "via": lat["via"], "poll_s": lat["poll_s"],
           "server_s": lat["thumbnail_s"], "upload_s": lat["upload_s"],
           "reference_s": {"p50": pct(ref_lat, 50), "p99": pct(ref_lat, 99)}}

goals = [
    {"goal": f"renditions per second >= 0.8x the bare libvips batch (xargs -P {workers})",
     "value": throughput["rate_ratio"], "met": throughput["rate_ratio"] >= 0.8},
    {"goal": "CPU-seconds per original: the bare batch's >= 0.8x the server's",
     "value": throughput["cpu_ratio"], "met": throughput["cpu_ratio"] >= 0.8},
    {"goal": "GET /api/assets p99 while renditions run < 2x idle",
     "value": api["p99_ratio"], "met": api["p99_ratio"] < 2},
    {"goal": "RSS flat: the second half's peak <= 1.1x the first half's",
     "value": rss["growth"], "met": rss["growth"] <= 1.1},
]

out = {"stamp": stamp, "commit": commit, "uncommitted_tracked_files": int(dirty), "elapsed_s": int(elapsed),
       "machine": {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": mem_gb, "kernel": platform.release(),
                   "postgres": sh("psql", "-Atq", "-d", "postgres", "-c", "SHOW server_version"),
                   "java": sh("sh", "-c", "java -version 2>&1 | head -1"),
                   "vips": sh("vips", "--version"), "load_avg_at_start": load_start,
                   "load_avg_at_end": os.getloadavg()},
       "throughput": throughput, "api": api, "rss": rss, "upload_to_thumbnail": latency, "goals": goals}

for g in goals:
    print(f"  {'MET  ' if g['met'] else 'SHORT'} {g['goal']}: {g['value']:.2f}", file=sys.stderr)

results = os.path.join(bench, "results")
name = f"{stamp}-renditions" + ("" if full else "-partial")
with open(os.path.join(results, name + ".json"), "w") as f:
    json.dump(out, f, indent=2)
    f.write("\n")
if not full:
    print(f"  fewer than 200 photos: bench/results/{name}.json, no row in bench/RESULTS.md", file=sys.stderr)
    sys.exit(0)


def n(x, d=0):
    return f"{x:,.{d}f}"


t, s, r = throughput, throughput["server"], throughput["reference"]
ms = lambda x: n(x * 1000)  # noqa: E731
cells = [
    stamp,
    f"{os.cpu_count()}× {cpu}, {mem_gb} GB, PG {out['machine']['postgres']}, {out['machine']['vips']}; "
    f"load {load_start:.1f} before the run",
    f"`{commit}`" + (f" +{dirty} uncommitted" if int(dirty) else ""),
    (f"{photos} JPEGs 4000×3000 with camera EXIF, {os.environ['BENCH_HEIC']} HEIC, {os.environ['BENCH_VIDEOS']} "
     f"H.264 MP4s: {t['corpus_mb']} MB; {workers} rendition worker(s)"),
    (f"{s['originals_per_s']:.2f}/s ({n(s['files'])} files); bare batch {r['originals_per_s']:.2f}/s "
     f"({n(r['files'])} files): **{t['rate_ratio']:.2f}×**"),
    (f"{ms(s['cpu_s_per_original'])} ms ({ms(s['decoders_cpu_s_per_original'])} in decoders); bare batch "
     f"{ms(r['cpu_s_per_original'])} ms: **{t['cpu_ratio']:.2f}×**"),
    (f"{n(idle['req_per_s'])} req/s, p99 {n(idle['latency_ms']['p99'], 2)} ms → {n(busy['req_per_s'])} req/s, "
     f"p99 {n(busy['latency_ms']['p99'], 2)} ms: **{api['p99_ratio']:.2f}×**"),
    (f"{rss['start_mb']} MB at the first upload, peaks {rss['peak_first_half_mb']} → {rss['peak_second_half_mb']} MB "
     f"(**{rss['growth']:.2f}×**), {rss['end_mb']} MB at the end"),
    (f"p50 {n(latency['server_s']['p50'], 2)} / p99 {n(latency['server_s']['p99'], 2)} s; bare batch "
     f"p50 {n(latency['reference_s']['p50'], 2)} / p99 {n(latency['reference_s']['p99'], 2)} s; "
     f"in the burst of {items}: p50 {n(s['burst_wait_s']['p50'], 1)} / p99 {n(s['burst_wait_s']['p99'], 1)} s"),
    str(s["tasks_failed"] + idle["errors"] + busy["errors"]),
    f"{sum(1 for g in goals if g['met'])}/{len(goals)}",
    f"{int(elapsed) // 60}m{int(elapsed) % 60:02d}s",
    f"[json](results/{name}.json)",
]
header = ["run (UTC)", "machine", "commit", "corpus", "originals per second (server vs bare libvips)",
          "CPU per original", f"GET /api/assets p99, idle → rendering ({api['connections']} paced connections)",
          "server RSS", "upload → servable thumbnail, one at a time", "errors", "goals met", "run time", "details"]
head = "| " + " | ".join(header) + " |"
row = "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"
md = os.path.join(bench, "RESULTS.md")
with open(md) as f:
    lines = f.read().splitlines()
OPEN, CLOSE = "<!-- renditions -->", "<!-- /renditions -->"
if OPEN not in lines:
    # The section goes above bench/run.sh's tables, which that script keeps appending to the end.
    at = next((i for i, line in enumerate(lines) if line.startswith("| run (UTC) |")), len(lines))
    lines[at:at] = [OPEN, "## Renditions (`bench/renditions.sh`)", "", CLOSE, "",
                    "## The API (`bench/run.sh`)", ""]
end = lines.index(CLOSE)
section = lines[lines.index(OPEN):end]
headers = [line for line in section if line.startswith("| run (UTC) |")]
table = [head, "|" + "---|" * len(header), row]
new = [row] if headers[-1:] == [head] else (["", *table] if headers else table)
# Rows go right after the section's last table line (the blank line before the close marker stays).
last = max((i for i in range(lines.index(OPEN), end) if lines[i].startswith("|")), default=end - 1)
lines[last + 1:last + 1] = new
with open(md, "w") as f:
    f.write("\n".join(lines) + "\n")
print(f"  bench/results/{name}.json, a row in bench/RESULTS.md", file=sys.stderr)
