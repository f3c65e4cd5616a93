"""
Real activity for CatalogEventsIT: every event type of the catalog, done for real as root in a
temporary directory, each once, successes and failures. Prints "done" last; nothing is mocked.

usage: catalog.py DIR TAG AGENT_PID PORT_V4 PORT_V6 PORT_REFUSED SYSCALLS_JSON
"""
import ctypes
import json
import mmap
import os
import signal
import socket
import sys
import time

work, tag, agent_pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
port4, port6, refused = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
nr = json.loads(sys.argv[7])
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
os.chdir(work)


def child(fn):
    """Runs fn in a forked child and waits for it: id changes and namespaces stay out of this process."""
    pid = os.fork()
    if pid == 0:
        try:
            fn()
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def sleeper(uid=None):
    pid = os.fork()
    if pid == 0:
        if uid is not None:
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
        time.sleep(30)
        os._exit(0)
    time.sleep(0.2)
    return pid


# network: TCP over IPv4 and IPv6, a refused connect, UDP to port 53, a unix socket
srv = socket.socket()
srv.bind(("127.0.0.1", port4))
srv.listen(7)
cli = socket.create_connection(("127.0.0.1", port4))
conn, _ = srv.accept()
srv6 = socket.socket(socket.AF_INET6)
srv6.bind(("::1", port6))
srv6.listen(3)
cli6 = socket.create_connection(("::1", port6))
conn6, _ = srv6.accept()
try:
    socket.create_connection(("127.0.0.1", refused))
except ConnectionRefusedError:
    pass
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.sendto(b"\0", ("127.0.0.1", 53))
udp2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp2.connect(("127.0.0.1", 53))
unix_srv = socket.socket(socket.AF_UNIX)
unix_srv.bind(os.path.join(work, "ksec.sock"))
unix_srv.listen(1)
unix_cli = socket.socket(socket.AF_UNIX)
unix_cli.connect(os.path.join(work, "ksec.sock"))

# credentials: drop to nobody, then fail to get root back
def drop():
    os.setresgid(65534, 65534, 65534)
    os.setresuid(65534, 65534, 65534)
    try:
        os.setuid(0)
    except PermissionError:
        pass
child(drop)

# prctl: a process renaming itself (what a masquerading implant does)
libc.prctl(15, ("k-" + tag[-10:]).encode(), 0, 0, 0)

# capability use: root reading the environment of another user's process needs CAP_SYS_PTRACE
nobody = sleeper(65534)
try:
    open(f"/proc/{nobody}/environ", "rb").read()
except OSError:
    pass

# signals: one to a child, a liveness probe aimed at the agent
victim = sleeper()
os.kill(victim, signal.SIGTERM)
os.waitpid(victim, 0)
os.kill(agent_pid, 0)

# namespaces: enter our own uts namespace again, make a new one
def enter_ns():
    fd = os.open("/proc/self/ns/uts", os.O_RDONLY)
    libc.setns(fd, 0)
    libc.unshare(0x04000000)  # CLONE_NEWUTS
child(enter_ns)

# sessions: a child leaves ours and leads its own, as a daemon detaches
child(os.setsid)

# injection: attach to a child, read and write its memory, fail to attach to root as nobody
buf = ctypes.create_string_buffer(b"ksec-memory", 64)
target = sleeper()


class IoVec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


local = ctypes.create_string_buffer(64)
liov = IoVec(ctypes.cast(local, ctypes.c_void_p), 16)
riov = IoVec(ctypes.cast(buf, ctypes.c_void_p), 16)
libc.process_vm_readv(target, ctypes.byref(liov), 1, ctypes.byref(riov), 1, 0)
libc.process_vm_writev(target, ctypes.byref(liov), 1, ctypes.byref(riov), 1, 0)
libc.ptrace(16, target, 0, 0)  # PTRACE_ATTACH
os.waitpid(target, 0)
libc.ptrace(17, target, 0, 0)  # PTRACE_DETACH
os.kill(target, signal.SIGKILL)
os.waitpid(target, 0)
def attach_as_nobody():
    os.setresuid(65534, 65534, 65534)
    libc.ptrace(16, 1, 0, 0)
    libc.sethostname(b"ksec", 4)  # needs CAP_SYS_ADMIN: a denied capability check
child(attach_as_nobody)

# fileless execution: a program copied into a memfd and run from there
mfd = os.memfd_create("ksec-" + tag, 0)
with open("/bin/true", "rb") as f:
    os.write(mfd, f.read())
pid = os.fork()
if pid == 0:
    os.execv(f"/proc/self/fd/{mfd}", ["memfd-true", tag])
os.waitpid(pid, 0)

# writable and executable memory: mmap RWX, and mprotect of RW memory to RWX
rwx = libc.mmap(None, 8192, 7, 0x22, -1, 0)
rw = libc.mmap(None, 12288, 3, 0x22, -1, 0)
libc.mprotect(rw, 12288, 7)

# a BPF program load: "r0 = 0; exit", a socket filter named after the test
insns = (ctypes.c_uint64 * 2)(0x00000000000000b7, 0x0000000000000095)
license = ctypes.create_string_buffer(b"GPL")
attr = ctypes.create_string_buffer(128)
ctypes.memmove(attr, (ctypes.c_uint32 * 2)(1, 2), 8)                      # SOCKET_FILTER, 2 insns
ctypes.memmove(ctypes.byref(attr, 8), (ctypes.c_uint64 * 2)(ctypes.addressof(insns), ctypes.addressof(license)), 16)
ctypes.memmove(ctypes.byref(attr, 48), b"ksec_probe", 10)
prog_fd = libc.syscall(nr["bpf"], 5, attr, 128)

# kernel modules and kexec: attempts (this kernel may lack module support: ENOSYS then)
libc.syscall(nr["finit_module"], -1, b"", 0)
libc.syscall(nr["delete_module"], b"ksec_fake", 0)
libc.syscall(nr["kexec_file_load"], -1, -1, 1, b"", 0)

# mounts: in a private mount namespace, a tmpfs on a temporary directory, unmounted again;
# a pivot_root that the kernel refuses
os.makedirs("mnt", exist_ok=True)
os.makedirs("newroot/old", exist_ok=True)
def mounts():
    libc.unshare(0x00020000)  # CLONE_NEWNS
    libc.mount(b"none", b"/", None, 0x40000 | 0x4000, None)  # MS_PRIVATE | MS_REC
    libc.mount(b"ksec-" + tag.encode(), b"mnt", b"tmpfs", 0, b"size=1m")
    libc.umount2(b"mnt", 2)  # MNT_DETACH
    libc.syscall(nr["pivot_root"], b"newroot", b"newroot/old")
child(mounts)

# clock: setting the time as nobody fails (EPERM), so the host clock is never touched
def clock_as_nobody():
    os.setresuid(65534, 65534, 65534)
    ts = (ctypes.c_long * 2)(946684800, 0)
    libc.clock_settime(0, ts)
    try:  # a kernel parameter, opened for writing and refused: nothing changes
        open("/proc/sys/kernel/domainname", "w")
    except PermissionError:
        pass
child(clock_as_nobody)

# capabilities: a program dropping its inheritable set (capset)
import subprocess
subprocess.run(["setpriv", "--inh-caps=-all", "true"], check=False)

os.kill(nobody, signal.SIGKILL)
os.waitpid(nobody, 0)
print("done", prog_fd, flush=True)
