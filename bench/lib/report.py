"""Turns the raw outputs of one bench/run.sh into bench/results/<stamp>.json, a latency chart
bench/results/<stamp>.png (gnuplot), and one row appended to bench/RESULTS.md. A run of only some
phases (BENCH_PHASES) gets bench/results/<stamp>-partial.json and its goals printed, nothing else.
Usage: report.py RAW_DIR BENCH_DIR STAMP COMMIT DIRTY_FILES ELAPSED_S DURATION_S SHORT_INTERVAL
(the phases run in $BENCH_PHASES_RUN, the warm-up in $BENCH_WARMUP_S)"""
import glob
import json
import os
import platform
import statistics
import subprocess
import sys

raw, bench, stamp, commit, dirty, elapsed, duration, short = sys.argv[1:9]
results = os.path.join(bench, "results")
ALL_PHASES = ("get_library", "list_assets", "trash_restore", "drain", "upload")
ran = set(os.environ.get("BENCH_PHASES_RUN", " ".join(ALL_PHASES)).split())
full = ran.issuperset(ALL_PHASES)


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
       "seconds_per_point": int(duration), "warmup_s_per_contender": int(os.environ.get("BENCH_WARMUP_S", 0)),
       "phases": sorted(ran, key=ALL_PHASES.index), "machine": machine(),
       "client": "wrk -t1 / pgbench -j1 -M prepared"}


def contender(name, server):
    """Another HTTP server measured on the same request (a floor, the peer), and the server's ratio to it."""
    o = wrk(name)
    o["server_ratio"] = server["req_per_s"] / o["req_per_s"]
    return o


def json_check(name):
    """Whether a contender answered the server's JSON (bench/run.sh same_json), and its size."""
    return load(name) if os.path.exists(os.path.join(raw, name + ".json")) else None


# 1: GET library, vs pgbench at 32 and 256; at 32 also vs the floors (bench/lib/Floor.java, pooled
# and pipelined client) and the peer (bench/peer/app.py, FastAPI + asyncpg)
if "get_library" in ran:
    gl = out["get_library"] = {}
    for c in (32, 256):
        s, r = wrk(f"get_library-c{c}-server"), pgb(f"get_library-c{c}-reference")
        gl[f"c{c}"] = {"server": s, "reference": r, "ratio": s["req_per_s"] / r["tx_per_s"]}
    p32 = gl["c32"]
    for k in ("floor-pooled", "floor-pipelined", "peer"):
        o = p32[k.replace("-", "_")] = contender(f"get_library-c32-{k}", p32["server"])
        o["ratio_to_reference"] = o["req_per_s"] / p32["reference"]["tx_per_s"]
        o["same_json"] = json_check(f"json-{k}")
    # The goal's ratio to the pipelined floor: the two took turns (bench/run.sh, BENCH_ROUNDS), and
    # each round's ratio compares runs seconds apart; the median round is the one that counts.
    rounds, r = [], 1
    while os.path.exists(os.path.join(raw, f"get_library-c32-server-round{r}.json")):
        s, f = wrk(f"get_library-c32-server-round{r}"), wrk(f"get_library-c32-floor-pipelined-round{r}")
        rounds.append({"server": s, "floor": f, "ratio": s["req_per_s"] / f["req_per_s"]})
        r += 1
    if rounds:
        fp = p32["floor_pipelined"]
        fp["rounds"] = rounds
        fp["rounds_median_ratio"] = statistics.median(x["ratio"] for x in rounds)

# 2: GET assets, pages of 20 and 200 at 32 connections, vs the pipelined floor and pgbench
if "list_assets" in ran:
    la = out["list_assets"] = {}
    for n in (20, 200):
        s, r = wrk(f"list_assets-{n}-server"), pgb(f"list_assets-{n}-reference")
        la[f"limit{n}_c32"] = {"server": s, "reference": r, "ratio": s["req_per_s"] / r["tx_per_s"],
                               "floor_pipelined": dict(contender(f"list_assets-{n}-floor", s),
                                                       same_json=json_check(f"json-floor-assets-{n}"))}

# 3: trash + restore
if "trash_restore" in ran:
    s, r = wrk("pairs-c32-server"), pgb("pairs-c32-reference")
    pairs_s = s["req_per_s"] / 2
    out["trash_restore"] = {
        "pairs_c32": {"server": dict(s, pairs_per_s=pairs_s), "reference": r, "ratio": pairs_s / r["tx_per_s"]},
        "latency_1_vs_1m": load("trash_latency")}

