#!/usr/bin/python3
"""`descent slurm` on a real SLURM cluster, started on this machine for the test (ctest `slurm`).

A single-node cluster of Debian 12's slurm-wlm and munge: munged, slurmctld and slurmd on the
loopback address only, every file (key, slurm.conf, state, spool, logs) in a temporary folder,
found through SLURM_CONF, so nothing of the machine's own configuration is read or changed.
Then:

1. `descent slurm tests/slurm/experiment.toml --shards 4 --submit`: the merged folder equals an
   unsharded local sweep of the same file, timing columns aside.
2. The same again, but shard 1 is cancelled with scancel while it runs: the merge job fails and
   its log names shard 1 as incomplete, with the command that finishes it; that command (run as
   the log prints it) completes the shard, and the merge job, submitted again, gives the same
   files as the local sweep.
3. Bad input, each one `error:` line, exit status 2 and nothing queued: --shards 0, a partition
   and a time that sbatch rejects, no sbatch on the PATH, a folder holding another experiment.

Before the cluster starts (and so also where SLURM is not installed): the README's sbatch
script is what `descent slurm` writes. Without slurmctld, slurmd, munged or sbatch it prints
`skipped: ...` and exits 77, which ctest reports as skipped.
"""
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plotlib as pl  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXE = os.path.abspath(os.environ.get("DESCENT_EXE", os.path.join(ROOT, "build", "descent")))
EXPERIMENT = os.path.join(ROOT, "tests", "slurm", "experiment.toml")
OTHER = os.path.join(ROOT, "bench", "experiments", "default.toml")
DAEMONS = ["munged", "slurmctld", "slurmd", "sbatch", "squeue", "scancel", "scontrol", "sinfo"]
FILES = ["runs.csv", "traces.csv", "best.csv", "experiment.toml"]


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def run(args, env=None, cwd=ROOT, check=True):
    p = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True)
    if check and p.returncode != 0:
        fail(f"{shlex.join(args)} exited {p.returncode}:\n{p.stdout}{p.stderr}")
    return p


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def which(program):
    return shutil.which(program, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")


def readme_script_matches(work):
    """The README's shards.sbatch is `descent slurm`'s, with this machine's paths and commit
    replaced by the README's placeholders."""
    out = os.path.join(work, "conditioning")
    run([EXE, "slurm", "bench/experiments/conditioning.toml", "--shards", "8", "--time",
         "01:00:00", "--cpus-per-task", "2", "--out", out])
    with open(os.path.join(out, "slurm", "shards.sbatch")) as f:
        text = f.read()
    commit = re.search(r"commit (\S+)\)", text).group(1)
    text = (text.replace(out, "/home/you/descent/results/conditioning")
            .replace(EXE, "/home/you/descent/build/descent")
            .replace(ROOT, "/home/you/descent").replace(commit, "<commit>"))
    text = re.sub(r"\b[0-9a-f]{64}\b", "<sha256 of build/descent>", text)
    with open(os.path.join(ROOT, "README.md")) as f:
        readme = f.read()
    m = re.search(r"<!-- slurm:shards.sbatch -->\n```sh\n(.*?)```\n", readme, re.S)
    if not m:
        fail("README.md has no <!-- slurm:shards.sbatch --> block")
    if m.group(1) != text:
        fail("README.md's shards.sbatch differs from what `descent slurm` writes now:\n" + text)


class Cluster:
    """munged, slurmctld and slurmd on 127.0.0.1, all state under `folder`."""

    def __init__(self, folder):
        self.dir = folder
        self.env = dict(os.environ, SLURM_CONF=os.path.join(folder, "slurm.conf"))
        self.procs = []

    def path(self, name):
        return os.path.join(self.dir, name)

    def start(self):
        os.chmod(self.dir, 0o755)  # munged wants the socket's folder reachable by everyone
        with open(self.path("munge.key"), "wb") as f:
            f.write(os.urandom(1024))
        os.chmod(self.path("munge.key"), 0o400)
        for d in ("state", "spool"):
            os.mkdir(self.path(d))
        self.spawn(["munged", "--foreground", "--force", "--key-file", self.path("munge.key"),
                    "--socket", self.path("munge.socket"), "--pid-file", self.path("munged.pid"),
                    "--log-file", self.path("munged.log"), "--seed-file", self.path("munge.seed"),
                    "--origin", "127.0.0.1"])
        self.wait_for(lambda: os.path.exists(self.path("munge.socket")), "munged's socket")
        with open(self.path("slurm.conf"), "w") as f:
            f.write(self.config())
        self.spawn(["slurmctld", "-D", "-i", "-f", self.env["SLURM_CONF"]])
        self.spawn(["slurmd", "-D", "-N", "localhost", "-f", self.env["SLURM_CONF"]])
        self.wait_for(lambda: run(["sinfo", "-h", "-o", "%T"], self.env, check=False)
                      .stdout.strip() == "idle", "the node to be idle")

    def config(self):
        p = self.path
        return f"""ClusterName=descent-test
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort={free_port()}
SlurmdPort={free_port()}
CommunicationParameters=NoInAddrAny
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket={p("munge.socket")}
CredType=cred/munge
StateSaveLocation={p("state")}
SlurmdSpoolDir={p("spool")}
SlurmctldPidFile={p("slurmctld.pid")}
SlurmdPidFile={p("slurmd.pid")}
SlurmctldLogFile={p("slurmctld.log")}
SlurmdLogFile={p("slurmd.log")}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
EnforcePartLimits=ALL
KillWait=10
NodeName=localhost NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=30:00 State=UP
"""

    def spawn(self, args):
        log = open(self.path(os.path.basename(args[0]) + ".out"), "w")
        self.procs.append(subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT,
                                           env=self.env, cwd=self.dir))

    def wait_for(self, condition, what, timeout=60):
        end = time.monotonic() + timeout
        while not condition():
            for p in self.procs:
                if p.poll() is not None:
                    fail(f"{p.args[0]} exited {p.returncode} while waiting for {what}:\n"
                         + self.logs())
            if time.monotonic() > end:
                fail(f"timed out waiting for {what}:\n" + self.logs())
            time.sleep(0.1)

    def logs(self):
        text = ""
        for name in ("slurmctld.log", "slurmd.log", "munged.log"):
            if os.path.exists(self.path(name)):
                with open(self.path(name)) as f:
                    text += f"--- {name}\n" + "".join(f.readlines()[-15:])
        return text

    def stop(self):
        run(["scontrol", "shutdown"], self.env, check=False)
        for p in reversed(self.procs):
            if p.args[0] == "munged":
                p.terminate()
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def job_state(self, job):
        out = run(["scontrol", "-o", "show", "job", job], self.env, check=False).stdout
        states = re.findall(r"JobState=(\S+)", out)
        return states[0] if len(states) == 1 else ",".join(states)

    def wait_job(self, job, timeout=240):
        done = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY"}
        self.wait_for(lambda: self.job_state(job) in done, f"job {job} to end", timeout)
        return self.job_state(job)

    def queued(self):
        return run(["squeue", "-h", "-o", "%i"], self.env).stdout.split()


