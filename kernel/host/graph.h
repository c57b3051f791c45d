#pragma once

#include <cstddef>
#include <vector>

namespace ukube::host {

struct TopologicalOrder {
  // Nodes whose dependencies all come first; among nodes ready together the lower index
  // goes first, so config order decides whatever `requires` leaves open.
  std::vector<std::size_t> order;
  // Each dependency cycle found, as the path n0 -> n1 -> ... -> n0 (n0 not repeated).
  std::vector<std::vector<std::size_t>> cycles;
  // Nodes not on a cycle that cannot be ordered because they depend on one.
  std::vector<std::size_t> blocked;
};

// `deps[i]` lists the nodes node i requires (must come before it).
TopologicalOrder topological_order(const std::vector<std::vector<std::size_t>>& deps);

}  // namespace ukube::host
