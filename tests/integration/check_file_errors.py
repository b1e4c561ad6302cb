#!/usr/bin/python3
"""Disk-full and permission errors of `deepntk run` at 2 ranks (issue 5, item 5).

Usage: check_file_errors.py MPIEXEC DEEPNTK SMALL_CONFIG SCRATCH

Disk full (small tmpfs mounts, unmounted in `finally`):
  * parts: the second depth part does not fit: refused before writing ("need X, Y free");
  * parts, real ENOSPC: the same with the free-space check off (DEEPNTK_TEST_SKIP_SPACE_CHECK),
    so the write fails inside HDF5/MPI-IO: this used to deadlock both ranks in H5Fclose;
  * assembly: every part fits but the result assembled from them does not;
  each: non-zero exit well within a timeout, exactly one `deepntk: error` line naming "no space
  left on device", no file under the result's name, no temporaries; the last good checkpoint is
  intact (state.h5 still there), and after the mount is enlarged the same command completes.
Permissions (deepntk run as `nobody` via setpriv, since root bypasses file modes): output
directory, checkpoint directory, a read-only result with --force, an unreadable input file.
nobody cannot enter a private checkout (a 0700 directory on the way to it): it gets a
directory of its own under /tmp, mode 0755, holding a copy of deepntk and of the configuration,
and starts there (Open MPI needs a working directory it can enter); removed at the end.

Needs root (mount, setpriv); exits 77 (ctest SKIP_RETURN_CODE) where that is not available.
"""
import os
import shutil
import subprocess
import sys
import tempfile

from integration_support import expect_refusal, fail, run_timed

SKIP = 77
TIMEOUT = 60  # seconds; a run here takes ~2 s, a hang is what this catches


def run(argv, env_extra=None, as_nobody=None):
    """as_nobody: None, or the directory nobody starts in (one it can enter)."""
    env = dict(os.environ)
    env.update(env_extra or {})
    cwd = None
    if as_nobody:
        env["HOME"] = cwd = as_nobody
        argv = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] + argv
    return run_timed(argv, "run", TIMEOUT, env=env, cwd=cwd)


def expect_one_error(done, needle, what):
    line = expect_refusal(done, [needle], what, returncode=None)
    print(f"ok  {what}: exit {done.returncode}: {line}")


def no_result(directory, name, what):
    leftovers = [f for f in os.listdir(directory) if f == name or ".partial-" in f]
    checkpoint = os.path.join(directory, name + ".checkpoint")
    if os.path.isdir(checkpoint):
        leftovers += [f for f in os.listdir(checkpoint) if ".partial-" in f]
    if leftovers:
        fail(f"{what}: left {leftovers} in {directory}")


