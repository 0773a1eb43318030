"""Turns the raw outputs of one bench/run.sh into bench/results/<stamp>.json, a latency chart
bench/results/<stamp>.png (gnuplot), and one row appended to bench/RESULTS.md.
Usage: report.py RAW_DIR BENCH_DIR STAMP COMMIT DIRTY_FILES ELAPSED_S DURATION_S SHORT_INTERVAL"""
import glob
import json
import os
import platform
import statistics
import subprocess
import sys

raw, bench, stamp, commit, dirty, elapsed, duration, short = sys.argv[1:9]
results = os.path.join(bench, "results")


def load(name):
    with open(os.path.join(raw, name + ".json")) as f:
        return json.loads(f.read())


def wrk(name):
    d = load(name)
    lat = d["latency_us"]
    return {"req_per_s": d["requests"] * 1e6 / d["duration_us"], "requests": d["requests"],
            "errors": sum(d["errors"].values()), "error_kinds": d["errors"],
            "latency_ms": {k: lat[k] / 1000 for k in ("p50", "p75", "p90", "p99", "p999", "max", "mean")}}


def pgb(name):
    d = load(name)
    lat = d["latency_us"]
    return {"tx_per_s": d["tps"], "clients": d["clients"], "failed": d["failed"], "transactions": d["transactions"],
            "latency_ms": {k: (lat[k] / 1000 if lat[k] is not None else None)
                           for k in ("p50", "p75", "p90", "p99", "p999", "max", "mean")}}


def sh(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=20).stdout.strip()
    except Exception:
        return ""


def machine():
    model = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    java = sh("sh", "-c", "java -version 2>&1 | head -1")
    return {"cpu": model, "cores": os.cpu_count(), "memory_gb": round(mem_kb / 1024 / 1024, 1),
            "kernel": platform.release(), "host": platform.node(),
            "postgres": sh("psql", "-Atq", "-d", "postgres", "-c", "SHOW server_version"), "java": java,
            "load_avg_at_end": os.getloadavg(), "load_avg_at_start": load_at_start()}


def load_at_start():
    try:
        with open(os.path.join(raw, "load-start")) as f:
            return float(f.read().strip())
    except (OSError, ValueError):
        return None


out = {"stamp": stamp, "commit": commit, "uncommitted_tracked_files": int(dirty), "elapsed_s": int(elapsed),
       "seconds_per_point": int(duration), "machine": machine(), "client": "wrk -t1 / pgbench -j1 -M prepared"}

# 1 and 2: GETs
for ep in ("get_library", "list_assets"):
    out[ep] = {}
    for c in (32, 256):
        s, r = wrk(f"{ep}-c{c}-server"), pgb(f"{ep}-c{c}-reference")
        out[ep][f"c{c}"] = {"server": s, "reference": r, "ratio": s["req_per_s"] / r["tx_per_s"]}

# The floor under GET library c32 (bench/lib/Floor.java): bare Vert.x + pg client, same statement.
if os.path.exists(os.path.join(raw, "get_library-c32-floor.json")):
    fl, p32 = wrk("get_library-c32-floor"), out["get_library"]["c32"]
    p32["floor"] = {"server": fl, "ratio_to_reference": fl["req_per_s"] / p32["reference"]["tx_per_s"],
                    "server_to_floor": p32["server"]["req_per_s"] / fl["req_per_s"]}

# 3: trash + restore
s, r = wrk("pairs-c32-server"), pgb("pairs-c32-reference")
pairs_s = s["req_per_s"] / 2
out["trash_restore"] = {
    "pairs_c32": {"server": dict(s, pairs_per_s=pairs_s), "reference": r, "ratio": pairs_s / r["tx_per_s"]},
    "latency_1_vs_1m": load("trash_latency")}

# 4: drain
idle_d, busy_d = wrk("drain-default-idle-c32"), wrk("drain-default-busy-c32")
idle_s, busy_s = wrk("drain-short-idle-c32"), wrk("drain-short-busy-c32")
ref = load("drain-reference")
drain = {"default": load("drain-default"), "short_loaded": load("drain-loaded"),
         "reference": ref, "short_interval": short, **load("drain-files")}
