"""Station queues: served in exactly SimPy's order, at O(log n) per request."""

import numpy as np
import pytest
import simpy
from simpy.resources.resource import PriorityRequest

from simulator.model.stations import REPAIR_PRIORITY, FifoResource, PriorityQueueResource


def service_order(resource_class, seed: int, jobs: int = 300) -> list[tuple[int, float]]:
    """(job, start) for jobs arriving at random with few distinct priorities (many ties), some
    of them reneging (a cancelled request leaves the queue), at a two-server station."""
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    station = resource_class(env, 2)
    order = []

    def job(k, priority, patience):
        with station.request(priority) as req:
            result = yield req | env.timeout(patience)
            if req not in result:
                return  # reneged: its request is cancelled by the with block
            order.append((k, env.now))
            yield env.timeout(rng.exponential(1.0))

    def arrivals():
        for k in range(jobs):
            # Some arrivals at the same instant, so ties in time are broken by arrival order.
            yield env.timeout(rng.choice([0.0, rng.exponential(0.4)]))
            priority = REPAIR_PRIORITY if k % 97 == 0 else float(rng.integers(0, 3))
            env.process(job(k, priority, rng.choice([1e9, rng.exponential(5.0)])))

    env.process(arrivals())
    env.run()
    return order


@pytest.mark.parametrize("seed", range(5))
def test_heap_queue_serves_as_simpy_priority_resource(seed):
    ours = service_order(PriorityQueueResource, seed)
    assert len(ours) > 100
    assert ours == service_order(simpy.PriorityResource, seed)


def test_fifo_queue_serves_as_simpy_resource():
    def order(cls):
        env = simpy.Environment()
        res = cls(env, 1)
        served = []

        def job(k):
            req = res.request()
            yield req
            served.append(k)
            yield env.timeout(1)
            res.release(req)

        for k in range(50):
            env.process(job(k))
        env.run()
        return served

    assert order(FifoResource) == order(simpy.Resource) == list(range(50))


class CountingRequest(PriorityRequest):
    """A request that counts how often its sort key is read."""

    reads = 0

    @property
    def key(self):
        CountingRequest.reads += 1
        return self._key

    @key.setter
    def key(self, value):
        self._key = value


def test_a_request_costs_the_same_however_long_the_queue():
    """SimPy's PriorityResource re-sorts its queue at every request (n key reads): a growing
    backlog made runs quadratic. A heap reads each new key once."""
    env = simpy.Environment()
    station = PriorityQueueResource(env, 1)
    n = 2000
    for k in range(n):
        CountingRequest(station, priority=k % 7)
    assert len(station.queue) == n - 1  # one in service
    assert CountingRequest.reads <= 2 * n
