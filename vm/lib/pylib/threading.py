# vm/lib/pylib/threading.py - gilt's threading module, written in the gilt
# subset on top of the primitives of _thread (vm/lib/mod_thread.c), as
# CPython's Lib/threading.py is.  Everything above a plain lock - Condition,
# Semaphore, Event, Barrier, Thread.join - is Python code running on the
# VM, so it takes the GIL, switches and blocks the way user code does.
#
# Under --gil none there is no GIL and the VM's dicts and lists have no
# lock of their own: two threads may not touch one dict or list at once
# if either changes it.  So every object here that several threads touch
# is read and written only under a lock: the registries (_active, _limbo,
# the name counter) under _registry_lock, each primitive's state under its
# own lock, a Thread's stop flag under _registry_lock; a shared object's
# attributes are only overwritten, never added or deleted, once another
# thread can see it.  What a thread alone touches (its Thread's _locals,
# the dicts of threading.local) needs no lock.
import _thread
import sys as _sys
from time import monotonic as _time

_allocate_lock = _thread.allocate_lock
get_ident = _thread.get_ident
Lock = _thread.allocate_lock
RLock = _thread.RLock
TIMEOUT_MAX = _thread.TIMEOUT_MAX
ThreadError = RuntimeError
_warned = {}


def _deprecated(msg):
    # CPython's warnings.warn(msg, DeprecationWarning, stacklevel=2) under
    # the default filters: shown once per (message, line) when the caller
    # is the main script, ignored when it is an imported module.
    filename, lineno, funcname, text = _sys._gilt_caller(2)
    if not _sys.argv or filename != _sys.argv[0]:
        return
    key = (msg, filename, lineno)
    with _registry_lock:
        if key in _warned:
            return
        _warned[key] = True
    out = "%s:%d: DeprecationWarning: %s\n" % (filename, lineno, msg)
    if text:
        out += "  %s\n" % text
    _sys.stderr.write(out)

_registry_lock = _allocate_lock()
_active = {}
_limbo = {}
_counter = 0


def _newname(template):
    global _counter
    with _registry_lock:
        _counter += 1
        n = _counter
    return template % n


class Condition:
    def __init__(self, lock=None):
        if lock is None:
            lock = RLock()
        self._lock = lock
        self.acquire = lock.acquire
        self.release = lock.release
        self._waiters = []

    def __enter__(self):
        return self._lock.__enter__()

    def __exit__(self, *args):
        return self._lock.__exit__(*args)

    def __repr__(self):
        return "<Condition(%s, %d)>" % (self._lock, len(self._waiters))

    def _is_owned(self):
        if hasattr(self._lock, '_is_owned'):
            return self._lock._is_owned()
        if self._lock.acquire(False):
            self._lock.release()
            return False
        return True

    def _release_save(self):
        # Fully release the lock, remembering an RLock's recursion depth.
        depth = 0
        if hasattr(self._lock, '_is_owned'):
            while self._lock._is_owned():
                self._lock.release()
                depth += 1
        else:
            self._lock.release()
        return depth

    def _acquire_restore(self, depth):
        if depth == 0:
            self._lock.acquire()
        else:
            for _ in range(depth):
                self._lock.acquire()

    def wait(self, timeout=None):
        if not self._is_owned():
            raise RuntimeError("cannot wait on un-acquired lock")
        waiter = _allocate_lock()
        waiter.acquire()
        self._waiters.append(waiter)
        saved = self._release_save()
        gotit = False
        try:
            if timeout is None:
                waiter.acquire()
                gotit = True
            else:
                if timeout > 0:
                    gotit = waiter.acquire(True, timeout)
                else:
                    gotit = waiter.acquire(False)
            return gotit
        finally:
            self._acquire_restore(saved)
            if not gotit:
                try:
                    self._waiters.remove(waiter)
                except ValueError:
                    pass

    def wait_for(self, predicate, timeout=None):
        endtime = None
        waittime = timeout
        result = predicate()
        while not result:
            if waittime is not None:
                if endtime is None:
                    endtime = _time() + waittime
                else:
                    waittime = endtime - _time()
                    if waittime <= 0:
                        break
            self.wait(waittime)
            result = predicate()
        return result

    def notify(self, n=1):
        if not self._is_owned():
            raise RuntimeError("cannot notify on un-acquired lock")
        waiters = self._waiters[:n]
        for waiter in waiters:
            waiter.release()
            try:
                self._waiters.remove(waiter)
            except ValueError:
                pass

    def notify_all(self):
        self.notify(len(self._waiters))

    def notifyAll(self):
        _deprecated("notifyAll() is deprecated, use notify_all() instead")
        self.notify_all()