for k in ("default", "short_loaded"):
    d = drain[k]
    d["assets_per_min"] = d["assets_per_s"] * 60
    d["ratio"] = d["assets_per_s"] / ref["assets_per_s"]
drain["api_default"] = {"idle": idle_d, "during": busy_d,
                        "p99_ratio": busy_d["latency_ms"]["p99"] / idle_d["latency_ms"]["p99"]}
drain["api_short"] = {"idle": idle_s, "during": busy_s,
                      "p99_ratio": busy_s["latency_ms"]["p99"] / idle_s["latency_ms"]["p99"],
                      # how much of the GET window the drain was actually running in
                      "drain_share_of_window": min(1.0, drain["short_loaded"]["seconds"]
                                                   / (busy_s["requests"] / busy_s["req_per_s"]))}
out["drain"] = drain

# 5: upload
ups = [load(f"upload-{i}") for i in (1, 2, 3)]
up_mb = [u["bytes"] / u["seconds"] / 1e6 for u in ups]
dd_mb = [u["bytes"] / u["dd_seconds"] / 1e6 for u in ups]
out["upload"] = {"runs": ups, "mb_per_s": statistics.median(up_mb), "dd_fsync_mb_per_s": statistics.median(dd_mb),
                 "ratio": statistics.median(up_mb) / statistics.median(dd_mb),
                 "peak_rss_mb_upload_server": load("rss-C")["peak_rss_mb"],
                 "peak_rss_mb_load_server": load("rss-A")["peak_rss_mb"]}

# errors anywhere
wrk_errors = {os.path.basename(p)[:-5]: wrk(os.path.basename(p)[:-5])["errors"]
              for p in glob.glob(os.path.join(raw, "*.json"))
              if json.load(open(p)).get("duration_us") is not None}
pgb_failed = {os.path.basename(p)[:-5]: json.load(open(p))["failed"]
              for p in glob.glob(os.path.join(raw, "*-reference.json")) if "tps" in json.load(open(p))}
errors = {"wrk": sum(wrk_errors.values()), "wrk_by_run": {k: v for k, v in wrk_errors.items() if v},
          "pgbench_failed": sum(pgb_failed.values()), "trash_latency": out["trash_restore"]["latency_1_vs_1m"]["errors"],
          "uploads_not_201": sum(1 for u in ups if u["status"] != 201),
          # a file without its row, or a row without its file
          "drain_file_row_mismatch": abs(drain["files_left"] - drain["rows_left"])}
errors["total"] = (errors["wrk"] + errors["pgbench_failed"] + errors["trash_latency"] + errors["uploads_not_201"]
                   + errors["drain_file_row_mismatch"])
out["errors"] = errors

