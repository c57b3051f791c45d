#pragma once

#include <cstddef>
#include <cstdint>

#include "kernel/watch/history.h"
#include "kernel/watch/subscribers.h"

namespace ukube::watch {

// What the bus and its watchers share. Watchers hold it by shared_ptr, so one that
// outlives the bus object still reads and closes safely.
struct BusCore {
  BusCore(int64_t start_revision, size_t history_capacity) : history(start_revision, history_capacity) {}
  History history;
  Subscribers subscribers;
};

}  // namespace ukube::watch