def submit(cluster, out, *extra):
    p = run([EXE, "slurm", EXPERIMENT, "--shards", "4", "--out", out, "--submit", *extra],
            cluster.env)
    jobs = re.findall(r"^(?:shards|merge) job (\d+)", p.stdout, re.M)
    if len(jobs) != 2:
        fail(f"descent slurm --submit printed no job ids:\n{p.stdout}")
    return jobs


def timing(columns):
    """meta.json's timing columns (runs.csv, traces.csv) and best.csv's statistics of them."""
    return lambda name: any(name == t or name.startswith(t + "_") for t in columns.timing)


def check_same(reference, merged):
    """The merged files equal the local sweep's, timing columns aside."""
    import pandas as pd
    is_timing = timing(pl.columns(reference))
    for name in FILES:
        a, b = (os.path.join(d, name) for d in (reference, merged))
        if name.endswith(".toml"):
            if open(a).read() != open(b).read():
                fail(f"{b} differs from {a}")
            continue
        x, y = pd.read_csv(a, dtype=str), pd.read_csv(b, dtype=str)
        keep = [c for c in x.columns if not is_timing(c)]
        if list(x.columns) != list(y.columns) or not x[keep].equals(y[keep]):
            fail(f"{b} differs from {a} (timing columns aside)")


def rows(path):
    if not os.path.exists(path):
        return 0
    with open(path) as f:
        return max(sum(1 for _ in f) - 1, 0)