tl = out["trash_restore"]["latency_1_vs_1m"]
goals = [
    ("GET library >= 0.6x pgbench at 32 connections", out["get_library"]["c32"]["ratio"], ">=", 0.6),
    ("trash/restore pair >= 0.5x pgbench", out["trash_restore"]["pairs_c32"]["ratio"], ">=", 0.5),
    ("trash of 1M assets within 10% of 1 asset (p50)", tl["trash_ratio_p50"], "<=", 1.10),
    ("restore of 1M assets within 10% of 1 asset (p50)", tl["restore_ratio_p50"], "<=", 1.10),
    ("drain >= 100,000 assets/min (default settings)", drain["default"]["assets_per_min"], ">=", 100000),
    ("API p99 during drain < 2x idle (default settings)", drain["api_default"]["p99_ratio"], "<", 2.0),
    (f"drain >= 100,000 assets/min (interval {short}, under API load)", drain["short_loaded"]["assets_per_min"], ">=", 100000),
    (f"API p99 during drain < 2x idle (interval {short})", drain["api_short"]["p99_ratio"], "<", 2.0),
    ("upload >= 0.8x raw disk write (dd conv=fsync)", out["upload"]["ratio"], ">=", 0.8),
    ("no errors under any load", errors["total"], "==", 0),
]
ops = {">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b, "<": lambda a, b: a < b, "==": lambda a, b: a == b}
out["goals"] = [{"goal": g, "value": v, "target": f"{op} {t}", "met": ops[op](v, t)} for g, v, op, t in goals]

os.makedirs(results, exist_ok=True)
with open(os.path.join(results, stamp + ".json"), "w") as f:
    json.dump(out, f, indent=2)
    f.write("\n")

# ---- the chart: latency percentiles of every load point, server beside its reference ----------
series = []
for ep, title in (("get_library", "GET lib"), ("list_assets", "GET assets")):
    for c in (32, 256):
        p = out[ep][f"c{c}"]
        series.append((f"{title} c{c}", p["server"]["latency_ms"]))
        series.append((f"{title} c{c} pgbench(c{p['reference']['clients']})", p["reference"]["latency_ms"]))
series.append(("trash|restore c32", out["trash_restore"]["pairs_c32"]["server"]["latency_ms"]))
series.append(("pair c32 pgbench (2 tx)", out["trash_restore"]["pairs_c32"]["reference"]["latency_ms"]))
series.append(("GET lib idle (A)", idle_d["latency_ms"]))
series.append(("GET lib, drain default", busy_d["latency_ms"]))
series.append((f"GET lib idle (B)", idle_s["latency_ms"]))
series.append((f"GET lib, drain {short}", busy_s["latency_ms"]))
dat = os.path.join(raw, "latency.dat")
with open(dat, "w") as f:
    f.write("label p50 p90 p99\n")
    for label, lat in series:
        f.write('"%s" %.3f %.3f %.3f\n' % (label, lat["p50"], lat["p90"], lat["p99"]))
png = os.path.join(results, stamp + ".png")
gp = f"""
set terminal pngcairo size 1400,700 font ",10"
set output "{png}"
set title "eucalypt {commit}, {stamp}: latency percentiles, server vs pgbench reference (wrk -t1, {duration} s per point)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set yrange [0.05:*]
set ylabel "latency (ms, log scale)"
set grid ytics
set xtics rotate by -35 left
set key top left
set bmargin 9
plot "{dat}" using 2:xtic(1) title "p50", "" using 3 title "p90", "" using 4 title "p99"
"""
subprocess.run(["gnuplot"], input=gp, text=True, check=True)

# ---- the row in RESULTS.md -----------------------------------------------------------------------
md = os.path.join(bench, "RESULTS.md")


def n(x, d=0):
    return f"{x:,.{d}f}"


def getcell(p):
    s, r = p["server"], p["reference"]
    return (f"{n(s['req_per_s'])} req/s, p50 {n(s['latency_ms']['p50'], 2)} / p99 {n(s['latency_ms']['p99'], 2)} ms; "
            f"pgbench(c{r['clients']}) {n(r['tx_per_s'])} tx/s, p50 {n(r['latency_ms']['p50'], 2)} / p99 "
            f"{n(r['latency_ms']['p99'], 2)} ms; **{p['ratio']:.2f}×**")


def floorcell(p):
    f = p.get("floor")
    if f is None:
        return ""
    return (f"; floor (bare Vert.x + pg client) {n(f['server']['req_per_s'])} req/s = {f['ratio_to_reference']:.2f}× "
            f"pgbench, server = **{f['server_to_floor']:.2f}×** floor")


pr = out["trash_restore"]["pairs_c32"]
m = out["machine"]
met = sum(1 for g in out["goals"] if g["met"])
cells = [
    stamp,
    f"{m['cores']}× {m['cpu']}, {m['memory_gb']} GB, PG {m['postgres']}"
    + (f"; load {m['load_avg_at_start']:.1f} before the run" if m.get("load_avg_at_start") is not None else "")
    # JFR costs a few percent: such a row is for its profile, not for comparing figures.
    + ("; JFR profiling on" if os.environ.get("BENCH_JFR") == "1" else ""),
    f"`{commit}`" + (f" +{dirty} uncommitted" if int(dirty) else ""),
    getcell(out["get_library"]["c32"]) + floorcell(out["get_library"]["c32"]), getcell(out["get_library"]["c256"]),
    getcell(out["list_assets"]["c32"]), getcell(out["list_assets"]["c256"]),
    (f"{n(pr['server']['pairs_per_s'])} pairs/s, call p50 {n(pr['server']['latency_ms']['p50'], 2)} / p99 "
     f"{n(pr['server']['latency_ms']['p99'], 2)} ms; pgbench {n(pr['reference']['tx_per_s'])} pairs/s, pair p50 "
     f"{n(pr['reference']['latency_ms']['p50'], 2)} / p99 {n(pr['reference']['latency_ms']['p99'], 2)} ms; "
     f"**{pr['ratio']:.2f}×**"),
    (f"trash p50 {n(tl['assets_1']['trash']['p50'] / 1000, 2)} vs {n(tl['assets_1m']['trash']['p50'] / 1000, 2)} ms "
     f"(**{tl['trash_ratio_p50']:.2f}×**), restore {n(tl['assets_1']['restore']['p50'] / 1000, 2)} vs "
     f"{n(tl['assets_1m']['restore']['p50'] / 1000, 2)} ms (**{tl['restore_ratio_p50']:.2f}×**)"),
    (f"{n(drain['default']['assets_per_min'])}/min"
     + ("" if drain['default']['finished'] else f" (gave up after {drain['default']['seconds']:.0f} s, "
        f"{n(drain['default']['purged'])} of {n(drain['default']['assets'])} purged)")
     + f" (**{drain['default']['ratio']:.2f}×** ref), "
     f"GET p99 {n(idle_d['latency_ms']['p99'], 2)} → {n(busy_d['latency_ms']['p99'], 2)} ms "
     f"(**{drain['api_default']['p99_ratio']:.2f}×**)"),
    (f"over {drain['short_loaded']['seconds']:.0f} s under GET load {n(drain['short_loaded']['assets_per_min'])}/min (**{drain['short_loaded']['ratio']:.2f}×**), "
     f"GET p99 {n(idle_s['latency_ms']['p99'], 2)} → {n(busy_s['latency_ms']['p99'], 2)} ms "
     f"(**{drain['api_short']['p99_ratio']:.2f}×**)"),
    f"{n(ref['assets_per_s'] * 60)}/min, batches of {ref.get('batch', 500)}",
    (f"{n(out['upload']['mb_per_s'])} MB/s vs dd {n(out['upload']['dd_fsync_mb_per_s'])} MB/s "
     f"(**{out['upload']['ratio']:.2f}×**); peak RSS {out['upload']['peak_rss_mb_upload_server']} MB "
     f"(under load {out['upload']['peak_rss_mb_load_server']} MB)"),
    str(errors["total"]),
    f"{met}/{len(out['goals'])}",
    f"{int(elapsed) // 60}m{int(elapsed) % 60:02d}s",
    f"[json](results/{stamp}.json) [chart](results/{stamp}.png)",
]
header = ["run (UTC)", "machine", "commit", "GET library c32", "GET library c256", "GET assets c32",
          "GET assets c256", "trash+restore pairs c32", "trash/restore: 1 vs 1M assets",
          "drain, default settings (vs ref); GET p99 idle → draining", f"drain, interval {short}",
          "drain reference (SQL batches of the default size + unlink)", "upload 100 MiB", "errors", "goals met", "run time",
          "details"]
if not os.path.exists(md):
    with open(md, "w") as f:
        f.write("# Benchmark results\n\nRows are appended by `bench/run.sh`; see the README's Benchmarks section.\n\n")
with open(md) as f:
    text = f.read()
with open(md, "a") as f:
    if "| run (UTC) |" not in text:
        f.write("\n| " + " | ".join(header) + " |\n|" + "---|" * len(header) + "\n")
    f.write("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |\n")

for g in out["goals"]:
    print(("MET   " if g["met"] else "SHORT ") + f"{g['goal']}: {g['value']:.3g} (target {g['target']})")
