// Runs the watch fan-out figure alone; store_bench's main calls the same function.
#include "bench_watch.h"

int main() {
  bench_watch_fanout();
  return 0;
}
