#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs the GTK 4 demo (examples/gtk) under Xvfb and checks it.

Usage: check-gtk-demo.py CASE DEMO
       check-gtk-demo.py --skip REASON

CASE is one of the cases below (see tests/gtk/meson.build). The demo
hashes a folder of files this script generates; its stdout has a line of
the set's counters when it acts ("screenshot: 10 queued, 2 running, ...")
and a summary on exit that accounts for every task it spawned. Exit status
77 (skipped) only when Xvfb is not installed. With GTK_DEMO_SCREENSHOT=PNG
in the environment, the screenshot case keeps its PNG there once it passed
(tests/gtk/update-screenshot.sh).
"""

import hashlib
import os
import random
import re
import select
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
N_FILES = 24
TIMEOUT = 30

COUNTERS = re.compile(
    r"^(?P<what>[a-z ]+): (?P<queued>\d+) queued, (?P<running>\d+) running, "
    r"(?P<finished>\d+) finished, (?P<spawned>\d+) spawned, (?P<rows>\d+) rows, "
    r"max-concurrent (?P<max_concurrent>\d+), spin (?P<spin>\d+)$",
    re.M)
SUMMARY = re.compile(
    r"^summary: (?P<spawned>\d+) tasks spawned: (?P<finished>\d+) finished "
    r"\((?P<succeeded>\d+) succeeded, (?P<failed>\d+) failed, (?P<aborted>\d+) aborted\), "
    r"(?P<dropped>\d+) dropped with their set unreported; "
    r"(?P<finalized>\d+) of (?P<sets>\d+) sets finalized; "
    r"task functions: (?P<completed>\d+) completed, (?P<stopped>\d+) stopped when cancelled, "
    r"(?P<never_called>\d+) never called, (?P<still_running>\d+) still running \(waited (?P<waited>\d+) ms\); "
    r"(?P<freed>\d+) of (?P<spawned2>\d+) user_data freed$",
    re.M)


class Failure(Exception):
    pass


def check(condition, message, output=None):
    if not condition:
        if output is not None:
            sys.stdout.write("--- demo output ---\n" + output + "-------------------\n")
        raise Failure(message)


def make_folder(root):
    """N_FILES files of 96 to 288 KiB in two subfolders, plus an empty one:
    12 to 36 chunks each under --slow (8 KiB, 25 ms per chunk)."""
    rng = random.Random(7)
    files = {}
    for i in range(N_FILES):
        name = os.path.join("set-%d" % (i % 2), "file-%02d.bin" % i)
        path = os.path.join(root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = rng.randbytes(rng.randint(96, 288) * 1024)
        with open(path, "wb") as f:
            f.write(data)
        files[name] = hashlib.sha256(data).hexdigest()
    os.makedirs(os.path.join(root, "empty"), exist_ok=True)
    return files


class Xvfb:
    """A private X server on a display number it picks itself (-displayfd),
    so that test runs in parallel, here or in other build trees, never race
    for one (xvfb-run -a does)."""

    def __init__(self, workdir):
        self.log = open(os.path.join(workdir, "xvfb.log"), "w")
        self.proc = None
        self.display = None

    def __enter__(self):
        read_fd, write_fd = os.pipe()
        self.proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x1024x24",
                                      "-nolisten", "tcp", "-noreset"],
                                     pass_fds=(write_fd,), stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=self.log)
        os.close(write_fd)
        with os.fdopen(read_fd) as pipe:
            ready, _, _ = select.select([pipe], [], [], 15)
            number = pipe.readline().strip() if ready else ""
        if not number.isdigit():
            self.__exit__()
            raise Failure("Xvfb did not start (see its log: %s)" % self.log.name)
        self.display = ":" + number
        return self

    def __exit__(self, *exc):
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def run_demo(demo, args, workdir):
    """Runs the demo on a private Xvfb (and D-Bus session, when
    dbus-run-session is there); returns (exit status, stdout)."""
    env = dict(os.environ)
    env.update({
        "GTK_A11Y": "none",            # no accessibility bus under Xvfb
        "GSETTINGS_BACKEND": "memory",
        "GSK_RENDERER": "cairo",       # the same pixels with or without Mesa
        "XDG_RUNTIME_DIR": workdir,
        "LC_ALL": "C.UTF-8",
    })
    env.pop("WAYLAND_DISPLAY", None)
    command = [demo] + args
    if shutil.which("dbus-run-session"):
        command = ["dbus-run-session", "--"] + command
    with Xvfb(workdir) as xvfb:
        env["DISPLAY"] = xvfb.display
        print("$ DISPLAY=%s %s" % (xvfb.display, " ".join(command)), flush=True)
        try:
            proc = subprocess.run(command, env=env, cwd=workdir, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired as e:
            raise Failure("the demo did not exit within %d s" % TIMEOUT) from e
    sys.stdout.write(proc.stderr)
    for line in proc.stdout.splitlines():
        if not re.match(r"^[0-9a-f]{64}  ", line):
            print("demo: " + line)
    return proc.returncode, proc.stdout


def counters(output, what):
    """The counters the demo printed as it did WHAT; the spin button and
    the set's max-concurrent, bound both ways, agree on every line."""
    for m in COUNTERS.finditer(output):
        if m.group("what") == what:
            c = {k: int(v) for k, v in m.groupdict().items() if k != "what"}
            check(c["spin"] == c["max_concurrent"],
                  "spin button %d, max-concurrent %d" % (c["spin"], c["max_concurrent"]), output)
            return c
    raise Failure("no '%s:' line of counters" % what)


