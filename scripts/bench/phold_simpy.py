#!/usr/bin/python3
"""phold_simpy.py — PHOLD (sim/sim_phold.h) on SimPy 3 (Debian python3-simpy3). Every event is
a Timeout whose value is the destination LP, with the handler appended as a callback: the
cheapest path through SimPy's event loop (no generator process per event). Equal times run
in scheduling order, as in kcsim.

--variant random (default) draws with Python's C-implemented random module, the fast way a
SimPy model draws; --variant xoshiro transcribes sim/sim_rng.c so the checksum can be
compared with kcsim's (slower: it measures the generator as much as the engine)."""
import random
import sys
import time

import simpy
from simpy.core import StopSimulation

M64 = (1 << 64) - 1


class Xoshiro:
    """sim_rng_seed(seed, SIM_STREAM_PHOLD) with sim_rng_below / sim_rng_range."""

    def __init__(self, seed, stream=5):
        def splitmix(x):
            x = (x + 0x9E3779B97F4A7C15) & M64
            z = x
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
            return x, z ^ (z >> 31)
        _, mixed = splitmix(stream ^ 0x6A09E667F3BCC909)
        x = seed ^ mixed
        self.s = []
        for _ in range(4):
            x, out = splitmix(x)
            self.s.append(out)

    def next(self):
        s0, s1, s2, s3 = self.s
        r = (s1 * 5) & M64
        r = ((((r << 7) | (r >> 57)) & M64) * 9) & M64
        t = (s1 << 17) & M64
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = ((s3 << 45) | (s3 >> 19)) & M64
        self.s = [s0, s1, s2, s3]
        return r

    def below(self, n):
        m = self.next() * n
        if (m & M64) < n:
            threshold = ((1 << 64) - n) % n
            while (m & M64) < threshold:
                m = self.next() * n
        return m >> 64

    def range(self, lo, hi):
        return lo + self.below(hi - lo + 1)


def parse(argv):
    p = dict(lps=1000, population=1, events=1000000, lookahead=1000, spread=2000, seed=1,
             variant="random")
    for flag, value in zip(argv[1::2], argv[2::2]):
        key = flag.lstrip("-")
        if key not in p:
            sys.exit("unknown flag " + flag)
        p[key] = value if key == "variant" else int(value)
    return p


def run(p):
    lps, events = p["lps"], p["events"]
    dmin, spread = p["lookahead"], p["spread"]
    if p["variant"] == "xoshiro":
        rng = Xoshiro(p["seed"])
        dest_of = lambda: rng.below(lps)
        delay_of = lambda: rng.range(dmin, dmin + spread)
    else:
        r = random.Random(p["seed"]).random
        dest_of = lambda: int(r() * lps)
        delay_of = lambda: dmin + int(r() * (spread + 1))

    env = simpy.Environment()
    timeout = env.timeout
    count = [0] * lps
    last = [0] * lps
    done = 0

    def handle(ev):
        nonlocal done
        lp = ev._value
        now = env._now
        count[lp] += 1
        last[lp] = now
        done += 1
        if done == events:
            raise StopSimulation(None)
        dest = dest_of()
        timeout(delay_of(), dest).callbacks.append(handle)

    for lp in range(lps):
        for _ in range(p["population"]):
            timeout(delay_of(), lp).callbacks.append(handle)
    env.run()

    h = 0xCBF29CE484222325
    for w in (x for pair in zip(count, last) for x in pair):
        h = ((h ^ w) * 0x100000001B3) & M64
    h = ((h ^ env.now) * 0x100000001B3) & M64
    return done, env.now, h


def main():
    p = parse(sys.argv)
    t0 = time.perf_counter()
    done, end, h = run(p)
    seconds = time.perf_counter() - t0
    engine = "simpy" if p["variant"] == "random" else "simpy/" + p["variant"]
    print(f"RESULT engine={engine} lps={p['lps']} population={p['population']} events={done} "
          f"seconds={seconds:.6f} end_t_us={end} checksum={h:016x}")


if __name__ == "__main__":
    main()
