"""Writes the STAR-like design ten times larger (issue 14): 100,000 students, each meeting 1-4 of the
20,000 teachers of one of 800 schools (teachers nested in schools), one row per student-teacher pair.
Deterministic (seed 3). Usage: python3 Tools/bench-data/star10x.py OUT.csv"""
import random
import sys

random.seed(3)
S, T, K = 100000, 20000, 800
school_teachers = {}
for t in range(T):
    school_teachers.setdefault(t * K // T, []).append(t)
student = [random.gauss(0, 1.0) for _ in range(S)]
teacher = [random.gauss(0, 0.6) for _ in range(T)]
school = [random.gauss(0, 0.4) for _ in range(K)]
with open(sys.argv[1], "w") as out:
    out.write("y,x,id,tch,sch\n")
    for s in range(S):
        k = random.randrange(K)
        for t in random.sample(school_teachers[k], random.randint(1, 4)):
            x = random.gauss(0, 1)
            y = 1 + 0.5 * x + student[s] + teacher[t] + school[k] + random.gauss(0, 1)
            out.write(f"{y:.6f},{x:.6f},s{s},t{t},k{k}\n")