class Tmpfs:
    def __init__(self, path, size):
        self.path, self.size = path, size

    def __enter__(self):
        os.makedirs(self.path, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={self.size}", "tmpfs", self.path], check=True)
        return self

    def resize(self, size):
        subprocess.run(["mount", "-o", f"remount,size={size}", self.path], check=True)

    def __exit__(self, *exc):
        subprocess.run(["umount", self.path], check=False)


def disk_full(mpiexec, deepntk, config, scratch):
    base = [mpiexec, "-n", "2", deepntk, "run", config, "--quiet"]
    # small.toml: four depth parts of ~480 KiB each, a result of ~1.8 MiB.
    cases = [
        ("parts do not fit (checked before writing)", "800k", {}, "need "),
        ("parts do not fit (ENOSPC inside HDF5)", "800k", {"DEEPNTK_TEST_SKIP_SPACE_CHECK": "1"}, "no space left"),
        ("the assembled result does not fit", "3m", {}, "need "),
    ]
    for index, (what, size, env, detail) in enumerate(cases):
        mount = os.path.join(scratch, f"disk{index}")
        with Tmpfs(mount, size) as disk:
            output = os.path.join(mount, "r.h5")
            done, seconds = run(base + ["--output", output], env)
            expect_one_error(done, "no space left on device", f"{what} [{seconds:.1f} s]")
            if detail not in done.stderr:
                fail(f"{what}: message lacks {detail!r}")
            no_result(mount, "r.h5", what)
            if not os.path.exists(os.path.join(output + ".checkpoint", "state.h5")):
                fail(f"{what}: the checkpoint's state.h5 is gone")
            disk.resize("8m")
            done, _ = run(base + ["--output", output], env)
            # (Parts are only trusted once a saved state counts them: here the run may start over.)
            if done.returncode != 0 or not os.path.exists(output):
                fail(f"{what}: resume after freeing space failed (exit {done.returncode}):\n{done.stdout}{done.stderr}")
            print(f"ok  {what}: the same command completed once there was room")


def permissions(mpiexec, deepntk, config, root):
    """root: a fresh directory that nobody can reach (0755, every ancestor enterable)."""
    home = os.path.join(root, "home")  # where nobody starts; nobody's
    os.makedirs(home)
    shutil.chown(home, "nobody", "nogroup")
    # Copies nobody can read and run, wherever the build tree is (deepntk links the project's
    # code statically; its shared libraries are the system's).
    program = shutil.copy2(deepntk, os.path.join(root, "deepntk"))
    config = shutil.copy2(config, os.path.join(root, "small.toml"))
    os.chmod(program, 0o755)
    os.chmod(config, 0o644)
    as_nobody = home
    base = [mpiexec, "-n", "2", program, "run", config, "--quiet"]
    locked = os.path.join(root, "locked")  # root's, 0755: nobody may not create files
    mine = os.path.join(root, "mine")  # nobody's
    os.makedirs(locked, mode=0o755)
    os.makedirs(mine)
    shutil.chown(mine, "nobody", "nogroup")

    done, _ = run(base + ["--output", os.path.join(locked, "r.h5")], as_nobody=as_nobody)
    expect_one_error(done, f"cannot write to output directory '{locked}': Permission denied", "output directory")
    no_result(locked, "r.h5", "output directory")

    output = os.path.join(mine, "r.h5")
    done, _ = run(base + ["--output", output, "--set", f"checkpoint.path={locked}"], as_nobody=as_nobody)
    expect_one_error(done, f"cannot write to checkpoint directory '{locked}': Permission denied",
                     "checkpoint directory")
    no_result(mine, "r.h5", "checkpoint directory")

    with open(output, "w") as f:
        f.write("an earlier result\n")
    os.chmod(output, 0o444)
    done, _ = run(base + ["--output", output, "--force"], as_nobody=as_nobody)
    expect_one_error(done, f"cannot replace '{output}': it is read-only", "read-only result with --force")
    with open(output) as f:
        if f.read() != "an earlier result\n":
            fail("the read-only result was changed")
    os.remove(output)

    secret = os.path.join(root, "secret.h5")
    with open(secret, "w") as f:
        f.write("not for nobody\n")
    os.chmod(secret, 0o600)
    done, _ = run(base + ["--output", output, "--set", "data.source=hdf5", "--set", f"data.path={secret}"],
                  as_nobody=as_nobody)
    expect_one_error(done, f"cannot read HDF5 file '{secret}': Permission denied", "unreadable input")
    no_result(mine, "r.h5", "unreadable input")


def main():
    if len(sys.argv) != 5:
        print(__doc__)
        return 2
    mpiexec, deepntk, config, scratch = sys.argv[1:]
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        print("SKIP: needs root (tmpfs mounts) and setpriv (running as nobody)")
        return SKIP
    shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(scratch)
    probe = os.path.join(scratch, "probe")
    os.makedirs(probe)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", probe], capture_output=True).returncode:
        print("SKIP: mounting a tmpfs is not permitted here")
        return SKIP
    subprocess.run(["umount", probe], check=False)
    disk_full(mpiexec, deepntk, config, scratch)
    nobody_root = tempfile.mkdtemp(prefix="deepntk-nobody-", dir="/tmp")
    try:
        os.chmod(nobody_root, 0o755)  # mkdtemp makes it 0700
        permissions(mpiexec, deepntk, config, nobody_root)
    finally:
        shutil.rmtree(nobody_root, ignore_errors=True)
    print("all file error checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
