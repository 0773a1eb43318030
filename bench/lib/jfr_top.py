"""A text summary of a JFR recording, for the notes on what falls short: the hottest methods
(top frame of jdk.ExecutionSample), the hottest eucalypt/vert.x frames counted anywhere in the
stack, GC pauses and allocation by class; optionally only between two times of day (HH:MM:SS,
as JFR prints them, in the machine's time zone).
Usage: jfr_top.py RECORDING.jfr [N [FROM TO]]"""
import collections
import re
import subprocess
import sys

path = sys.argv[1]
top_n = int(sys.argv[2]) if len(sys.argv) > 2 else 25
since, until = (sys.argv[3], sys.argv[4]) if len(sys.argv) > 4 else ("", "99")
time_re = re.compile(r"startTime = ([\d:.]+)")


def events(kind, depth=64):
    out = subprocess.run(["jfr", "print", "--events", kind, "--stack-depth", str(depth), path],
                         capture_output=True, text=True, check=True).stdout
    kept = []
    for ev in out.split(kind + " {")[1:]:
        t = time_re.search(ev)
        if t is None or since <= t.group(1) <= until:
            kept.append(ev)
    return kept


frame_re = re.compile(r"^\s+([\w.$<>/]+)\(.*\)\s+line:", re.M)
self_c, incl_c, pkg_c = collections.Counter(), collections.Counter(), collections.Counter()
samples = 0
for kind in ("jdk.ExecutionSample", "jdk.NativeMethodSample"):
    for ev in events(kind):
        frames = frame_re.findall(ev)
        if not frames:
            continue
        if kind == "jdk.NativeMethodSample" and any(f.split(".")[-1] in ("epollWait", "doSelect", "park", "wait0", "accept0", "sleep", "poll")
                                                    for f in frames[:2]):
            continue  # idle threads waiting for work
        samples += 1
        self_c[(kind[4:], frames[0])] += 1
        for f in set(frames):
            if f.startswith(("org.eucalypt", "io.vertx", "ch.qos", "io.netty", "com.fasterxml", "java.util.regex")):
                incl_c[f] += 1
        for f in frames:
            if not f.startswith(("java.", "jdk.", "sun.")):
                pkg_c[".".join(f.split(".")[:3])] += 1
                break
samples = samples or 1
print(f"{samples} busy samples (Java + native, idle waits left out)\n")
print(f"top {top_n} self (where the CPU is):")
for (k, f), c in self_c.most_common(top_n):
    print(f"  {100 * c / samples:5.1f}%  {f}  [{k}]")
print(f"\ntop {top_n} inclusive (eucalypt, vert.x, netty, logback, jackson, regex frames anywhere on the stack):")
for f, c in incl_c.most_common(top_n):
    print(f"  {100 * c / samples:5.1f}%  {f}")
print("\nfirst non-JDK package on the stack:")
for p, c in pkg_c.most_common(12):
    print(f"  {100 * c / samples:5.1f}%  {p}")
gc = events("jdk.GarbageCollection", 1)
pauses = [float(m.group(1)) for e in gc for m in [re.search(r"sumOfPauses = ([\d.]+) ms", e)] if m]
print(f"\nGC: {len(gc)} collections, {sum(pauses):.0f} ms of pauses in all")
alloc = collections.Counter()
for e in events("jdk.ObjectAllocationSample", 1):
    m, w = re.search(r"objectClass = ([\w.$\[\]]+)", e), re.search(r"weight = ([\d.]+) (\w+)", e)
    if m and w:
        mult = {"bytes": 1, "kB": 1e3, "MB": 1e6, "GB": 1e9}.get(w.group(2), 1)
        alloc[m.group(1)] += float(w.group(1)) * mult
total = sum(alloc.values()) or 1
print("allocation by class (sampled weight):")
for k, v in alloc.most_common(8):
    print(f"  {100 * v / total:5.1f}%  {k}")
