# An operating-system task scheduler in miniature (in the spirit of Martin
# Richards' benchmark, written afresh): an idle task, a worker, two
# handlers and two devices pass packets to each other, and the scheduler
# always runs the highest-priority task that is ready.  Objects, method
# calls, attribute access, linked lists.  Usage: scheduler.py ROUNDS
import sys

IDLE, WORKER, HANDLER_A, HANDLER_B, DEVICE_A, DEVICE_B = range(6)


class Packet:
    def __init__(self, home, work):
        self.link = None
        self.home = home        # the task a device packet goes back to
        self.work = work        # a work packet (else a device packet)
        self.index = 0
        self.data = [0, 0, 0, 0]


def append(queue, packet):
    packet.link = None
    if queue is None:
        return packet
    p = queue
    while p.link is not None:
        p = p.link
    p.link = packet
    return queue


class Task:
    def __init__(self, sched, ident, priority):
        self.sched = sched
        self.ident = ident
        self.priority = priority
        self.queue = None
        self.held = False
        sched.add(self)

    def has_work(self):
        return False

    def ready(self):
        return not self.held and (self.queue is not None or self.has_work())

    def next_packet(self):
        p = self.queue
        if p is not None:
            self.queue = p.link
        return p


class IdleTask(Task):
    def __init__(self, sched, rounds):
        Task.__init__(self, sched, IDLE, 0)
        self.control = 1
        self.rounds = rounds

    def has_work(self):
        return True

    def step(self, packet):
        self.rounds -= 1
        if self.rounds == 0:
            self.sched.running = False
        elif self.control & 1 == 0:
            self.control >>= 1
            self.sched.release(DEVICE_A)
        else:
            self.control = (self.control >> 1) ^ 0xD008
            self.sched.release(DEVICE_B)


class WorkerTask(Task):
    def __init__(self, sched):
        Task.__init__(self, sched, WORKER, 1000)
        self.target = HANDLER_A
        self.count = 0

    def step(self, packet):
        self.target = HANDLER_B if self.target == HANDLER_A else HANDLER_A
        packet.index = 0
        for i in range(4):
            self.count = self.count % 26 + 1
            packet.data[i] = self.count
        self.sched.send(packet, self.target)


class HandlerTask(Task):
    def __init__(self, sched, ident, priority, device):
        Task.__init__(self, sched, ident, priority)
        self.device = device
        self.work = None
        self.devices = None

    def has_work(self):
        return self.work is not None and self.devices is not None

    def step(self, packet):
        if packet is not None:
            if packet.work:
                self.work = append(self.work, packet)
            else:
                self.devices = append(self.devices, packet)
        if not self.has_work():
            return
        work = self.work
        if work.index == 4:
            self.work = work.link
            self.sched.send(work, WORKER)
            return
        device = self.devices
        self.devices = device.link
        device.data[0] = work.data[work.index]
        work.index += 1
        self.sched.send(device, self.device)


class DeviceTask(Task):
    def __init__(self, sched, ident, priority):
        Task.__init__(self, sched, ident, priority)
        self.pending = None

    def has_work(self):
        return self.pending is not None

    def step(self, packet):
        if packet is not None:
            # The transfer takes time: wait until the idle task releases us.
            self.pending = append(self.pending, packet)
            self.sched.hold(self)
        else:
            done = self.pending
            self.pending = done.link
            self.sched.send(done, done.home)


class Scheduler:
    def __init__(self):
        self.tasks = {}
        self.order = []
        self.running = True
        self.sends = 0
        self.holds = 0

    def add(self, task):
        self.tasks[task.ident] = task
        self.order.append(task)
        self.order.sort(key=lambda t: -t.priority)

    def send(self, packet, target):
        self.sends += 1
        task = self.tasks[target]
        task.queue = append(task.queue, packet)

    def release(self, ident):
        self.tasks[ident].held = False

    def hold(self, task):
        self.holds += 1
        task.held = True

    def run(self):
        while self.running:
            for task in self.order:
                if task.ready():
                    task.step(task.next_packet())
                    break


def build(rounds):
    s = Scheduler()
    IdleTask(s, rounds)
    WorkerTask(s)
    HandlerTask(s, HANDLER_A, 2000, DEVICE_A)
    HandlerTask(s, HANDLER_B, 3000, DEVICE_B)
    DeviceTask(s, DEVICE_A, 4000)
    DeviceTask(s, DEVICE_B, 5000)
    for _ in range(2):
        s.send(Packet(WORKER, True), WORKER)
    for handler in (HANDLER_A, HANDLER_B):
        for _ in range(3):
            s.send(Packet(handler, False), handler)
    s.sends = 0
    return s


rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
s = build(rounds)
s.run()
print("sends", s.sends, "holds", s.holds)
