"""Station queues and the event queue: exactly SimPy's order of events, at lower cost."""

import numpy as np
import pytest
import simpy

from simulator.model.environment import Environment, width
from simulator.model.stations import REPAIR_PRIORITY, Servers


class SimpyServers:
    """SimPy's own resources behind the Servers interface: the reference."""

    def __init__(self, env, capacity, prioritised=True):
        cls = simpy.PriorityResource if prioritised else simpy.Resource
        self.resource = cls(env, capacity)
        self.prioritised = prioritised

    def request(self, priority=0):
        r = self.resource
        return r.request(priority) if self.prioritised else r.request()

    def release(self, req):
        self.resource.release(req)

    def cancel(self, req):
        req.cancel()


def service_log(make_servers, make_env, seed: int, prioritised=True, jobs: int = 300):
    """(job, start, end) for jobs arriving at random with few distinct priorities (many ties),
    some of them reneging (a request cancelled while it waits), at a two-server station, with
    timers far ahead (beyond the event queue's buckets) and simultaneous events."""
    rng = np.random.default_rng(seed)
    env = make_env()
    station = make_servers(env, 2, prioritised)
    log = []

    def job(k, priority, patience):
        req = station.request(priority)
        result = yield req | env.timeout(patience)
        if req not in result:
            station.cancel(req)
            log.append((k, "reneged", env.now))
            return
        start = env.now
        yield env.timeout(rng.choice([0.0, rng.exponential(1.0)]))
        station.release(req)
        log.append((k, start, env.now))
        yield env.timeout(rng.exponential(30.0))  # a far timer (payment on terms)
        log.append((k, "paid", env.now))

    def arrivals():
        for k in range(jobs):
            # Some arrivals at the same instant, so ties in time are broken by arrival order.
            yield env.timeout(rng.choice([0.0, rng.exponential(0.4), 1.0]))
            priority = REPAIR_PRIORITY if k % 97 == 0 else float(rng.integers(0, 3))
            env.process(job(k, priority, rng.choice([1e9, rng.exponential(5.0)])))

    env.process(arrivals())
    for until in (3.0, 50.5, 51.0):  # run in pieces, as the model does around its warm-up
        env.run(until=until)
        log.append(("peek", env.peek()))
    env.run()
    return log, next(env._eid)


@pytest.mark.parametrize("prioritised", [True, False])
@pytest.mark.parametrize("seed", range(4))
def test_servers_and_environment_keep_simpys_order_of_events(seed, prioritised):
    ours = service_log(Servers, Environment, seed, prioritised)
    reference = service_log(SimpyServers, simpy.Environment, seed, prioritised)
    assert sum(1 for e in ours[0] if e[1] == "reneged") >= 1
    assert ours == reference
    # Each piece on its own: the servers, and the event queue.
    assert service_log(Servers, simpy.Environment, seed, prioritised) == reference
    assert service_log(SimpyServers, Environment, seed, prioritised) == reference


@pytest.mark.parametrize("days", [1 / 8, 1 / 64])
def test_narrower_buckets_keep_simpys_order_of_events(days):
    """The large network's buckets are a fraction of a day (environment.width): same order."""
    ours = service_log(Servers, lambda: Environment(width=days), 0)
    assert ours == service_log(SimpyServers, simpy.Environment, 0)


def test_bucket_width_narrows_with_the_order_rate():
    assert width(5.5) == 1.0  # default: a day
    assert width(590) == 1 / 32  # large: about 20 orders per bucket
    assert all(width(r) >= width(r * 2) for r in (1, 10, 100, 1000, 10**6))


def test_events_pending_and_processed_are_counted_across_buckets():
    env = Environment()
    for delay in (0.5, 2.5, 40.0, 40.0, 1e300):
        env.timeout(delay)
    env.run(until=10.0)
    assert env.pending() == 3 + 1  # the two at 40, the one never due, and run's own stop event
    assert next(env._eid) - env.pending() == 6 - 3 - 1 + 1  # 0.5, 2.5 and the stop at 10 done


def test_a_request_costs_the_same_however_long_the_queue():
    """SimPy's PriorityResource re-sorts its queue at every request: a growing backlog made
    runs quadratic. Servers keep a heap: the queue is never sorted."""
    env = simpy.Environment()
    station = Servers(env, 1)
    n = 2000
    for k in range(n):
        station.request(priority=k % 7)
    assert len(station.queue) == n - 1  # one in service
    assert station.queue[0][0] == 0  # a heap: its head is the most urgent
    assert station.queue != sorted(station.queue)  # and it was never sorted