class Semaphore:
    def __init__(self, value=1):
        if value < 0:
            raise ValueError("semaphore initial value must be >= 0")
        self._cond = Condition(Lock())
        self._value = value

    def __repr__(self):
        with self._cond:
            value = self._value
        return "<%s at 0x%x: value=%d>" % (type(self).__name__, id(self), value)

    def acquire(self, blocking=True, timeout=None):
        if not blocking and timeout is not None:
            raise ValueError("can't specify timeout for non-blocking acquire")
        rc = False
        endtime = None
        with self._cond:
            while self._value == 0:
                if not blocking:
                    break
                if timeout is not None:
                    if endtime is None:
                        endtime = _time() + timeout
                    else:
                        timeout = endtime - _time()
                        if timeout <= 0:
                            break
                self._cond.wait(timeout)
            else:
                self._value -= 1
                rc = True
        return rc

    def __enter__(self):
        return self.acquire()

    def release(self, n=1):
        if n < 1:
            raise ValueError('n must be one or more')
        with self._cond:
            self._value += n
            for i in range(n):
                self._cond.notify()

    def __exit__(self, t, v, tb):
        self.release()


class BoundedSemaphore(Semaphore):
    def __init__(self, value=1):
        super().__init__(value)
        self._initial_value = value

    def release(self, n=1):
        if n < 1:
            raise ValueError('n must be one or more')
        with self._cond:
            if self._value + n > self._initial_value:
                raise ValueError("Semaphore released too many times")
            self._value += n
            for i in range(n):
                self._cond.notify()


class Event:
    def __init__(self):
        self._cond = Condition(Lock())
        self._flag = False

    def __repr__(self):
        return "<%s at 0x%x: %s>" % (type(self).__name__, id(self), "set" if self.is_set() else "unset")

    def is_set(self):
        with self._cond:
            return self._flag

    def set(self):
        with self._cond:
            self._flag = True
            self._cond.notify_all()

    def clear(self):
        with self._cond:
            self._flag = False

    def wait(self, timeout=None):
        with self._cond:
            signaled = self._flag
            if not signaled:
                signaled = self._cond.wait(timeout)
            return signaled


class BrokenBarrierError(RuntimeError):
    pass


class Barrier:
    def __init__(self, parties, action=None, timeout=None):
        if parties < 1:
            raise ValueError("parties must be > 0")
        self._cond = Condition(Lock())
        self._action = action
        self._timeout = timeout
        self._parties = parties
        self._state = 0      # 0 filling, 1 draining, -1 resetting, -2 broken
        self._count = 0

    def wait(self, timeout=None):
        if timeout is None:
            timeout = self._timeout
        with self._cond:
            self._enter()
            index = self._count
            self._count += 1
            try:
                if index + 1 == self._parties:
                    self._release()
                else:
                    self._wait(timeout)
                return index
            finally:
                self._count -= 1
                self._exit()

    def _enter(self):
        while self._state in (-1, 1):
            self._cond.wait()
        if self._state < 0:
            raise BrokenBarrierError

    def _release(self):
        try:
            if self._action:
                self._action()
            self._state = 1
            self._cond.notify_all()
        except BaseException:
            self._break()
            raise

    def _wait(self, timeout):
        if not self._cond.wait_for(lambda: self._state != 0, timeout):
            self._break()
            raise BrokenBarrierError
        if self._state < 0:
            raise BrokenBarrierError

    def _exit(self):
        if self._count == 0:
            if self._state in (-1, 1):
                self._state = 0
                self._cond.notify_all()

    def reset(self):
        with self._cond:
            if self._count > 0:
                if self._state == 0:
                    self._state = -1
                elif self._state == -2:
                    self._state = -1
            else:
                self._state = 0
            self._cond.notify_all()

    def abort(self):
        with self._cond:
            self._break()

    def _break(self):
        self._state = -2
        self._cond.notify_all()

    @property
    def parties(self):
        return self._parties

    @property
    def n_waiting(self):
        with self._cond:
            if self._state == 0:
                return self._count
            return 0

    @property
    def broken(self):
        with self._cond:
            return self._state == -2


