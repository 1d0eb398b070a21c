// gen-paxos/testing: what a test of code built on gen-paxos needs to run a cluster in one process,
// deterministically: the in-memory network (with fault hooks) and runtime router, in-memory storage,
// a virtual clock and a seeded random source.
export { createMemoryNetwork, MemoryNetwork } from './transport/memoryNetwork.js';
export type { LinkFaults, MemoryNetworkOptions } from './transport/memoryNetwork.js';
export { createMemoryRouter, MemoryRouter } from './transport/distribution/memoryRouter.js';
export type { MemoryRouterOptions, MemoryRouterStats } from './transport/distribution/memoryRouter.js';
export { MemoryStorage } from './storage/memoryStorage.js';
export { VirtualClock } from './base/virtualClock.js';
export { seededRandom } from './paxos/prng.js';
export type { RandomSource } from './base/random.js';