# 4: drain
if "drain" in ran:
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
if "upload" in ran:
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
          "pgbench_failed": sum(pgb_failed.values()),
          "trash_latency": out["trash_restore"]["latency_1_vs_1m"]["errors"] if "trash_restore" in out else 0,
          "uploads_not_201": sum(1 for u in out["upload"]["runs"] if u["status"] != 201) if "upload" in out else 0,
          # a file without its row, or a row without its file
          "drain_file_row_mismatch": abs(drain["files_left"] - drain["rows_left"]) if "drain" in out else 0}
errors["total"] = (errors["wrk"] + errors["pgbench_failed"] + errors["trash_latency"] + errors["uploads_not_201"]
                   + errors["drain_file_row_mismatch"])
out["errors"] = errors

goals = []
if "get_library" in out:
    p32 = out["get_library"]["c32"]
    goals += [
        ("GET library >= 0.6x pgbench at 32 connections", p32["ratio"], ">=", 0.6),
        ("GET library >= 0.8x the pipelined floor (Floor.java), median of the rounds they took turns",
         p32["floor_pipelined"].get("rounds_median_ratio", p32["floor_pipelined"]["server_ratio"]), ">=", 0.8),
        ("GET library >= 4x the FastAPI + asyncpg peer", p32["peer"]["server_ratio"], ">=", 4.0),
    ]
if "trash_restore" in out:
    tl = out["trash_restore"]["latency_1_vs_1m"]
    goals += [
        ("trash/restore pair >= 0.5x pgbench", out["trash_restore"]["pairs_c32"]["ratio"], ">=", 0.5),
        ("trash of 1M assets within 10% of 1 asset (p50)", tl["trash_ratio_p50"], "<=", 1.10),
        ("restore of 1M assets within 10% of 1 asset (p50)", tl["restore_ratio_p50"], "<=", 1.10),
    ]
if "drain" in out:
    goals += [
        ("drain >= 100,000 assets/min (default settings)", drain["default"]["assets_per_min"], ">=", 100000),
        ("API p99 during drain < 2x idle (default settings)", drain["api_default"]["p99_ratio"], "<", 2.0),
        (f"drain >= 100,000 assets/min (interval {short}, under API load)", drain["short_loaded"]["assets_per_min"],
         ">=", 100000),
        (f"API p99 during drain < 2x idle (interval {short})", drain["api_short"]["p99_ratio"], "<", 2.0),
    ]
if "upload" in out:
    goals += [("upload >= 0.8x raw disk write (dd conv=fsync)", out["upload"]["ratio"], ">=", 0.8)]
