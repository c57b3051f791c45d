#include "ukube/controller/slow_start.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace ukube::controller {

BatchOutcome slow_start_batch(int count, int initial_batch_size, const std::function<void(int)>& call,
                              unsigned parallelism) {
  BatchOutcome outcome;
  std::mutex mutex;
  int next = 0;  // the first index of the next batch
  for (int batch = std::min(count, std::max(initial_batch_size, 1)); batch > 0;
       batch = std::min(2 * batch, count - next)) {
    const int end = next + batch;
    std::atomic<int> cursor{next};
    std::atomic<int> succeeded{0};
    auto drain = [&] {
      for (int i = cursor++; i < end; i = cursor++) {
        try {
          call(i);
          ++succeeded;
        } catch (...) {
          std::lock_guard lock(mutex);
          if (!outcome.error) outcome.error = std::current_exception();
        }
      }
    };
    const unsigned helpers = std::min<unsigned>(std::max(parallelism, 1u), static_cast<unsigned>(batch)) - 1;
    std::vector<std::thread> threads;
    threads.reserve(helpers);
    for (unsigned t = 0; t < helpers; ++t) threads.emplace_back(drain);
    drain();
    for (auto& t : threads) t.join();
    outcome.successes += succeeded;
    next = end;
    if (outcome.error) break;
  }
  return outcome;
}

}  // namespace ukube::controller