class Thread:
    def __init__(self, group=None, target=None, name=None, args=(), kwargs=None, *, daemon=None):
        if kwargs is None:
            kwargs = {}
        if name:
            name = str(name)
        else:
            name = _newname("Thread-%d")
            if target is not None:
                try:
                    name += " (%s)" % target.__name__
                except AttributeError:
                    pass
        self._target = target
        self._name = name
        self._args = args
        self._kwargs = kwargs
        if daemon is not None:
            self._daemonic = daemon
        else:
            self._daemonic = current_thread().daemon
        self._ident = None
        self._started = Event()
        self._done = Event()
        self._is_stopped = False
        self._locals = {}

    def __repr__(self):
        status = "initial"
        if self._started.is_set():
            status = "started"
        if self._stopped():
            status = "stopped"
        if self._daemonic:
            status += " daemon"
        if self._ident is not None:
            status += " %s" % self._ident
        return "<%s(%s, %s)>" % (type(self).__name__, self._name, status)

    def start(self):
        if self._started.is_set():
            raise RuntimeError("threads can only be started once")
        with _registry_lock:
            _limbo[id(self)] = self
        try:
            _thread.start_new_thread(self._bootstrap, ())
        except Exception:
            # Never started: unregister it, or active_count() and
            # enumerate() would count it forever (as CPython does).
            with _registry_lock:
                del _limbo[id(self)]
            raise
        self._started.wait()

    def run(self):
        try:
            if self._target is not None:
                self._target(*self._args, **self._kwargs)
        finally:
            # Dropped, as CPython deletes them; overwritten rather than
            # deleted, since other threads read this object's attributes.
            self._target = self._args = self._kwargs = None

    def _bootstrap(self):
        self._ident = get_ident()
        _thread._set_name(self._name)
        _thread._set_current(self)
        with _registry_lock:
            _active[self._ident] = self
            del _limbo[id(self)]
        self._started.set()
        try:
            self.run()
        except SystemExit:
            pass
        except BaseException as exc:
            excepthook(ExceptHookArgs(exc, self))
        finally:
            with _registry_lock:
                self._is_stopped = True
                del _active[self._ident]
            self._done.set()

    def _stopped(self):
        with _registry_lock:
            return self._is_stopped

    def join(self, timeout=None):
        if not self._started.is_set():
            raise RuntimeError("cannot join thread before it is started")
        if self is current_thread():
            raise RuntimeError("cannot join current thread")
        if timeout is None:
            self._done.wait()
        else:
            self._done.wait(max(timeout, 0))

    def is_alive(self):
        return self._started.is_set() and not self._stopped()

    @property
    def name(self):
        return self._name

    @name.setter
    def name(self, name):
        self._name = str(name)

    @property
    def ident(self):
        return self._ident

    @property
    def native_id(self):
        # gilt's threads have no separate OS thread id to report: the
        # identifier is unique among live threads, which is what is promised.
        return self._ident

    @property
    def daemon(self):
        return self._daemonic

    @daemon.setter
    def daemon(self, daemonic):
        if self._started.is_set():
            raise RuntimeError("cannot set daemon status of active thread")
        self._daemonic = daemonic

    def isDaemon(self):
        _deprecated("isDaemon() is deprecated, get the daemon attribute instead")
        return self._daemonic

    def setDaemon(self, daemonic):
        _deprecated("setDaemon() is deprecated, set the daemon attribute instead")
        self.daemon = daemonic

    def getName(self):
        _deprecated("getName() is deprecated, get the name attribute instead")
        return self._name

    def setName(self, name):
        _deprecated("setName() is deprecated, set the name attribute instead")
        self.name = name


