// Made-up phase results for the bench's pure tests: nothing here was measured.
import type { MeasuredLoad } from '../../bench/scenarios.js';

/** 100 asks at `throughput` per s, latencies from `p50`, 10 ms of CPU (1 ms of it the client's). */
export function load(throughput: number, p50 = 1): MeasuredLoad {
  const latency = { count: 100, p50, p90: 2 * p50, p99: 4 * p50, max: 8 * p50 };
  return {
    asks: 100,
    seconds: 100 / throughput,
    throughput,
    latency,
    errors: 0,
    cpu: { serversMicros: 9000, clientMicros: 1000 },
    cpuPerDecision: 100,
  };
}
