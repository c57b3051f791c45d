#pragma once

#include <exception>
#include <functional>

#include "ukube/machinery/export.h"

// Upstream's slowStartBatch: a controller that must make many calls that would likely all
// fail alike (a quota too small for 500 pods) makes them in batches of 1, 2, 4, ... and
// stops after the first batch in which any call failed, so one failure costs one call
// and one event rather than hundreds.
namespace ukube::controller {

// Upstream's SlowStartInitialBatchSize.
inline constexpr int kSlowStartInitialBatchSize = 1;

struct BatchOutcome {
  int successes = 0;         // calls that returned normally
  std::exception_ptr error;  // the first failure seen; null when none failed
  explicit operator bool() const { return !error; }
};

// Calls `call(i)` for i in [0, count): a batch of `initial_batch_size` calls, then batches
// twice the size of the last while every call of a batch succeeded. The calls of a batch
// run at once on up to `parallelism` threads (the caller's thread included); a call fails
// by throwing. Batches after a failed one are skipped: count - successes calls were made
// without success or not made at all.
UKUBE_MACHINERY_API BatchOutcome slow_start_batch(int count, int initial_batch_size,
                                                  const std::function<void(int index)>& call,
                                                  unsigned parallelism = 16);

}  // namespace ukube::controller
