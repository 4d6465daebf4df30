/**
 * Preloaded into a server the benches start (`node --import ./bench/support/event-loop-probe.ts src/cli.ts serve`),
 * so the process measured is the one an operator runs, unchanged. It records the event loop's delay (how late a
 * timer fires because synchronous work holds the thread) and answers the bench over the IPC channel:
 * 'reset' starts a measured phase, 'report' sends the delay percentiles in milliseconds.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

const histogram = monitorEventLoopDelay({ resolution: 5 });
histogram.enable();

const ms = (ns: number): number => Math.round((ns / 1e6) * 10) / 10;

process.on('message', (message) => {
  if (message === 'reset') histogram.reset();
  if (message === 'report') {
    process.send?.({
      eventLoopDelay: {
        p50: ms(histogram.percentile(50)),
        p99: ms(histogram.percentile(99)),
        max: ms(histogram.max),
        count: histogram.count,
      },
    });
  }
});
// The IPC channel alone must not keep the server alive after SIGTERM.
process.channel?.unref();
