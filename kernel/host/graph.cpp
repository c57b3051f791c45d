#include "kernel/host/graph.h"

#include <algorithm>
#include <set>

namespace ukube::host {

TopologicalOrder topological_order(const std::vector<std::vector<std::size_t>>& deps) {
  const std::size_t n = deps.size();
  std::vector<std::size_t> missing(n, 0);  // unsatisfied dependencies per node
  std::vector<std::vector<std::size_t>> dependents(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::set<std::size_t> unique(deps[i].begin(), deps[i].end());
    missing[i] = unique.size();
    for (std::size_t d : unique) dependents[d].push_back(i);
  }

  TopologicalOrder result;
  std::set<std::size_t> ready;  // ordered: the lowest index is always taken first
  for (std::size_t i = 0; i < n; ++i)
    if (missing[i] == 0) ready.insert(i);
  std::vector<bool> placed(n, false);
  while (!ready.empty()) {
    std::size_t next = *ready.begin();
    ready.erase(ready.begin());
    placed[next] = true;
    result.order.push_back(next);
    for (std::size_t d : dependents[next])
      if (--missing[d] == 0) ready.insert(d);
  }
  if (result.order.size() == n) return result;

  // Every unplaced node has an unplaced dependency, so following them always ends on a
  // cycle: either a new one (the walk meets itself) or one already found.
  enum class Mark { None, OnCycle, Blocked };
  std::vector<Mark> mark(n, Mark::None);
  for (std::size_t start = 0; start < n; ++start) {
    if (placed[start] || mark[start] != Mark::None) continue;
    std::vector<std::size_t> path;
    std::size_t node = start;
    while (mark[node] == Mark::None && std::find(path.begin(), path.end(), node) == path.end()) {
      path.push_back(node);
      std::size_t next = node;
      for (std::size_t d : deps[node])
        if (!placed[d]) {
          next = d;
          break;
        }
      node = next;
    }
    auto cycle_start = std::find(path.begin(), path.end(), node);
    if (mark[node] == Mark::None && cycle_start != path.end()) {
      result.cycles.emplace_back(cycle_start, path.end());
      for (auto it = cycle_start; it != path.end(); ++it) mark[*it] = Mark::OnCycle;
      path.erase(cycle_start, path.end());
    }
    for (std::size_t p : path) mark[p] = Mark::Blocked;
  }
  for (std::size_t i = 0; i < n; ++i)
    if (mark[i] == Mark::Blocked) result.blocked.push_back(i);
  return result;
}

}  // namespace ukube::host