def summary(output):
    """The exit summary, checked for what holds in every case: each task
    accounted for exactly once, every set finalized, every user_data freed,
    no task function running after the window closed."""
    m = SUMMARY.search(output)
    check(m is not None, "no summary line", output)
    s = {k: int(v) for k, v in m.groupdict().items()}
    check(s["spawned"] == N_FILES + 1, "expected %d tasks spawned (a listing and %d files), got %d"
          % (N_FILES + 1, N_FILES, s["spawned"]), output)
    check(s["finished"] == s["succeeded"] + s["failed"] + s["aborted"],
          "finished is not succeeded + failed + aborted", output)
    check(s["finished"] + s["dropped"] == s["spawned"],
          "%d finished + %d dropped != %d spawned" % (s["finished"], s["dropped"], s["spawned"]), output)
    check(s["failed"] == 0, "%d tasks failed" % s["failed"], output)
    check(s["finalized"] == s["sets"] == 1, "the set was not finalized", output)
    check(s["freed"] == s["spawned2"] == s["spawned"], "some user_data was not freed", output)
    check(s["still_running"] == 0, "task functions outlived the set", output)
    check(s["completed"] + s["stopped"] + s["never_called"] == s["spawned"],
          "task functions completed + stopped + never called != spawned", output)
    # What the user saw finish is what the functions did: a function that
    # completed its work was reported as succeeded, except one that was
    # just returning when its task was aborted (at most one per running
    # task, checked by the cases).
    check(s["completed"] >= s["succeeded"] + s["failed"],
          "%d tasks reported done, but only %d functions completed" % (s["succeeded"] + s["failed"], s["completed"]),
          output)
    return s


def check_aborted(s, running, output):
    """The tasks aborted (by Cancel All or with the set) really stopped:
    their functions returned early when cancelled, or were never called."""
    extra = s["completed"] - s["succeeded"] - s["failed"]
    check(extra <= running, "%d task functions ran to completion after their task was aborted" % extra, output)
    check(s["stopped"] + s["never_called"] >= s["aborted"] + s["dropped"] - running,
          "aborted tasks did not stop", output)


def check_png(path, min_size=(600, 400)):
    """A real screenshot: big enough, many colours, and the accent colour of
    filled progress bars (Adwaita's blue) on a good number of pixels below
    the top fifth of the window, where the overall progress bar is: the
    rows' own bars moved."""
    import gi
    gi.require_version("GdkPixbuf", "2.0")
    from gi.repository import GdkPixbuf

    check(os.path.exists(path), "no screenshot at %s" % path)
    check(os.path.getsize(path) > 10 * 1024, "the screenshot is only %d bytes" % os.path.getsize(path))
    pixbuf = GdkPixbuf.Pixbuf.new_from_file(path)
    width, height = pixbuf.get_width(), pixbuf.get_height()
    check(width >= min_size[0] and height >= min_size[1], "the screenshot is only %dx%d" % (width, height))
    n_channels, stride = pixbuf.get_n_channels(), pixbuf.get_rowstride()
    pixels = pixbuf.get_pixels()
    colours = set()
    accent = 0
    for y in range(height):
        in_rows = y > height // 5
        row = pixels[y * stride:y * stride + width * n_channels]
        for x in range(0, len(row), n_channels):
            r, g, b = row[x], row[x + 1], row[x + 2]
            colours.add((r, g, b))
            if in_rows and abs(r - 0x35) < 24 and abs(g - 0x84) < 24 and abs(b - 0xe4) < 24:
                accent += 1
    print("screenshot: %dx%d, %d bytes, %d colours, %d accent pixels"
          % (width, height, os.path.getsize(path), len(colours), accent))
    check(len(colours) >= 64, "the screenshot has only %d colours" % len(colours))
    check(accent >= 20, "no row's progress bar moved on the screenshot (%d accent pixels)" % accent)


