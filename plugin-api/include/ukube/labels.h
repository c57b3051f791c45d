#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Label sets and parsed label selectors: the vocabulary the scheduler framework, the
// controllers and the API server share. Parsing, printing and matching live in
// sdk/machinery (ukube/machinery/labels.h).
namespace ukube {

// Sorted by key, so lookups are a binary search over contiguous memory.
class Labels {
 public:
  using Entry = std::pair<std::string, std::string>;
  Labels() = default;
  explicit Labels(std::vector<Entry> entries) : entries_(std::move(entries)) {
    std::sort(entries_.begin(), entries_.end());
  }
  const std::string* find(std::string_view key) const {
    auto it = std::lower_bound(entries_.begin(), entries_.end(), key,
                               [](const Entry& e, std::string_view k) { return e.first < k; });
    return it != entries_.end() && it->first == key ? &it->second : nullptr;
  }
  bool has(std::string_view key) const { return find(key) != nullptr; }
  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  const std::vector<Entry>& entries() const { return entries_; }
  bool operator==(const Labels&) const = default;

 private:
  std::vector<Entry> entries_;
};

// Upstream's selection operators. Equals / DoubleEquals / NotEquals come from selector
// text ("a=b", "a==b", "a!=b") and from matchLabels; they match as In / NotIn with one
// value but print as written.
enum class SelectorOp { In, NotIn, Exists, DoesNotExist, Gt, Lt, Equals, DoubleEquals, NotEquals };

struct Requirement {
  std::string key;
  SelectorOp op = SelectorOp::In;
  std::vector<std::string> values;
  bool operator==(const Requirement&) const = default;
};

// A label selector: every requirement must hold. An empty selector matches everything;
// `nothing` marks a null selector (or one upstream could not convert), which matches
// nothing.
struct LabelSelector {
  std::vector<Requirement> requirements;
  bool nothing = false;
  bool empty() const { return requirements.empty() && !nothing; }
  bool operator==(const LabelSelector&) const = default;
};

}  // namespace ukube