goals += [("no errors under any load", errors["total"], "==", 0)]
ops = {">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b, "<": lambda a, b: a < b, "==": lambda a, b: a == b}
out["goals"] = [{"goal": g, "value": v, "target": f"{op} {t}", "met": ops[op](v, t)} for g, v, op, t in goals]


def rounds_text(fp, times="x"):
    """The rounds the server and the pipelined floor took turns, if they did ({times}: x, or × in Markdown)."""
    if "rounds" not in fp:
        return ""
    each = " / ".join(f"{x['server']['req_per_s']:,.0f} vs {x['floor']['req_per_s']:,.0f} = {x['ratio']:.2f}{times}"
                      for x in fp["rounds"])
    median = f"{fp['rounds_median_ratio']:.2f}{times}"
    return f"; taking turns {len(fp['rounds'])} times: {each}, median {'**' + median + '**' if times != 'x' else median}"


def summary():
    """The GET figures as ratios, one line each, for the terminal."""
    lines = []
    if "get_library" in out:
        p = out["get_library"]["c32"]
        lines.append(f"GET library c32: server {p['server']['req_per_s']:,.0f} req/s = "
                     f"{p['floor_pipelined']['server_ratio']:.2f}x pipelined floor ({p['floor_pipelined']['req_per_s']:,.0f}"
                     f"{rounds_text(p['floor_pipelined'])}), "
                     f"{p['floor_pooled']['server_ratio']:.2f}x pooled floor ({p['floor_pooled']['req_per_s']:,.0f}), "
                     f"{p['ratio']:.2f}x pgbench ({p['reference']['tx_per_s']:,.0f}), "
                     f"{p['peer']['server_ratio']:.2f}x peer ({p['peer']['req_per_s']:,.0f})")
    for n in (20, 200):
        if "list_assets" in out:
            p = out["list_assets"][f"limit{n}_c32"]
            lines.append(f"GET assets, page of {n}, c32: server {p['server']['req_per_s']:,.0f} req/s = "
                         f"{p['floor_pipelined']['server_ratio']:.2f}x floor ({p['floor_pipelined']['req_per_s']:,.0f}), "
                         f"{p['ratio']:.2f}x pgbench ({p['reference']['tx_per_s']:,.0f})")
    return lines


for line in summary():
    print(line)
for g in out["goals"]:
    print(("MET   " if g["met"] else "SHORT ") + f"{g['goal']}: {g['value']:.3g} (target {g['target']})")

os.makedirs(results, exist_ok=True)
with open(os.path.join(results, stamp + ("" if full else "-partial") + ".json"), "w") as f:
    json.dump(out, f, indent=2)
    f.write("\n")
if not full:
    sys.exit(0)

# ---- the chart: latency percentiles of every load point, server beside its reference ----------
series = []
gl, la = out["get_library"], out["list_assets"]
for c in (32, 256):
    series.append((f"GET lib c{c}", gl[f"c{c}"]["server"]["latency_ms"]))
    series.append((f"GET lib c{c} pgbench(c{gl[f'c{c}']['reference']['clients']})", gl[f"c{c}"]["reference"]["latency_ms"]))
    if c == 32:
        series.append(("GET lib c32 pooled floor", gl["c32"]["floor_pooled"]["latency_ms"]))
        series.append(("GET lib c32 pipelined floor", gl["c32"]["floor_pipelined"]["latency_ms"]))
        series.append(("GET lib c32 FastAPI peer", gl["c32"]["peer"]["latency_ms"]))
for k in (20, 200):
    p = la[f"limit{k}_c32"]
    series.append((f"GET assets {k} c32", p["server"]["latency_ms"]))
    series.append((f"GET assets {k} c32 floor", p["floor_pipelined"]["latency_ms"]))
    series.append((f"GET assets {k} c32 pgbench", p["reference"]["latency_ms"]))
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
set terminal pngcairo size 1600,700 font ",10"
set output "{png}"
set title "eucalypt {commit}, {stamp}: latency percentiles, server vs its references (wrk -t1, {duration} s per point)"
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
set rmargin 10
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


def vs(o, what):
    """A contender's figures, and the server's ratio to it."""
    return (f"{what} {n(o['req_per_s'])} req/s, p50 {n(o['latency_ms']['p50'], 2)} / p99 "
            f"{n(o['latency_ms']['p99'], 2)} ms: server **{o['server_ratio']:.2f}×**")


def contenders_cell(p):
    return "; ".join([vs(p["floor_pipelined"], "pipelined floor") + rounds_text(p["floor_pipelined"], "×"),
                      vs(p["floor_pooled"], "pooled floor"),
                      vs(p["peer"], "FastAPI + asyncpg peer")])


def assets_cell(p):
    return getcell(p) + "; " + vs(p["floor_pipelined"], "floor")


pr = out["trash_restore"]["pairs_c32"]
tl = out["trash_restore"]["latency_1_vs_1m"]
m = out["machine"]
met = sum(1 for g in out["goals"] if g["met"])
cells = [
    stamp,
    f"{m['cores']}× {m['cpu']}, {m['memory_gb']} GB, PG {m['postgres']}"
    + (f"; load {m['load_avg_at_start']:.1f} before the run" if m.get("load_avg_at_start") is not None else "")
    # JFR costs a few percent: such a row is for its profile, not for comparing figures.
    + ("; JFR profiling on" if os.environ.get("BENCH_JFR") == "1" else ""),
    f"`{commit}`" + (f" +{dirty} uncommitted" if int(dirty) else ""),
    getcell(gl["c32"]), contenders_cell(gl["c32"]), getcell(gl["c256"]),
    assets_cell(la["limit20_c32"]), assets_cell(la["limit200_c32"]),
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
header = ["run (UTC)", "machine", "commit", "GET library c32 vs pgbench",
          "GET library c32 vs floors (bare Vert.x + pg client) and peer", "GET library c256",
          "GET assets, page of 20, c32", "GET assets, page of 200, c32", "trash+restore pairs c32", "trash/restore: 1 vs 1M assets",
          "drain, default settings (vs ref); GET p99 idle → draining", f"drain, interval {short}",
          "drain reference (SQL batches of the default size + unlink)", "upload 100 MiB", "errors", "goals met", "run time",
          f"details (warm-up {out['warmup_s_per_contender']} s per contender)"]
if not os.path.exists(md):
    with open(md, "w") as f:
        f.write("# Benchmark results\n\nRows are appended by `bench/run.sh`; see the README's Benchmarks section.\n\n")
with open(md) as f:
    last_header = [line for line in f.read().splitlines() if line.startswith("| run (UTC) |")][-1:]
head = "| " + " | ".join(header) + " |"
with open(md, "a") as f:
    # Columns changed since the last row: a new table under the old one.
    if last_header != [head]:
        f.write("\n" + head + "\n|" + "---|" * len(header) + "\n")
    f.write("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |\n")