def case_screenshot(demo, folder, workdir):
    png = os.path.join(workdir, "gtk-demo.png")
    status, out = run_demo(demo, ["--slow", "-j", "2", "--screenshot", png, "--after", "1500", folder],
                           workdir)
    check(status == 0, "exit status %d" % status, out)
    c = counters(out, "screenshot")
    check(c["running"] >= 1 and c["running"] <= 2, "expected 1 or 2 running tasks (-j 2), got %d" % c["running"], out)
    check(c["queued"] >= 1, "nothing queued at the screenshot: not slow enough to show", out)
    check(c["rows"] >= c["running"], "fewer rows than running tasks", out)
    check(c["spawned"] == N_FILES + 1, "the files were not all spawned at the screenshot", out)
    s = summary(out)
    check(s["dropped"] >= 1, "closing the window aborted nothing", out)
    check_aborted(s, c["running"], out)
    check_png(png)
    keep = os.environ.get("GTK_DEMO_SCREENSHOT")
    if keep:
        shutil.copyfile(png, keep)
        print("saved the screenshot as %s" % keep)


def case_close(demo, folder, workdir):
    status, out = run_demo(demo, ["--slow", "-j", "3", "--close-after", "800", folder], workdir)
    check(status == 0, "exit status %d" % status, out)
    c = counters(out, "closing")
    check(c["running"] >= 1, "no task was running when the window closed", out)
    s = summary(out)
    unfinished = c["spawned"] - c["finished"]
    check(s["dropped"] >= 1, "nothing was aborted when the set was dropped", out)
    # The set's counters were read just before the close; a task or two may
    # have finished in between, never more than were running.
    check(unfinished - c["running"] <= s["dropped"] <= unfinished,
          "%d aborted with the set, but %d were unfinished at the close" % (s["dropped"], unfinished), out)
    check(s["aborted"] == 0, "tasks joined as aborted before the close", out)
    check_aborted(s, c["running"], out)


def case_cancel_all(demo, folder, workdir):
    status, out = run_demo(demo, ["--slow", "-j", "2", "--cancel-after", "800", "--exit-when-done", folder],
                           workdir)
    check(status == 0, "exit status %d" % status, out)
    c = counters(out, "cancel all")
    check(c["running"] >= 1 and c["queued"] >= 1, "nothing left to cancel at the click", out)
    s = summary(out)
    check(s["dropped"] == 0, "the window closed before every task finished", out)
    check(s["aborted"] >= c["queued"], "%d aborted, but %d were queued at the click" % (s["aborted"], c["queued"]),
          out)
    check(s["succeeded"] + s["aborted"] == s["spawned"], "not every task succeeded or was aborted", out)
    check_aborted(s, c["running"], out)


def case_spin(demo, folder, workdir):
    status, out = run_demo(demo, ["--slow", "-j", "1", "--spin", "3", "--spin-after", "600",
                                  "--close-after", "1800", folder], workdir)
    check(status == 0, "exit status %d" % status, out)
    before = counters(out, "before spin")
    check(before["max_concurrent"] == 1 and before["running"] <= 1,
          "-j 1 did not give max-concurrent 1 and one task at a time", out)
    after = counters(out, "after spin")
    check(after["max_concurrent"] == 3, "the spin button did not set max-concurrent", out)
    closing = counters(out, "closing")
    check(closing["max_concurrent"] == 3 and closing["running"] >= 2,
          "raising max-concurrent to 3 did not start more tasks (%d running)" % closing["running"], out)
    s = summary(out)
    check_aborted(s, closing["running"], out)


def case_checksums(demo, folder, workdir, files):
    status, out = run_demo(demo, ["-j", "3", "--exit-when-done", "--print-checksums", folder], workdir)
    check(status == 0, "exit status %d" % status, out)
    printed = {}
    for line in out.splitlines():
        m = re.match(r"^([0-9a-f]{64})  (.+)$", line)
        if m:
            printed[m.group(2)] = m.group(1)
    check(printed == files, "the checksums differ from Python's hashlib:\n%s\n%s" % (printed, files), out)
    s = summary(out)
    check(s["succeeded"] == s["completed"] == s["spawned"] and s["dropped"] == 0, "not every task succeeded", out)


def main(argv):
    if len(argv) >= 2 and argv[1] == "--skip":
        print("SKIP: " + argv[2])
        return SKIP
    if len(argv) != 3:
        print(__doc__)
        return 2
    case, demo = argv[1], os.path.abspath(argv[2])
    if shutil.which("Xvfb") is None:
        print("SKIP: Xvfb not found (Debian package xvfb)")
        return SKIP

    workdir = tempfile.mkdtemp(prefix="gtk-demo-")
    try:
        folder = os.path.join(workdir, "files")
        files = make_folder(folder)
        if case == "screenshot":
            case_screenshot(demo, folder, workdir)
        elif case == "close":
            case_close(demo, folder, workdir)
        elif case == "cancel-all":
            case_cancel_all(demo, folder, workdir)
        elif case == "spin":
            case_spin(demo, folder, workdir)
        elif case == "checksums":
            case_checksums(demo, folder, workdir, files)
        else:
            print("unknown case %s" % case)
            return 2
    except Failure as e:
        print("FAIL: %s" % e)
        return 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print("ok: %s" % case)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
