#!/usr/bin/python3
"""The reference for dev/AuthBench: argon2-cffi (Debian's python3-argon2, which calls libargon2) verifying
a PHC hash with the auth server's parameters (m=64 MiB, t=3, p=4).

  argon2_reference.py single N            N verifies one after the other: p50 wall ms
  argon2_reference.py rate THREADS SECS    THREADS threads verifying flat out: verifies, seconds, CPU seconds

argon2-cffi releases the GIL inside libargon2, so threads run verifies in parallel, like the server's
hashing threads. Prints one line of key=value pairs.
"""
import resource
import statistics
import sys
import threading
import time

from argon2 import PasswordHasher, Type

HASHER = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4, hash_len=32, salt_len=16, type=Type.ID)
PASSWORD = "bench password"
HASH = HASHER.hash(PASSWORD)


def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def single(n):
    HASHER.verify(HASH, PASSWORD)  # warm-up
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        HASHER.verify(HASH, PASSWORD)
        times.append((time.perf_counter() - t0) * 1000)
    print("p50_ms=%.1f min_ms=%.1f n=%d" % (statistics.median(times), min(times), n))


def rate(threads, seconds):
    deadline = time.monotonic() + seconds
    counts = [0] * threads

    def work(i):
        while time.monotonic() < deadline:
            HASHER.verify(HASH, PASSWORD)
            counts[i] += 1

    c0, t0 = cpu(), time.monotonic()
    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    print("verifies=%d seconds=%.3f cpu_seconds=%.3f" % (sum(counts), time.monotonic() - t0, cpu() - c0))


if __name__ == "__main__":
    if sys.argv[1] == "single":
        single(int(sys.argv[2]))
    else:
        rate(int(sys.argv[2]), float(sys.argv[3]))
