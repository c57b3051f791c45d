#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Data plugins share within one pod's scheduling cycle (PreFilter computes, Filter reads).
namespace ukube::scheduler {

class StateData {
 public:
  virtual ~StateData() = default;
  // Preemption simulates removing pods on a copy of the state.
  virtual std::unique_ptr<StateData> clone() const = 0;
};

class CycleState {
 public:
  CycleState() = default;
  CycleState(const CycleState& other) { *this = other; }
  CycleState& operator=(const CycleState& other) {
    if (this == &other) return *this;
    entries_.clear();
    for (const auto& [k, v] : other.entries_) entries_.emplace_back(k, v ? v->clone() : nullptr);
    skip_filter = other.skip_filter;
    skip_score = other.skip_score;
    return *this;
  }
  CycleState(CycleState&&) = default;
  CycleState& operator=(CycleState&&) = default;

  void write(std::string key, std::unique_ptr<StateData> data) {
    for (auto& [k, v] : entries_)
      if (k == key) {
        v = std::move(data);
        return;
      }
    entries_.emplace_back(std::move(key), std::move(data));
  }
  StateData* read(std::string_view key) const {
    for (const auto& [k, v] : entries_)
      if (k == key) return v.get();
    return nullptr;
  }
  template <class T>
  T* get(std::string_view key) const {
    return dynamic_cast<T*>(read(key));
  }

  // Bit i set: the profile's i-th Filter / Score plugin skipped this pod at PreFilter /
  // PreScore, so the framework leaves it out. Owned by the framework.
  uint64_t skip_filter = 0;
  uint64_t skip_score = 0;

 private:
  std::vector<std::pair<std::string, std::unique_ptr<StateData>>> entries_;
};

}  // namespace ukube::scheduler