class ExceptHookArgs:
    def __init__(self, exc, thread):
        self.exc_type = type(exc)
        self.exc_value = exc
        # None while gilt's exceptions have no __traceback__ object.
        self.exc_traceback = getattr(exc, "__traceback__", None)
        self.thread = thread


def excepthook(args):
    if args.exc_type is SystemExit:
        return
    name = args.thread.name if args.thread is not None else get_ident()
    _thread._excepthook(str(name), args.exc_value)


def _adopt_current(t, name, daemonic):
    # A Thread object for the calling thread, already running (the main
    # thread, or one that _thread started): started, registered, its own.
    t._name = name
    t._daemonic = daemonic
    t._ident = get_ident()
    t._started = Event()
    t._started._flag = True
    t._done = Event()
    t._is_stopped = False
    t._locals = {}
    _thread._set_current(t)
    with _registry_lock:
        _active[t._ident] = t


class _MainThread(Thread):
    def __init__(self):
        _adopt_current(self, "MainThread", False)


class _DummyThread(Thread):
    def __init__(self):
        _adopt_current(self, _newname("Dummy-%d"), True)


class Timer(Thread):
    def __init__(self, interval, function, args=None, kwargs=None):
        Thread.__init__(self)
        self.interval = interval
        self.function = function
        self.args = args if args is not None else []
        self.kwargs = kwargs if kwargs is not None else {}
        self.finished = Event()

    def cancel(self):
        self.finished.set()

    def run(self):
        self.finished.wait(self.interval)
        if not self.finished.is_set():
            self.function(*self.args, **self.kwargs)
        self.finished.set()


class local(_thread._local):
    # Per-thread attributes: each thread sees its own dict, kept in its
    # Thread's _locals keyed by the local object, which only that thread
    # touches (no lock, and no table shared by every thread).  As in
    # CPython, a subclass's __init__ runs again, with the constructor's
    # arguments, the first time each other thread touches the object.
    def _local_dict(self):
        mine = current_thread()._locals
        d = mine.get(id(self))
        if d is None:
            d = {}
            mine[id(self)] = d
            init = type(self).__init__
            # Not again in the constructing thread (whose __init__ call is
            # the one _thread._local makes, or has made, itself).
            if init is not object.__init__ and self._local_creator != get_ident():
                args, kw = self._local_args
                init(self, *args, **kw)
        return d

    def __getattr__(self, name):
        d = self._local_dict()
        if name not in d:
            raise AttributeError("'%s' object has no attribute '%s'" % (type(self).__name__, name))
        return d[name]

    def __setattr__(self, name, value):
        self._local_dict()[name] = value

    def __delattr__(self, name):
        d = self._local_dict()
        if name not in d:
            raise AttributeError(name)
        del d[name]


def current_thread():
    t = _thread._current()
    if t is None:
        return _DummyThread()
    return t


def currentThread():
    _deprecated("currentThread() is deprecated, use current_thread() instead")
    return current_thread()


def get_native_id():
    return get_ident()


def main_thread():
    return _main_thread


def active_count():
    with _registry_lock:
        return len(_active) + len(_limbo)


def activeCount():
    _deprecated("activeCount() is deprecated, use active_count() instead")
    return active_count()


def enumerate():
    with _registry_lock:
        return list(_active.values()) + list(_limbo.values())


def _shutdown():
    # Called by the VM when the main module ends: wait for every
    # non-daemon thread, as CPython's interpreter shutdown does.
    with _registry_lock:
        _main_thread._is_stopped = True
    while True:
        pending = None
        with _registry_lock:
            threads = list(_active.values())
        for t in threads:
            if t is not _main_thread and not t.daemon and t.is_alive():
                pending = t
                break
        if pending is None:
            return
        pending.join()


_main_thread = _MainThread()
