# Runs a command on a real pseudo-terminal and plays a dialogue: waits for each expected text, then types its answer.
# Prints {"code": exit code, "out": everything the terminal showed} as JSON. Used by admins-tty.test.ts.
import json, os, pty, select, sys

argv, steps = json.loads(sys.argv[1]), json.loads(sys.argv[2])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
out, seen = b'', 0

def read_some():
    global out
    ready, _, _ = select.select([fd], [], [], 120)  # a hang guard on a slow machine, not a timing assertion
    if not ready:
        raise SystemExit('no output for 120 s; so far: ' + out.decode('utf8', 'replace'))
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        chunk = b''
    out += chunk
    return chunk

for expect, answer in steps:
    while out.find(expect.encode(), seen) < 0:
        if not read_some():
            raise SystemExit('ended before "' + expect + '"; output: ' + out.decode('utf8', 'replace'))
    seen = out.find(expect.encode(), seen) + len(expect)
    os.write(fd, answer.encode())
while read_some():
    pass
_, status = os.waitpid(pid, 0)
print(json.dumps({'code': os.waitstatus_to_exitcode(status), 'out': out.decode('utf8', 'replace')}))
