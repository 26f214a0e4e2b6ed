# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks a hash-files example (Python, GJS or Vala) against hashlib.

    check-hash-example.py DIRECTORY -- COMMAND [ARGS...]
    check-hash-example.py --sigint -- COMMAND [ARGS...]

The first form runs ``COMMAND ARGS -j 3 DIRECTORY`` and expects exit status
0, one "<sha256>  <path>" line for every regular file under DIRECTORY (dot
and _build* directories skipped, symbolic links not followed) with the right
checksum, and a summary counting them all.

The second form builds a directory whose one file takes minutes to hash (a
sparse file) next to small ones, runs the example on it with two jobs,
interrupts it with SIGINT once it printed a checksum, and expects it to stop
at once with exit status 1, "Interrupted" on stderr and a summary with the
big file aborted.
"""

import hashlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading

SUMMARY = re.compile(r'^(\d+) files hashed, (\d+) failed, (\d+) aborted, '
                     r'with at most (\d+) at once, in [0-9.]+ s$')
LINE = re.compile(r'^([0-9a-f]{64})  (.+)$')


def fail(message, output=''):
    print('FAIL: ' + message)
    lines = output.splitlines()
    if len(lines) > 20:
        print('[... {} lines ...]'.format(len(lines) - 20))
    print('\n'.join(lines[-20:]))
    sys.exit(1)


def expected_checksums(directory):
    sums = {}
    for root, dirs, files in os.walk(directory):
        dirs[:] = [d for d in dirs if not d.startswith(('.', '_build'))
                   and not os.path.islink(os.path.join(root, d))]
        for name in files:
            path = os.path.join(root, name)
            if os.path.isfile(path) and not os.path.islink(path):
                with open(path, 'rb') as stream:
                    sums[os.path.abspath(path)] = hashlib.sha256(stream.read()).hexdigest()
    return sums


def parse(stdout):
    sums, summary = {}, None
    for line in stdout.splitlines():
        if not line:
            continue
        match = LINE.match(line)
        if match:
            sums[os.path.abspath(match.group(2))] = match.group(1)
        elif SUMMARY.match(line):
            summary = [int(n) for n in SUMMARY.match(line).groups()]
        else:
            fail('unexpected output line: {!r}'.format(line), stdout)
    if summary is None:
        fail('no summary line', stdout)
    return sums, summary


def check_run(directory, command):
    proc = subprocess.run(command + ['-j', '3', directory], capture_output=True,
                          text=True, timeout=60)
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        fail('exit status {}'.format(proc.returncode), output)
    sums, (hashed, failed, aborted, jobs) = parse(proc.stdout)
    expected = expected_checksums(directory)
    if sums != expected:
        missing = sorted(set(expected) - set(sums))
        extra = sorted(set(sums) - set(expected))
        wrong = sorted(p for p in set(sums) & set(expected) if sums[p] != expected[p])
        fail('checksums differ: missing {}, extra {}, wrong {}'.format(missing, extra, wrong), output)
    if (hashed, failed, aborted, jobs) != (len(expected), 0, 0, 3):
        fail('summary says {} hashed, {} failed, {} aborted, {} jobs; expected {} hashed'.format(
            hashed, failed, aborted, jobs, len(expected)), output)
    print('ok: {} files, every checksum right'.format(len(expected)))


def check_sigint(command):
    with tempfile.TemporaryDirectory() as directory:
        # Small files: enough output to get past stdio buffering at once.
        for n in range(300):
            with open(os.path.join(directory, 'small-{:03}'.format(n)), 'wb') as stream:
                stream.write(b'%d\n' % n * 16)
        # Hashing 256 GiB of zeros takes minutes: this one is still running
        # when the example is interrupted.
        with open(os.path.join(directory, 'huge'), 'wb') as stream:
            stream.truncate(256 << 30)

        errors = tempfile.TemporaryFile(mode='w+')
        proc = subprocess.Popen(command + ['-j', '2', directory], stdout=subprocess.PIPE,
                                stderr=errors, text=True)
        lines = []
        printed = threading.Event()

        def read():
            for line in proc.stdout:
                lines.append(line)
                if LINE.match(line):
                    printed.set()
            printed.set()

        reader = threading.Thread(target=read)
        reader.start()
        try:
            if not printed.wait(30) or not lines or not LINE.match(lines[0]):
                proc.kill()
                reader.join()
                errors.seek(0)
                fail('no checksum printed first, within 30 s', ''.join(lines) + errors.read())
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            fail('still running 30 s after SIGINT')
        finally:
            reader.join()
        errors.seek(0)
        stderr = errors.read()
        stdout = ''.join(lines)
        output = stdout + stderr
        if proc.returncode != 1:
            fail('expected exit status 1 after SIGINT, got {}'.format(proc.returncode), output)
        if 'Interrupted' not in stderr:
            fail('the SIGINT handler did not run', output)
        sums, (hashed, failed, aborted, jobs) = parse(stdout)
        if os.path.join(directory, 'huge') in sums or aborted < 1 or failed != 0:
            fail('expected the huge file aborted: {} hashed, {} failed, {} aborted'.format(
                hashed, failed, aborted), output)
        if hashed != len(sums):
            fail('summary says {} hashed, {} checksums printed'.format(hashed, len(sums)), output)
        print('ok: interrupted after {} files, {} aborted'.format(hashed, aborted))


def main(argv):
    if '--' not in argv:
        fail(__doc__)
    split = argv.index('--')
    options, command = argv[:split], argv[split + 1:]
    if options == ['--sigint']:
        check_sigint(command)
    elif len(options) == 1:
        check_run(options[0], command)
    else:
        fail(__doc__)


if __name__ == '__main__':
    main(sys.argv[1:])