def cancelled_shard(cluster, work, reference):
    out = os.path.join(work, "cancelled")
    shards_job, merge_job = submit(cluster, out)
    shard = os.path.join(out, "shards", "1")
    cluster.wait_for(lambda: rows(os.path.join(shard, "runs.partial.csv")) >= 1,
                     "shard 1's first finished run")
    if os.path.exists(os.path.join(shard, "runs.csv")):
        fail("shard 1 finished before it could be cancelled (make its runs longer)")
    run(["scancel", f"{shards_job}_1"], cluster.env)
    state = cluster.wait_job(merge_job)
    with open(os.path.join(out, "slurm", "merge.log")) as f:
        log = f.read()
    if state != "FAILED" or f"{shard} is incomplete" not in log:
        fail(f"the merge job ({state}) did not report shard 1 as incomplete:\n{log}")
    if f"shard 1/4 (job {shards_job}_1" not in log:
        fail(f"the merge job's report does not name shard 1's job:\n{log}")
    if os.path.exists(os.path.join(out, "runs.csv")):
        fail("a failed merge wrote runs.csv")
    recovery = re.search(r"^    (\S+ sweep .* --resume)$", log, re.M)
    if not recovery:
        fail(f"the merge job's report has no --resume command:\n{log}")
    print("the merge job's log:\n" + log.rstrip())
    run(shlex.split(recovery.group(1)), cluster.env)
    again = run(["sbatch", "--parsable", os.path.join(out, "slurm", "merge.sbatch")],
                cluster.env).stdout.strip()
    if cluster.wait_job(again) != "COMPLETED":
        fail("the merge after --resume failed:\n" + open(os.path.join(out, "slurm", "merge.log")).read())
    check_same(reference, out)
    print(f"cancelled shard 1 (job {shards_job}_1): reported, resumed, merged identically")


def bad_input(cluster, work, done):
    cases = [
        (["--shards", "0"], "--shards"),
        (["--shards", "4", "--partition", "nope", "--submit"], "invalid partition"),
        (["--shards", "4", "--time", "02:00:00", "--submit"], "time limit"),
        (["--shards", "4", "--time", "1:zz"], "--time '1:zz'"),
        (["--shards", "100"], "only 24 runs"),
    ]
    for args, expected in cases:
        check_error(cluster, [EXE, "slurm", EXPERIMENT, "--out", os.path.join(work, "bad"), *args],
                    expected, cluster.env)
    no_sbatch = dict(cluster.env, PATH="/nonexistent")
    check_error(cluster, [EXE, "slurm", EXPERIMENT, "--shards", "4", "--out",
                          os.path.join(work, "bad"), "--submit"], "no sbatch on the PATH",
                no_sbatch)
    check_error(cluster, [EXE, "slurm", OTHER, "--shards", "4", "--out", done, "--submit"],
                "holds another experiment's results", cluster.env)
    print(f"bad input: {len(cases) + 2} cases, each one error line, exit 2, nothing queued")


def check_error(cluster, args, expected, env):
    p = run(args, env, check=False)
    lines = p.stderr.strip().splitlines()
    if p.returncode != 2 or len(lines) != 1 or not lines[0].startswith("error:") \
            or expected not in lines[0]:
        fail(f"{shlex.join(args)}: expected one error line with '{expected}' and exit 2, got "
             f"{p.returncode}:\n{p.stderr}")
    if cluster.queued():
        fail(f"{shlex.join(args)} queued jobs: {cluster.queued()}")


def main():
    work = tempfile.mkdtemp(prefix="descent_slurm_")
    try:
        readme_script_matches(work)
        missing = [d for d in DAEMONS if not which(d)]
        if missing:
            print(f"skipped: SLURM is not installed (no {', '.join(missing)}; "
                  "scripts/setup.sh installs slurm-wlm and munge)")
            return 77
        start = time.monotonic()
        reference = os.path.join(work, "local")
        run([EXE, "sweep", EXPERIMENT, "--out", reference, "--quiet"])
        cluster = Cluster(os.path.join(work, "cluster"))
        os.mkdir(cluster.dir)
        try:
            cluster.start()
            out = os.path.join(work, "sharded")
            shards_job, merge_job = submit(cluster, out)
            if cluster.wait_job(merge_job) != "COMPLETED":
                fail("merge job failed:\n" + open(os.path.join(out, "slurm", "merge.log")).read())
            check_same(reference, out)
            print(f"4 shards (job {shards_job}) merged by job {merge_job}: equal to the local sweep")
            cancelled_shard(cluster, work, reference)
            bad_input(cluster, work, out)
        finally:
            cluster.stop()
        print(f"slurm test: {time.monotonic() - start:.0f} s")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
