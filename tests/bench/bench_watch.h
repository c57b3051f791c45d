#pragma once

// Watch bus fan-out: many blocking subscribers on one prefix, one publisher committing
// in batches. Prints its figure on one line.
void bench_watch_fanout();
